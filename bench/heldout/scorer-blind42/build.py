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


def yes_no(value, field, where):
    value = value.strip().lower()
    for prefix in (field + " ", ""):
        if value.startswith(prefix):
            rest = value[len(prefix):].strip()
            if rest in ("yes", "no"):
                return rest == "yes"
    sys.exit(f"{where}: cannot read '{field}' from '{value}'")


def parse_header(line, where):
    fields = [f.strip() for f in line[1:].split("|")]
    if len(fields) != 7:
        sys.exit(f"{where}: header needs 7 fields, got {len(fields)}")
    number, age, minor, country, etype, lookalike, style = fields
    return {
        "interview": int(number),
        "age": int(age),
        "minor": yes_no(minor, "minor", where),
        "country": country,
        "type": etype,
        "lookalike": yes_no(lookalike, "lookalike", where),
        "style": style,
        "lines": [],
    }


def main():
    parts_dir = os.path.join(HERE, "parts")
    names = sorted(n for n in os.listdir(parts_dir)
                   if n.startswith("part_") and n.endswith(".txt"))
    names.sort(key=lambda n: int(n[5:-4]))
    interviews = []
    for name in names:
        with open(os.path.join(parts_dir, name), encoding="utf-8") as fh:
            for lineno, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                where = f"{name}:{lineno}"
                if not line.strip():
                    continue
                if line.startswith("@"):
                    interviews.append(parse_header(line, where))
                    continue
                if not interviews:
                    sys.exit(f"{where}: utterance before any header")
                fields = line.split("|", 4)
                if len(fields) != 5:
                    sys.exit(f"{where}: expected 5 '|'-separated fields")
                qt, tone, rec, kind, text = (f.strip() for f in fields)
                try:
                    utt = {
                        "text": text,
                        "question_type": QT[qt],
                        "tone": TONE[tone],
                        "recommended": REC[rec],
                        "kind": kind,
                        "minor_context": interviews[-1]["minor"],
                    }
                except KeyError as exc:
                    sys.exit(f"{where}: unknown code {exc}")
                interviews[-1]["lines"].append(utt)
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as out:
        for iv in interviews:
            for utt in iv["lines"]:
                out.write(json.dumps(utt, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as out:
        json.dump(interviews, out, ensure_ascii=False, indent=1)
    total = sum(len(iv["lines"]) for iv in interviews)
    print(f"built {len(interviews)} interviews, {total} utterances")


if __name__ == "__main__":
    main()
