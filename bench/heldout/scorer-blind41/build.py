#!/usr/bin/env python3
"""Join parts/part_*.txt into utterances.jsonl and interviews.json (standard library only)."""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing",
      "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def parse_header(line, where):
    fields = [f.strip() for f in line[1:].split("|")]
    if len(fields) != 7:
        sys.exit(f"{where}: header needs 7 fields: {line!r}")
    num, age, minor, country, etype, look, style = fields

    def yesno(value, prefix):
        value = value.lower()
        if value.startswith(prefix):
            value = value[len(prefix):].strip()
        if value not in ("yes", "no"):
            sys.exit(f"{where}: bad {prefix or 'flag'} value {value!r}")
        return value == "yes"

    return {"interview": int(num), "age": int(age), "minor": yesno(minor, "minor"),
            "country": country, "type": etype, "lookalike": yesno(look, "lookalike"),
            "style": style, "lines": []}


def main():
    interviews, utterances = [], []
    files = sorted(glob.glob(os.path.join(HERE, "parts", "part_*.txt")),
                   key=lambda p: int(os.path.basename(p)[5:-4]))
    if not files:
        sys.exit("no parts found")
    for path in files:
        with open(path, encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                where = f"{os.path.basename(path)}:{n}"
                if not line.strip():
                    continue
                if line.startswith("@"):
                    interviews.append(parse_header(line, where))
                    continue
                if not interviews:
                    sys.exit(f"{where}: line before first header")
                parts = line.split("|", 4)
                if len(parts) != 5:
                    sys.exit(f"{where}: expected 5 fields: {line!r}")
                qt, tone, rec, kind, text = (p.strip() for p in parts)
                if qt not in QT or tone not in TONE or rec not in REC:
                    sys.exit(f"{where}: bad code in {line!r}")
                iv = interviews[-1]
                utt = {"text": text, "question_type": QT[qt], "tone": TONE[tone],
                       "recommended": REC[rec], "kind": kind,
                       "minor_context": iv["minor"]}
                iv["lines"].append(utt)
                utterances.append(utt)
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as fh:
        for utt in utterances:
            fh.write(json.dumps(utt, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as fh:
        json.dump(interviews, fh, ensure_ascii=False, indent=1)
    print(f"built {len(interviews)} interviews, {len(utterances)} utterances")


if __name__ == "__main__":
    main()
