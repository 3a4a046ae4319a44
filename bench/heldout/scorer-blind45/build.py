#!/usr/bin/env python3
"""Join parts/part_*.txt into utterances.jsonl and interviews.json (standard library only)."""
import glob, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing", "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def parse_header(line, where):
    f = [x.strip() for x in line[1:].split("|")]
    if len(f) != 7:
        sys.exit(f"{where}: header needs 7 fields, got {len(f)}")
    num, age, minor, country, typ, look, style = f
    if not minor.startswith("minor ") or not look.startswith("lookalike "):
        sys.exit(f"{where}: bad minor/lookalike field")
    mv, lv = minor.split()[1], look.split()[1]
    if mv not in ("yes", "no") or lv not in ("yes", "no"):
        sys.exit(f"{where}: minor/lookalike must be yes/no")
    return {"interview": int(num), "age": int(age), "minor": mv == "yes", "country": country,
            "type": typ, "lookalike": lv == "yes", "style": style, "lines": []}


def main():
    interviews, utts = [], []
    parts = sorted(glob.glob(os.path.join(HERE, "parts", "part_*.txt")),
                   key=lambda p: int(os.path.basename(p)[5:-4]))
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
                f = line.split("|", 4)
                if len(f) != 5:
                    sys.exit(f"{where}: needs 5 fields")
                qt, tone, rec, kind, text = (x.strip() for x in f)
                if qt not in QT or tone not in TONE or rec not in REC:
                    sys.exit(f"{where}: bad code {qt}/{tone}/{rec}")
                u = {"text": text, "question_type": QT[qt], "tone": TONE[tone],
                     "recommended": REC[rec], "kind": kind, "minor_context": cur["minor"]}
                utts.append(u)
                cur["lines"].append({k: u[k] for k in ("text", "question_type", "tone", "recommended", "kind")})
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as out:
        for u in utts:
            out.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as out:
        json.dump(interviews, out, ensure_ascii=False, indent=1)
    print(f"built {len(utts)} utterances from {len(interviews)} interviews in {len(parts)} parts")


if __name__ == "__main__":
    main()
