#!/usr/bin/env python3
"""Join parts/part_*.txt into utterances.jsonl (one officer turn per line)
and interviews.json (per-interview metadata, in the same order)."""
import glob, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing",
      "sug": "suggestive", "sta": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"T": True, "F": False}


def parse_header(line):
    parts = [p.strip() for p in line[1:].split("|")]
    meta = {"interview": parts[0]}
    for p in parts[1:]:
        k, v = p.split("=", 1)
        meta[k.strip()] = v.strip()
    meta["minor"] = meta["minor"] == "1"
    meta["lookalike"] = meta["lookalike"] == "1"
    return meta


def main():
    rows, interviews, cur = [], [], None
    files = sorted(glob.glob(os.path.join(HERE, "parts", "part_*.txt")))
    for path in files:
        with open(path, encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                line = raw.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                if line.startswith("@"):
                    cur = parse_header(line)
                    cur["lines"] = 0
                    interviews.append(cur)
                    continue
                f = line.split("|", 4)
                if len(f) != 5 or cur is None:
                    sys.exit(f"{path}:{n}: bad line: {line!r}")
                qt, tone, rec, kind, text = f
                try:
                    rows.append({
                        "text": text.strip(),
                        "question_type": QT[qt],
                        "tone": TONE[tone],
                        "recommended": REC[rec],
                        "kind": kind.strip(),
                        "minor_context": cur["minor"],
                    })
                except KeyError as e:
                    sys.exit(f"{path}:{n}: unknown code {e}: {line!r}")
                cur["lines"] += 1
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as out:
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as out:
        json.dump(interviews, out, ensure_ascii=False, indent=1)
    print(f"wrote {len(rows)} lines from {len(interviews)} interviews ({len(files)} part files)")


if __name__ == "__main__":
    main()
