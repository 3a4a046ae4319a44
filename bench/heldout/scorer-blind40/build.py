#!/usr/bin/env python3
"""Join parts/part_*.txt into utterances.jsonl and interviews.json (standard library only)."""
import glob, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing", "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def parse_header(line, where):
    fields = [f.strip() for f in line[1:].split("|")]
    if len(fields) != 7:
        sys.exit(f"{where}: header needs 7 fields: {line!r}")
    num, age, minor, country, etype, look, style = fields
    if not minor.startswith("minor ") or not look.startswith("lookalike "):
        sys.exit(f"{where}: bad minor/lookalike field: {line!r}")
    return {
        "interview": int(num), "age": int(age),
        "minor": {"yes": True, "no": False}[minor.split()[1]],
        "country": country, "type": etype,
        "lookalike": {"yes": True, "no": False}[look.split()[1]],
        "style": style, "lines": [],
    }


def main():
    parts = sorted(glob.glob(os.path.join(HERE, "parts", "part_*.txt")),
                   key=lambda p: int(os.path.basename(p)[5:-4]))
    if not parts:
        sys.exit("no parts found")
    interviews, utterances = [], []
    for path in parts:
        cur = None
        with open(path, encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                where = f"{os.path.basename(path)}:{n}"
                if not line.strip():
                    continue
                if line.startswith("@"):
                    cur = parse_header(line, where)
                    interviews.append(cur)
                    continue
                if cur is None:
                    sys.exit(f"{where}: line before any header")
                bits = line.split("|", 4)
                if len(bits) != 5:
                    sys.exit(f"{where}: need 5 fields: {line!r}")
                qt, tone, rec, kind, text = (b.strip() for b in bits)
                try:
                    u = {"text": text, "question_type": QT[qt], "tone": TONE[tone],
                         "recommended": REC[rec], "kind": kind, "minor_context": cur["minor"]}
                except KeyError as e:
                    sys.exit(f"{where}: unknown code {e}")
                utterances.append(u)
                cur["lines"].append(u)
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as fh:
        for u in utterances:
            fh.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as fh:
        json.dump(interviews, fh, ensure_ascii=False, indent=1)
    print(f"built {len(utterances)} utterances in {len(interviews)} interviews from {len(parts)} parts")


if __name__ == "__main__":
    main()
