#!/usr/bin/env python3
"""Join parts/part_*.txt into utterances.jsonl and interviews.json (standard library only)."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing",
      "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def yes_no(field, word):
    field = field.strip().lower()
    if not field.startswith(word):
        raise ValueError(f"expected '{word} yes/no', got {field!r}")
    v = field[len(word):].strip()
    if v not in ("yes", "no"):
        raise ValueError(f"expected yes/no in {field!r}")
    return v == "yes"


def parse_part(path):
    interviews = []
    cur = None
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip():
                continue
            where = f"{os.path.basename(path)}:{n}"
            if line.startswith("@"):
                fields = [x.strip() for x in line[1:].split("|")]
                if len(fields) != 7:
                    sys.exit(f"{where}: header needs 7 fields, got {len(fields)}")
                num, age, minor, country, typ, look, style = fields
                cur = {"interview": int(num), "age": int(age),
                       "minor": yes_no(minor, "minor"), "country": country,
                       "type": typ, "lookalike": yes_no(look, "lookalike"),
                       "style": style, "lines": []}
                interviews.append(cur)
                continue
            if cur is None:
                sys.exit(f"{where}: officer line before any header")
            parts = line.split("|", 4)
            if len(parts) != 5:
                sys.exit(f"{where}: expected 5 fields")
            qt, tone, rec, kind, text = (p.strip() for p in parts)
            try:
                cur["lines"].append({
                    "text": text,
                    "question_type": QT[qt],
                    "tone": TONE[tone],
                    "recommended": REC[rec],
                    "kind": kind,
                    "minor_context": cur["minor"],
                })
            except KeyError as e:
                sys.exit(f"{where}: unknown label {e}")
    return interviews


def main():
    pdir = os.path.join(HERE, "parts")
    files = sorted(f for f in os.listdir(pdir) if f.startswith("part_") and f.endswith(".txt"))
    files.sort(key=lambda f: int(f[5:-4]))
    interviews = []
    for f in files:
        interviews.extend(parse_part(os.path.join(pdir, f)))
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as out:
        for iv in interviews:
            for u in iv["lines"]:
                out.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as out:
        json.dump(interviews, out, ensure_ascii=False, indent=1)
    n = sum(len(iv["lines"]) for iv in interviews)
    print(f"built {len(interviews)} interviews, {n} utterances from {len(files)} part files")


if __name__ == "__main__":
    main()
