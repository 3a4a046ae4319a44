#!/usr/bin/env python3
"""Join parts/part_1.txt .. part_5.txt into utterances.jsonl and interviews.json (standard library only)."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing", "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def yes_no(field, prefix):
    field = field.strip()
    if not field.startswith(prefix + " "):
        raise ValueError(f"expected '{prefix} yes/no', got {field!r}")
    val = field[len(prefix) + 1:].strip()
    if val not in ("yes", "no"):
        raise ValueError(f"expected yes/no in {field!r}")
    return val == "yes"


def parse(path):
    interviews = []
    cur = None
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.rstrip("\n")
            if not line.strip():
                continue
            where = f"{os.path.basename(path)}:{n}"
            if line.startswith("@"):
                f = [x.strip() for x in line[1:].split("|")]
                if len(f) != 7:
                    raise ValueError(f"{where}: header needs 7 fields")
                cur = {
                    "interview": int(f[0]),
                    "age": int(f[1]),
                    "minor": yes_no(f[2], "minor"),
                    "country": f[3],
                    "type": f[4],
                    "lookalike": yes_no(f[5], "lookalike"),
                    "style": f[6],
                    "lines": [],
                }
                interviews.append(cur)
                continue
            if cur is None:
                raise ValueError(f"{where}: utterance before any header")
            f = line.split("|", 4)
            if len(f) != 5:
                raise ValueError(f"{where}: utterance needs 5 fields")
            qt, tone, rec, kind, text = (x.strip() for x in f)
            if qt not in QT or tone not in TONE or rec not in REC:
                raise ValueError(f"{where}: bad code in {line!r}")
            cur["lines"].append({
                "text": text,
                "question_type": QT[qt],
                "tone": TONE[tone],
                "recommended": REC[rec],
                "kind": kind,
                "minor_context": cur["minor"],
            })
    return interviews


def main():
    interviews = []
    for i in range(1, 6):
        interviews += parse(os.path.join(HERE, "parts", f"part_{i}.txt"))
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as out:
        for iv in interviews:
            for u in iv["lines"]:
                out.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as out:
        json.dump(interviews, out, ensure_ascii=False, indent=1)
    total = sum(len(iv["lines"]) for iv in interviews)
    print(f"built {len(interviews)} interviews, {total} utterances")


if __name__ == "__main__":
    try:
        main()
    except ValueError as e:
        print("build error:", e)
        sys.exit(1)
