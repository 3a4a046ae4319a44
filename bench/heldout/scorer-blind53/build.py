#!/usr/bin/env python3
"""Join parts/part_*.txt into utterances.jsonl and interviews.json (standard library only)."""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing",
      "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}
YN = {"yes": True, "no": False}


def parse():
    interviews = []
    errors = []
    parts = sorted((HERE / "parts").glob("part_*.txt"),
                   key=lambda p: int(p.stem.split("_")[1]))
    for part in parts:
        for n, raw in enumerate(part.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.strip()
            if not line:
                continue
            where = f"{part.name}:{n}"
            if line.startswith("@"):
                f = [x.strip() for x in line[1:].split("|")]
                if len(f) != 7 or f[2] not in YN or f[5] not in YN:
                    errors.append(f"{where}: bad header: {line}")
                    continue
                interviews.append({
                    "interview": int(f[0]), "age": int(f[1]), "minor": YN[f[2]],
                    "country": f[3], "type": f[4], "lookalike": YN[f[5]],
                    "style": f[6], "lines": []})
                continue
            f = line.split("|", 4)
            if len(f) != 5 or f[0] not in QT or f[1] not in TONE or f[2] not in REC:
                errors.append(f"{where}: bad line: {line}")
                continue
            if not interviews:
                errors.append(f"{where}: line before any header")
                continue
            iv = interviews[-1]
            iv["lines"].append({
                "text": f[4].strip(), "question_type": QT[f[0]], "tone": TONE[f[1]],
                "recommended": REC[f[2]], "kind": f[3].strip(),
                "minor_context": iv["minor"]})
    return interviews, errors


def main():
    interviews, errors = parse()
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    with open(HERE / "utterances.jsonl", "w", encoding="utf-8") as out:
        for iv in interviews:
            for u in iv["lines"]:
                out.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(HERE / "interviews.json", "w", encoding="utf-8") as out:
        json.dump(interviews, out, ensure_ascii=False, indent=1)
    n = sum(len(iv["lines"]) for iv in interviews)
    print(f"built {len(interviews)} interviews, {n} utterances")


if __name__ == "__main__":
    main()
