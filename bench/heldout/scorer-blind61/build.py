#!/usr/bin/env python3
"""Join parts/part_*.txt into utterances.jsonl and interviews.json (standard library only)."""
import glob, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing", "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def parse():
    interviews, errors = [], []
    files = sorted(glob.glob(os.path.join(HERE, "parts", "part_*.txt")),
                   key=lambda p: int(re.search(r"part_(\d+)", p).group(1)))
    for path in files:
        cur = None
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
                cur = {"interview": int(f[0]), "age": int(f[1]),
                       "minor": f[2].split()[-1] == "yes", "country": f[3], "type": f[4],
                       "lookalike": f[5].split()[-1] == "yes", "style": f[6], "lines": []}
                interviews.append(cur)
                continue
            f = line.split("|", 4)
            if cur is None or len(f) != 5:
                errors.append(f"{where}: bad line")
                continue
            qt, tone, rec, kind, text = (x.strip() for x in f)
            if qt not in QT or tone not in TONE or rec not in REC:
                errors.append(f"{where}: bad code {qt}/{tone}/{rec}")
                continue
            cur["lines"].append({"text": text, "question_type": QT[qt], "tone": TONE[tone],
                                 "recommended": REC[rec], "kind": kind,
                                 "minor_context": cur["minor"]})
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
