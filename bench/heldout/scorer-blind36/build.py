#!/usr/bin/env python3
"""Join parts/part*.txt into utterances.jsonl and interviews.json.

Part file format:
  ## <id> | key=value | key=value ...      interview header
  QT TONE REC kind | text                  one officer turn
  # ...                                    comment
"""
import glob, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
QT = {"inv": "invitation", "dir": "directive", "opt": "option_posing",
      "sug": "suggestive", "stm": "statement"}
TONE = {"sup": "supportive", "neu": "neutral", "har": "harmful"}
REC = {"1": True, "0": False}

def main():
    rows, interviews, cur = [], [], None
    files = sorted(glob.glob(os.path.join(HERE, "parts", "part*.txt")),
                   key=lambda p: int(re.search(r"part(\d+)", p).group(1)))
    for path in files:
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            line = line.rstrip("\n")
            where = f"{os.path.basename(path)}:{n}"
            if not line.strip() or (line.startswith("#") and not line.startswith("##")):
                continue
            if line.startswith("##"):
                fields = [f.strip() for f in line[2:].split("|")]
                meta = {"interview": int(fields[0])}
                for f in fields[1:]:
                    k, v = f.split("=", 1)
                    meta[k.strip()] = {"true": True, "false": False}.get(v.strip(), v.strip())
                meta["age"] = int(meta["age"])
                meta["first_line"] = len(rows) + 1
                cur = meta
                interviews.append(cur)
                continue
            head, sep, text = line.partition(" | ")
            if not sep:
                sys.exit(f"{where}: missing ' | '")
            parts = head.split()
            if len(parts) != 4 or parts[0] not in QT or parts[1] not in TONE or parts[2] not in REC:
                sys.exit(f"{where}: bad label head {head!r}")
            if cur is None:
                sys.exit(f"{where}: line before first interview header")
            rows.append({
                "text": text.strip(),
                "question_type": QT[parts[0]],
                "tone": TONE[parts[1]],
                "recommended": REC[parts[2]],
                "kind": parts[3],
                "minor_context": bool(cur["minor"]),
            })
            cur["last_line"] = len(rows)
    for iv in interviews:
        iv["n_lines"] = iv["last_line"] - iv["first_line"] + 1
    with open(os.path.join(HERE, "utterances.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "interviews.json"), "w", encoding="utf-8") as f:
        json.dump(interviews, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(rows)} lines in {len(interviews)} interviews from {len(files)} part files")

if __name__ == "__main__":
    main()
