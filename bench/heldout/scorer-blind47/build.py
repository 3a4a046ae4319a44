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


def parse():
    interviews = []
    errors = []
    files = sorted(f for f in os.listdir(os.path.join(HERE, "parts"))
                   if re.fullmatch(r"part_\d+\.txt", f))
    files.sort(key=lambda f: int(re.findall(r"\d+", f)[0]))
    for fname in files:
        with open(os.path.join(HERE, "parts", fname), encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                if not line.strip():
                    continue
                where = f"{fname}:{n}"
                if line.startswith("@"):
                    fields = [x.strip() for x in line[1:].split("|")]
                    if len(fields) != 7:
                        errors.append(f"{where}: header needs 7 fields")
                        continue
                    num, age, minor, country, etype, look, style = fields
                    interviews.append({
                        "interview": int(num), "age": int(age),
                        "minor": minor == "minor yes", "country": country,
                        "type": etype, "lookalike": look == "lookalike yes",
                        "style": style, "lines": []})
                    continue
                if not interviews:
                    errors.append(f"{where}: line before any header")
                    continue
                parts = line.split("|", 4)
                if len(parts) != 5:
                    errors.append(f"{where}: expected 5 fields")
                    continue
                qt, tone, rec, kind, text = (p.strip() for p in parts)
                if qt not in QT or tone not in TONE or rec not in REC:
                    errors.append(f"{where}: bad code {qt}/{tone}/{rec}")
                    continue
                iv = interviews[-1]
                iv["lines"].append({
                    "text": text, "question_type": QT[qt], "tone": TONE[tone],
                    "recommended": REC[rec], "kind": kind,
                    "minor_context": iv["minor"]})
    return interviews, errors


def main():
    interviews, errors = parse()
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as fh:
        for iv in interviews:
            for u in iv["lines"]:
                fh.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as fh:
        json.dump(interviews, fh, ensure_ascii=False, indent=1)
    print(f"built {len(interviews)} interviews, "
          f"{sum(len(i['lines']) for i in interviews)} utterances")


if __name__ == "__main__":
    main()
