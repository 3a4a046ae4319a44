#!/usr/bin/env python3
"""Join parts/part_*.txt into utterances.jsonl and interviews.json (standard library only)."""
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing",
      "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def parse_header(line, where):
    fields = [f.strip() for f in line[1:].split("|")]
    if len(fields) != 7:
        sys.exit(f"{where}: header needs 7 fields, got {len(fields)}")
    num, age, minor, country, etype, look, style = fields
    m = re.fullmatch(r"minor (yes|no)", minor)
    lk = re.fullmatch(r"lookalike (yes|no)", look)
    if not (num.isdigit() and age.isdigit() and m and lk):
        sys.exit(f"{where}: malformed header: {line}")
    return {"interview": int(num), "age": int(age), "minor": m.group(1) == "yes",
            "country": country, "type": etype, "lookalike": lk.group(1) == "yes",
            "style": style, "lines": []}


def main():
    interviews, utterances = [], []
    parts = sorted((HERE / "parts").glob("part_*.txt"),
                   key=lambda p: int(re.search(r"(\d+)", p.stem).group(1)))
    if not parts:
        sys.exit("no parts found")
    for part in parts:
        current = None
        for n, raw in enumerate(part.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.strip()
            where = f"{part.name}:{n}"
            if not line:
                continue
            if line.startswith("@"):
                current = parse_header(line, where)
                interviews.append(current)
                continue
            if current is None:
                sys.exit(f"{where}: utterance before any header")
            bits = line.split("|", 4)
            if len(bits) != 5:
                sys.exit(f"{where}: expected 5 fields")
            qt, tone, rec, kind, text = (b.strip() for b in bits)
            if qt not in QT or tone not in TONE or rec not in REC:
                sys.exit(f"{where}: bad code in {line[:40]}")
            u = {"text": text, "question_type": QT[qt], "tone": TONE[tone],
                 "recommended": REC[rec], "kind": kind,
                 "minor_context": current["minor"]}
            utterances.append(u)
            current["lines"].append(u)
    with open(HERE / "utterances.jsonl", "w", encoding="utf-8") as f:
        for u in utterances:
            f.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(HERE / "interviews.json", "w", encoding="utf-8") as f:
        json.dump(interviews, f, ensure_ascii=False, indent=1)
    print(f"built {len(utterances)} utterances in {len(interviews)} interviews")


if __name__ == "__main__":
    main()
