#!/usr/bin/env python3
"""Join parts/part_*.txt into utterances.jsonl and interviews.json (standard library only)."""
import glob, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing", "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def yes(field, word):
    f = field.strip().lower()
    if f.startswith(word):
        f = f[len(word):].strip()
    if f.startswith("yes"):
        return True
    if f.startswith("no"):
        return False
    raise ValueError(f"cannot read yes/no from {field!r}")


def main():
    files = sorted(glob.glob(os.path.join(HERE, "parts", "part_*.txt")),
                   key=lambda p: int(re.search(r"part_(\d+)", p).group(1)))
    interviews, utts, errors = [], [], []
    cur = None
    for path in files:
        for n, raw in enumerate(open(path, encoding="utf-8"), 1):
            line = raw.rstrip("\n")
            if not line.strip():
                continue
            where = f"{os.path.basename(path)}:{n}"
            if line.startswith("@"):
                f = [x.strip() for x in line[1:].split("|")]
                if len(f) != 7:
                    errors.append(f"{where}: header needs 7 fields")
                    continue
                cur = {"interview": int(f[0]), "age": int(f[1]), "minor": yes(f[2], "minor"),
                       "country": f[3], "type": f[4], "lookalike": yes(f[5], "lookalike"),
                       "style": f[6], "lines": []}
                interviews.append(cur)
                continue
            parts = line.split("|", 4)
            if len(parts) != 5 or cur is None:
                errors.append(f"{where}: bad line")
                continue
            q, t, r, kind, text = (p.strip() for p in parts)
            if q not in QT or t not in TONE or r not in REC:
                errors.append(f"{where}: bad code {q}/{t}/{r}")
                continue
            u = {"text": text, "question_type": QT[q], "tone": TONE[t], "recommended": REC[r],
                 "kind": kind, "minor_context": cur["minor"]}
            cur["lines"].append(u)
            utts.append(u)
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as fh:
        for u in utts:
            fh.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as fh:
        json.dump(interviews, fh, ensure_ascii=False, indent=1)
    print(f"built {len(utts)} utterances in {len(interviews)} interviews")


if __name__ == "__main__":
    main()
