#!/usr/bin/env python3
"""Join parts/part_*.txt into utterances.jsonl and interviews.json (standard library only)."""
import json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing",
      "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def parse():
    interviews, errors = [], []
    parts = sorted(f for f in os.listdir(os.path.join(HERE, "parts")) if re.match(r"part_\d+\.txt$", f))
    for fname in parts:
        with open(os.path.join(HERE, "parts", fname), encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                if not line.strip():
                    continue
                where = f"{fname}:{n}"
                if line.startswith("@"):
                    f = [x.strip() for x in line[1:].split("|")]
                    if len(f) != 7:
                        errors.append(f"{where}: header needs 7 fields")
                        continue
                    num, age, minor, country, typ, look, style = f
                    interviews.append({"interview": int(num), "age": int(age),
                                       "minor": minor == "yes", "country": country,
                                       "type": typ, "lookalike": look == "yes",
                                       "style": style, "lines": []})
                    if minor not in ("yes", "no") or look not in ("yes", "no"):
                        errors.append(f"{where}: minor/lookalike must be yes/no")
                    continue
                if not interviews:
                    errors.append(f"{where}: line before any header")
                    continue
                f = line.split("|", 4)
                if len(f) != 5:
                    errors.append(f"{where}: needs 5 fields")
                    continue
                qt, tone, rec, kind, text = (x.strip() for x in f)
                if qt not in QT or tone not in TONE or rec not in REC:
                    errors.append(f"{where}: bad code {qt}/{tone}/{rec}")
                    continue
                iv = interviews[-1]
                iv["lines"].append({"text": text, "question_type": QT[qt],
                                    "tone": TONE[tone], "recommended": REC[rec],
                                    "kind": kind, "minor_context": iv["minor"]})
    return interviews, errors


def main():
    interviews, errors = parse()
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as out:
        for iv in interviews:
            for u in iv["lines"]:
                out.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as out:
        json.dump(interviews, out, ensure_ascii=False, indent=1)
    print(f"built {len(interviews)} interviews, {sum(len(i['lines']) for i in interviews)} utterances")


if __name__ == "__main__":
    main()
