#!/usr/bin/env python3
"""Join parts/part_1.txt .. part_5.txt into utterances.jsonl and interviews.json.

Standard library only. Part file format:
  @ NN | age | minor yes/no | country | exploitation type | lookalike yes/no | officer style
  question_type|tone|recommended|kind|text        (one line per officer turn)
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PARTS = [os.path.join(HERE, "parts", "part_%d.txt" % i) for i in range(1, 6)]

QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing",
      "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def yes_no(field, name):
    v = field.strip().lower()
    if v.startswith(name):
        v = v[len(name):].strip()
    if v not in ("yes", "no"):
        raise ValueError("expected '%s yes/no', got %r" % (name, field))
    return v == "yes"


def parse_header(line, where):
    fields = [f.strip() for f in line[1:].split("|")]
    if len(fields) != 7:
        raise ValueError("%s: header needs 7 fields, got %d" % (where, len(fields)))
    nn, age, minor, country, etype, look, style = fields
    return {
        "interview": int(nn),
        "age": int(age),
        "minor": yes_no(minor, "minor"),
        "country": country,
        "type": etype,
        "lookalike": yes_no(look, "lookalike"),
        "style": style,
        "lines": [],
    }


def main():
    interviews = []
    utterances = []
    errors = []
    current = None
    for path in PARTS:
        if not os.path.exists(path):
            errors.append("missing %s" % path)
            continue
        with open(path, encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\n").strip()
                where = "%s:%d" % (os.path.basename(path), n)
                if not line:
                    continue
                if line.startswith("@"):
                    try:
                        current = parse_header(line, where)
                    except ValueError as exc:
                        errors.append(str(exc))
                        current = None
                        continue
                    interviews.append(current)
                    continue
                if current is None:
                    errors.append("%s: utterance before any valid header" % where)
                    continue
                parts = line.split("|", 4)
                if len(parts) != 5:
                    errors.append("%s: expected 5 fields" % where)
                    continue
                qt, tone, rec, kind, text = (p.strip() for p in parts)
                if qt not in QT or tone not in TONE or rec not in REC:
                    errors.append("%s: bad label %r %r %r" % (where, qt, tone, rec))
                    continue
                utt = {
                    "text": text,
                    "question_type": QT[qt],
                    "tone": TONE[tone],
                    "recommended": REC[rec],
                    "kind": kind,
                    "minor_context": current["minor"],
                }
                utterances.append(utt)
                current["lines"].append(dict(utt))
    if errors:
        for e in errors:
            print("ERROR:", e)
        sys.exit(1)
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as fh:
        for u in utterances:
            fh.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as fh:
        json.dump(interviews, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    print("wrote %d utterances from %d interviews" % (len(utterances), len(interviews)))


if __name__ == "__main__":
    main()
