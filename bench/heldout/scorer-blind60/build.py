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


def yes_no(field, prefix):
    f = field.strip().lower()
    if f.startswith(prefix):
        f = f[len(prefix):].strip()
    if f not in ("yes", "no"):
        raise ValueError("expected yes/no, got %r" % field)
    return f == "yes"


def parse(errors):
    interviews = []
    part_files = sorted(
        (f for f in os.listdir(os.path.join(HERE, "parts")) if re.fullmatch(r"part_\d+\.txt", f)),
        key=lambda f: int(re.findall(r"\d+", f)[0]))
    for fname in part_files:
        path = os.path.join(HERE, "parts", fname)
        with open(path, encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                where = "%s:%d" % (fname, n)
                if not line.strip():
                    continue
                if line.startswith("@"):
                    fields = [x.strip() for x in line[1:].split("|")]
                    if len(fields) != 7:
                        errors.append("%s: header needs 7 fields" % where)
                        continue
                    try:
                        interviews.append({
                            "interview": int(fields[0]),
                            "age": int(fields[1]),
                            "minor": yes_no(fields[2], "minor"),
                            "country": fields[3],
                            "type": fields[4],
                            "lookalike": yes_no(fields[5], "lookalike"),
                            "style": fields[6],
                            "lines": [],
                        })
                    except ValueError as e:
                        errors.append("%s: %s" % (where, e))
                    continue
                parts = line.split("|", 4)
                if len(parts) != 5:
                    errors.append("%s: expected 5 fields" % where)
                    continue
                if not interviews:
                    errors.append("%s: line before any header" % where)
                    continue
                qt, tone, rec, kind, text = (p.strip() for p in parts)
                if qt not in QT or tone not in TONE or rec not in REC:
                    errors.append("%s: bad code %r/%r/%r" % (where, qt, tone, rec))
                    continue
                if "|" in text or not text:
                    errors.append("%s: bad text" % where)
                    continue
                iv = interviews[-1]
                iv["lines"].append({
                    "text": text,
                    "question_type": QT[qt],
                    "tone": TONE[tone],
                    "recommended": REC[rec],
                    "kind": kind,
                    "minor_context": iv["minor"],
                })
    return interviews


def main():
    errors = []
    interviews = parse(errors)
    if errors:
        for e in errors:
            print("BUILD ERROR:", e)
        sys.exit(1)
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as fh:
        for iv in interviews:
            for u in iv["lines"]:
                fh.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as fh:
        json.dump(interviews, fh, ensure_ascii=False, indent=1)
    print("built %d interviews, %d utterances" % (len(interviews), sum(len(i["lines"]) for i in interviews)))


if __name__ == "__main__":
    main()
