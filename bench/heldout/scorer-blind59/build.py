#!/usr/bin/env python3
"""Join parts/part_1.txt ... part_5.txt into utterances.jsonl and interviews.json."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing",
      "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}
YN = {"yes": True, "no": False}


def parse(path, interviews, errors):
    cur = None
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.rstrip("\n")
            if not line.strip():
                continue
            where = f"{os.path.basename(path)}:{n}"
            if line.startswith("@"):
                fields = [f.strip() for f in line[1:].split("|")]
                if len(fields) != 7:
                    errors.append(f"{where}: header needs 7 fields")
                    cur = None
                    continue
                num, age, minor, country, typ, look, style = fields
                if minor not in YN or look not in YN:
                    errors.append(f"{where}: minor/lookalike must be yes/no")
                cur = {"interview": int(num), "age": int(age), "minor": YN.get(minor),
                       "country": country, "type": typ, "lookalike": YN.get(look),
                       "style": style, "lines": []}
                interviews.append(cur)
                continue
            if cur is None:
                errors.append(f"{where}: line before any header")
                continue
            parts = line.split("|", 4)
            if len(parts) != 5:
                errors.append(f"{where}: needs 5 fields")
                continue
            q, t, r, kind, text = (p.strip() for p in parts)
            if q not in QT or t not in TONE or r not in REC:
                errors.append(f"{where}: bad code {q}/{t}/{r}")
                continue
            cur["lines"].append({"text": text, "question_type": QT[q], "tone": TONE[t],
                                 "recommended": REC[r], "kind": kind,
                                 "minor_context": bool(cur["minor"])})


def main():
    interviews, errors = [], []
    for i in range(1, 6):
        parse(os.path.join(HERE, "parts", f"part_{i}.txt"), interviews, errors)
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as fh:
        for iv in interviews:
            for u in iv["lines"]:
                fh.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as fh:
        json.dump(interviews, fh, ensure_ascii=False, indent=1)
    total = sum(len(iv["lines"]) for iv in interviews)
    print(f"built {len(interviews)} interviews, {total} utterances")


if __name__ == "__main__":
    main()
