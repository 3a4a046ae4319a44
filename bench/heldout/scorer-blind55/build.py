#!/usr/bin/env python3
"""Join parts/part_*.txt into utterances.jsonl and interviews.json (standard library only)."""
import json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing",
      "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def parse():
    interviews = []
    for i in range(1, 6):
        path = os.path.join(HERE, "parts", f"part_{i}.txt")
        with open(path, encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                if not line.strip():
                    continue
                where = f"{path}:{n}"
                if line.startswith("@"):
                    f = [x.strip() for x in line[1:].split("|")]
                    if len(f) != 7:
                        sys.exit(f"{where}: header needs 7 fields")
                    num, age, minor, country, typ, look, style = f
                    if minor not in ("yes", "no") or look not in ("yes", "no"):
                        sys.exit(f"{where}: minor/lookalike must be yes or no")
                    interviews.append({"interview": int(num), "age": int(age),
                                       "minor": minor == "yes", "country": country,
                                       "type": typ, "lookalike": look == "yes",
                                       "style": style, "lines": []})
                    continue
                if not interviews:
                    sys.exit(f"{where}: line before any header")
                f = line.split("|", 4)
                if len(f) != 5:
                    sys.exit(f"{where}: need 5 fields")
                q, t, r, kind, text = (x.strip() for x in f)
                if q not in QT or t not in TONE or r not in REC:
                    sys.exit(f"{where}: bad code {q!r} {t!r} {r!r}")
                iv = interviews[-1]
                iv["lines"].append({"text": text, "question_type": QT[q],
                                    "tone": TONE[t], "recommended": REC[r],
                                    "kind": kind, "minor_context": iv["minor"]})
    return interviews


def main():
    interviews = parse()
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as fh:
        for iv in interviews:
            for u in iv["lines"]:
                fh.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as fh:
        json.dump(interviews, fh, ensure_ascii=False, indent=1)
    n = sum(len(iv["lines"]) for iv in interviews)
    print(f"built {len(interviews)} interviews, {n} utterances")


if __name__ == "__main__":
    main()
