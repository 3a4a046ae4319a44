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
    minor_v = minor.split()[-1]
    look_v = look.split()[-1]
    if minor_v not in ("yes", "no") or look_v not in ("yes", "no"):
        sys.exit(f"{where}: minor/lookalike must end in yes or no")
    return {"interview": int(num), "age": int(age), "minor": minor_v == "yes",
            "country": country, "type": etype, "lookalike": look_v == "yes",
            "style": style, "lines": []}


def main():
    files = sorted(glob.glob(os.path.join(HERE, "parts", "part_*.txt")),
                   key=lambda p: int(os.path.basename(p)[5:-4]))
    interviews, utterances = [], []
    for path in files:
        cur = None
        with open(path, encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                where = f"{os.path.basename(path)}:{n}"
                if not line.strip():
                    continue
                if line.startswith("@"):
                    cur = parse_header(line, where)
                    interviews.append(cur)
                    continue
                if cur is None:
                    sys.exit(f"{where}: line before any header")
                parts = line.split("|", 4)
                if len(parts) != 5:
                    sys.exit(f"{where}: expected 5 fields")
                qt, tone, rec, kind, text = (p.strip() for p in parts)
                if qt not in QT or tone not in TONE or rec not in REC:
                    sys.exit(f"{where}: bad code in {qt}|{tone}|{rec}")
                u = {"text": text, "question_type": QT[qt], "tone": TONE[tone],
                     "recommended": REC[rec], "kind": kind,
                     "minor_context": cur["minor"]}
                utterances.append(u)
                cur["lines"].append(u)
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as fh:
        for u in utterances:
            fh.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as fh:
        json.dump(interviews, fh, ensure_ascii=False, indent=1)
    print(f"built {len(utterances)} utterances from {len(interviews)} interviews")


if __name__ == "__main__":
    main()
