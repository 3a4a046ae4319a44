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


def yes_no(field, prefix):
    value = field.strip()
    if prefix and value.startswith(prefix):
        value = value[len(prefix):].strip()
    if value not in ("yes", "no"):
        raise ValueError("expected yes/no in %r" % field)
    return value == "yes"


def parse(paths):
    interviews = []
    current = None
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                if not line.strip():
                    continue
                where = "%s:%d" % (os.path.basename(path), n)
                if line.startswith("@"):
                    f = [x.strip() for x in line[1:].split("|")]
                    if len(f) != 7:
                        sys.exit("%s: header needs 7 fields" % where)
                    current = {
                        "interview": int(f[0]),
                        "age": int(f[1]),
                        "minor": yes_no(f[2], "minor"),
                        "country": f[3],
                        "type": f[4],
                        "lookalike": yes_no(f[5], "lookalike"),
                        "style": f[6],
                        "lines": [],
                    }
                    interviews.append(current)
                    continue
                if current is None:
                    sys.exit("%s: line before any header" % where)
                parts = line.split("|", 4)
                if len(parts) != 5:
                    sys.exit("%s: expected 5 fields" % where)
                qt, tone, rec, kind, text = [p.strip() for p in parts]
                try:
                    current["lines"].append({
                        "text": text,
                        "question_type": QT[qt],
                        "tone": TONE[tone],
                        "recommended": REC[rec],
                        "kind": kind,
                        "minor_context": current["minor"],
                    })
                except KeyError as e:
                    sys.exit("%s: bad code %s" % (where, e))
    return interviews


def main():
    pdir = os.path.join(HERE, "parts")
    paths = sorted(os.path.join(pdir, p) for p in os.listdir(pdir)
                   if p.startswith("part_") and p.endswith(".txt"))
    interviews = parse(paths)
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as out:
        for iv in interviews:
            for u in iv["lines"]:
                out.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as out:
        json.dump(interviews, out, ensure_ascii=False, indent=1)
    print("built %d interviews, %d utterances from %d parts"
          % (len(interviews), sum(len(i["lines"]) for i in interviews), len(paths)))


if __name__ == "__main__":
    main()
