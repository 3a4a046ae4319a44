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
        sys.exit(f"{where}: header needs 7 fields, got {len(fields)}")
    num, age, minor, country, etype, look, style = fields
    minor_word = minor.split()[-1]
    look_word = look.split()[-1]
    if minor_word not in ("yes", "no") or look_word not in ("yes", "no"):
        sys.exit(f"{where}: minor/lookalike must be yes or no")
    return {"interview": int(num), "age": int(age), "minor": minor_word == "yes",
            "country": country, "type": etype, "lookalike": look_word == "yes",
            "style": style, "lines": []}


def main():
    parts = sorted(glob.glob(os.path.join(HERE, "parts", "part_*.txt")),
                   key=lambda p: int(os.path.basename(p)[5:-4]))
    if not parts:
        sys.exit("no parts found")
    interviews = []
    for path in parts:
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                where = f"{name}:{n}"
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
                    sys.exit(f"{where}: bad code {qt!r} {tone!r} {rec!r}")
                cur = interviews[-1]
                cur["lines"].append({
                    "text": text,
                    "question_type": QT[qt],
                    "tone": TONE[tone],
                    "recommended": REC[rec],
                    "kind": kind,
                    "minor_context": cur["minor"],
                })
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as out:
        for iv in interviews:
            for u in iv["lines"]:
                out.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as out:
        json.dump(interviews, out, ensure_ascii=False, indent=1)
    total = sum(len(iv["lines"]) for iv in interviews)
    print(f"built {len(interviews)} interviews, {total} utterances")


if __name__ == "__main__":
    main()
