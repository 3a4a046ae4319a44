#!/usr/bin/env python3
"""Join parts/part_*.txt into utterances.jsonl and interviews.json (standard library only)."""
import json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing", "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def parse(paths):
    interviews, errors = [], []
    cur = None
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                if not line.strip():
                    continue
                where = f"{os.path.basename(path)}:{n}"
                if line.startswith("@"):
                    f = [x.strip() for x in line[1:].split("|")]
                    if len(f) != 7:
                        errors.append(f"{where}: header needs 7 fields")
                        cur = None
                        continue
                    m_minor = re.fullmatch(r"minor (yes|no)", f[2])
                    m_look = re.fullmatch(r"lookalike (yes|no)", f[5])
                    if not (f[0].isdigit() and f[1].isdigit() and m_minor and m_look):
                        errors.append(f"{where}: bad header")
                    cur = {"interview": int(f[0]), "age": int(f[1]) if f[1].isdigit() else None,
                           "minor": bool(m_minor and m_minor.group(1) == "yes"), "country": f[3],
                           "type": f[4], "lookalike": bool(m_look and m_look.group(1) == "yes"),
                           "style": f[6], "lines": []}
                    interviews.append(cur)
                    continue
                f = line.split("|", 4)
                if cur is None or len(f) != 5:
                    errors.append(f"{where}: bad line or no header")
                    continue
                qt, tone, rec, kind, text = (x.strip() for x in f)
                if qt not in QT or tone not in TONE or rec not in REC or not kind or not text:
                    errors.append(f"{where}: bad code {qt}/{tone}/{rec}/{kind!r}")
                    continue
                cur["lines"].append({"text": text, "question_type": QT[qt], "tone": TONE[tone],
                                     "recommended": REC[rec], "kind": kind,
                                     "minor_context": cur["minor"]})
    return interviews, errors


def main():
    pdir = os.path.join(HERE, "parts")
    paths = sorted((os.path.join(pdir, p) for p in os.listdir(pdir) if re.fullmatch(r"part_\d+\.txt", p)),
                   key=lambda p: int(re.search(r"(\d+)", os.path.basename(p)).group(1)))
    interviews, errors = parse(paths)
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
