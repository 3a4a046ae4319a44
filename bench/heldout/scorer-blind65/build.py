#!/usr/bin/env python3
"""Join parts/part_*.txt into utterances.jsonl and interviews.json (standard library only)."""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing",
      "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def parse_header(line, where):
    fields = [f.strip() for f in line[1:].split("|")]
    if len(fields) != 7:
        sys.exit(f"{where}: header needs 7 fields, got {len(fields)}")
    num, age, minor, country, etype, look, style = fields
    m = re.fullmatch(r"minor (yes|no)", minor)
    l = re.fullmatch(r"lookalike (yes|no)", look)
    if not m or not l:
        sys.exit(f"{where}: bad minor/lookalike field")
    return {"interview": int(num), "age": int(age), "minor": m.group(1) == "yes",
            "country": country, "type": etype, "lookalike": l.group(1) == "yes",
            "style": style, "lines": []}


def main():
    interviews, utterances = [], []
    parts_dir = os.path.join(HERE, "parts")
    files = sorted(f for f in os.listdir(parts_dir) if re.fullmatch(r"part_\d+\.txt", f))
    files.sort(key=lambda f: int(re.search(r"\d+", f).group()))
    for fname in files:
        with open(os.path.join(parts_dir, fname), encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                where = f"{fname}:{n}"
                if not line.strip():
                    continue
                if line.startswith("@"):
                    interviews.append(parse_header(line, where))
                    continue
                if not interviews:
                    sys.exit(f"{where}: utterance before any header")
                bits = line.split("|", 4)
                if len(bits) != 5:
                    sys.exit(f"{where}: expected 5 fields")
                qt, tone, rec, kind, text = (b.strip() for b in bits)
                if qt not in QT or tone not in TONE or rec not in REC:
                    sys.exit(f"{where}: bad code in {qt!r}/{tone!r}/{rec!r}")
                iv = interviews[-1]
                utt = {"text": text, "question_type": QT[qt], "tone": TONE[tone],
                       "recommended": REC[rec], "kind": kind,
                       "minor_context": iv["minor"]}
                utterances.append(utt)
                iv["lines"].append(utt)
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as fh:
        for u in utterances:
            fh.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as fh:
        json.dump(interviews, fh, ensure_ascii=False, indent=1)
    print(f"built {len(utterances)} utterances from {len(interviews)} interviews")


if __name__ == "__main__":
    main()
