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


def parse_header(line, where):
    fields = [f.strip() for f in line[1:].split("|")]
    if len(fields) != 7:
        sys.exit(f"{where}: header needs 7 fields, got {len(fields)}")
    nn, age, minor, country, etype, look, style = fields
    m = re.fullmatch(r"minor (yes|no)", minor)
    lk = re.fullmatch(r"lookalike (yes|no)", look)
    if not (nn.isdigit() and age.isdigit() and m and lk):
        sys.exit(f"{where}: malformed header: {line}")
    return {"interview": int(nn), "age": int(age), "minor": m.group(1) == "yes",
            "country": country, "type": etype, "lookalike": lk.group(1) == "yes",
            "style": style, "lines": []}


def main():
    parts_dir = os.path.join(HERE, "parts")
    files = sorted(f for f in os.listdir(parts_dir) if re.fullmatch(r"part_\d+\.txt", f))
    files.sort(key=lambda f: int(re.findall(r"\d+", f)[0]))
    interviews, current = [], None
    for fname in files:
        with open(os.path.join(parts_dir, fname), encoding="utf-8") as fh:
            for no, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                where = f"{fname}:{no}"
                if not line.strip():
                    continue
                if line.startswith("@"):
                    current = parse_header(line, where)
                    interviews.append(current)
                    continue
                if current is None:
                    sys.exit(f"{where}: line before any header")
                bits = line.split("|", 4)
                if len(bits) != 5:
                    sys.exit(f"{where}: needs 5 fields: {line}")
                qt, tone, rec, kind, text = (b.strip() for b in bits)
                if qt not in QT or tone not in TONE or rec not in REC:
                    sys.exit(f"{where}: bad code in: {line}")
                current["lines"].append({
                    "text": text, "question_type": QT[qt], "tone": TONE[tone],
                    "recommended": REC[rec], "kind": kind,
                    "minor_context": current["minor"]})
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as out:
        for iv in interviews:
            for u in iv["lines"]:
                out.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as out:
        json.dump(interviews, out, ensure_ascii=False, indent=1)
    n = sum(len(iv["lines"]) for iv in interviews)
    print(f"built {len(interviews)} interviews, {n} utterances")


if __name__ == "__main__":
    main()
