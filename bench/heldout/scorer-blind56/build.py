#!/usr/bin/env python3
"""Join parts/part_*.txt into utterances.jsonl and interviews.json (standard library only)."""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing", "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def yes_no(field, prefix):
    v = field.strip().lower()
    if v.startswith(prefix):
        v = v[len(prefix):].strip()
    if v not in ("yes", "no"):
        raise ValueError("expected yes/no in %r" % field)
    return v == "yes"


def parse():
    interviews = []
    current = None
    part_files = sorted(
        (f for f in os.listdir(os.path.join(HERE, "parts")) if re.fullmatch(r"part_\d+\.txt", f)),
        key=lambda f: int(re.findall(r"\d+", f)[0]),
    )
    for fname in part_files:
        with open(os.path.join(HERE, "parts", fname), encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                if not line.strip():
                    continue
                where = "%s:%d" % (fname, n)
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
                    sys.exit("%s: utterance before any header" % where)
                f = line.split("|")
                if len(f) != 5:
                    sys.exit("%s: expected 5 fields, got %d" % (where, len(f)))
                qt, tone, rec, kind, text = (x.strip() for x in f)
                if qt not in QT or tone not in TONE or rec not in REC:
                    sys.exit("%s: bad label code %r" % (where, (qt, tone, rec)))
                current["lines"].append({
                    "text": text,
                    "question_type": QT[qt],
                    "tone": TONE[tone],
                    "recommended": REC[rec],
                    "kind": kind,
                    "minor_context": current["minor"],
                })
    return interviews


def main():
    interviews = parse()
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as out:
        for iv in interviews:
            for u in iv["lines"]:
                out.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as out:
        json.dump(interviews, out, ensure_ascii=False, indent=1)
    total = sum(len(iv["lines"]) for iv in interviews)
    print("built %d interviews, %d utterances" % (len(interviews), total))


if __name__ == "__main__":
    main()
