#!/usr/bin/env python3
"""Join parts/part_*.txt into utterances.jsonl and interviews.json (standard library only)."""
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing",
      "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def yesno(field, name):
    v = field.strip().lower()
    v = re.sub(r"^" + name + r"\s+", "", v)
    if v not in ("yes", "no"):
        raise ValueError(f"bad {name} field: {field!r}")
    return v == "yes"


def parse(paths):
    interviews, errors = [], []
    cur = None
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for n, raw in enumerate(f, 1):
                line = raw.rstrip("\n")
                if not line.strip():
                    continue
                where = f"{os.path.basename(path)}:{n}"
                if line.startswith("@"):
                    fields = [x.strip() for x in line[1:].split("|")]
                    if len(fields) != 7:
                        errors.append(f"{where}: header needs 7 fields")
                        continue
                    try:
                        cur = {"interview": int(fields[0]), "age": int(fields[1]),
                               "minor": yesno(fields[2], "minor"), "country": fields[3],
                               "type": fields[4], "lookalike": yesno(fields[5], "lookalike"),
                               "style": fields[6], "lines": []}
                    except ValueError as e:
                        errors.append(f"{where}: {e}")
                        cur = None
                        continue
                    interviews.append(cur)
                    continue
                if cur is None:
                    errors.append(f"{where}: line before any header")
                    continue
                parts = line.split("|", 4)
                if len(parts) != 5:
                    errors.append(f"{where}: expected 5 fields")
                    continue
                q, t, r, kind, text = (p.strip() for p in parts)
                if q not in QT or t not in TONE or r not in REC:
                    errors.append(f"{where}: bad code {q}/{t}/{r}")
                    continue
                cur["lines"].append({"text": text, "question_type": QT[q], "tone": TONE[t],
                                     "recommended": REC[r], "kind": kind,
                                     "minor_context": cur["minor"]})
    return interviews, errors


def main():
    paths = sorted(glob.glob(os.path.join(HERE, "parts", "part_*.txt")),
                   key=lambda p: int(re.search(r"part_(\d+)", p).group(1)))
    interviews, errors = parse(paths)
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as f:
        for iv in interviews:
            for u in iv["lines"]:
                f.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as f:
        json.dump(interviews, f, ensure_ascii=False, indent=1)
    n = sum(len(iv["lines"]) for iv in interviews)
    print(f"built {len(interviews)} interviews, {n} utterances from {len(paths)} parts")


if __name__ == "__main__":
    main()
