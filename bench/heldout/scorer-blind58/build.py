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


def parse():
    interviews = []
    files = sorted(glob.glob(os.path.join(HERE, "parts", "part_*.txt")),
                   key=lambda p: int(p.rsplit("_", 1)[1].split(".")[0]))
    if not files:
        sys.exit("no part files found")
    for path in files:
        with open(path, encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                if not line.strip():
                    continue
                where = f"{os.path.basename(path)}:{n}"
                if line.startswith("@"):
                    fields = [f.strip() for f in line[1:].split(" | ")]
                    if len(fields) != 7:
                        sys.exit(f"{where}: header needs 7 fields, got {len(fields)}")
                    num, age, minor, country, etype, look, style = fields
                    if minor not in ("yes", "no") or look not in ("yes", "no"):
                        sys.exit(f"{where}: minor/lookalike must be yes or no")
                    interviews.append({"interview": int(num), "age": int(age),
                                       "minor": minor == "yes", "country": country,
                                       "type": etype, "lookalike": look == "yes",
                                       "style": style, "lines": []})
                    continue
                if not interviews:
                    sys.exit(f"{where}: utterance before any header")
                parts = line.split("|", 4)
                if len(parts) != 5:
                    sys.exit(f"{where}: expected 5 '|' fields")
                qt, tone, rec, kind, text = (p.strip() for p in parts)
                if qt not in QT or tone not in TONE or rec not in REC:
                    sys.exit(f"{where}: bad code in {qt}|{tone}|{rec}")
                interviews[-1]["lines"].append({
                    "text": text, "question_type": QT[qt], "tone": TONE[tone],
                    "recommended": REC[rec], "kind": kind,
                    "minor_context": interviews[-1]["minor"]})
    return interviews


def main():
    interviews = parse()
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
