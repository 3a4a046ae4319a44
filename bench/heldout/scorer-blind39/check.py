#!/usr/bin/env python3
"""Validate utterances.jsonl and interviews.json against LABELS.md and the brief; exit 1 on failure."""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTS = ["invitation", "directive", "option_posing", "suggestive", "statement"]
TONES = ["supportive", "neutral", "harmful"]
KEYWORDS = re.compile(
    r"\b(prison\w*|jail\w*|liar\w*|lie[sd]?|lying|arrest\w*|deport\w*|prostitut\w*|"
    r"whore\w*|stupid\w*|idiot\w*|slut\w*|illegal\w*)\b", re.I)
KIND_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

errors = []


def fail(msg):
    errors.append(msg)


def main():
    utts = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                utts.append(json.loads(line))
            except json.JSONDecodeError as e:
                fail(f"utterances.jsonl:{n}: bad JSON ({e})")
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as f:
        ivs = json.load(f)

    # per-utterance checks
    for i, u in enumerate(utts, 1):
        if set(u) != KEYS:
            fail(f"utt {i}: keys {sorted(u)}")
            continue
        if u["question_type"] not in QTS:
            fail(f"utt {i}: question_type {u['question_type']!r}")
        if u["tone"] not in TONES:
            fail(f"utt {i}: tone {u['tone']!r}")
        if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
            fail(f"utt {i}: recommended/minor_context must be booleans")
        if not isinstance(u["text"], str) or not u["text"].strip():
            fail(f"utt {i}: empty text")
        if not KIND_RE.match(str(u["kind"])):
            fail(f"utt {i}: kind not snake_case: {u['kind']!r}")
        if u["tone"] == "harmful" and u["recommended"]:
            fail(f"utt {i}: both harmful and recommended")
        if u["question_type"] == "suggestive" and u["recommended"]:
            fail(f"utt {i}: suggestive line marked recommended")
        k = u["kind"]
        if (k == "chit_chat" or k.startswith("simulator_")) and (
                u["question_type"] != "statement" or u["recommended"]):
            fail(f"utt {i}: chit-chat/simulator line must be statement and not recommended")
        if k in ("false_promise", "over_identification", "bare_admin") and u["recommended"]:
            fail(f"utt {i}: {k} must not be recommended")

    # interview-level checks
    req = {"interview", "age", "minor", "country", "type", "lookalike", "style", "lines"}
    if len(ivs) != 25:
        fail(f"{len(ivs)} interviews, expected 25")
    flat = []
    for iv in ivs:
        if set(iv) != req:
            fail(f"interview {iv.get('interview')}: keys {sorted(iv)}")
            continue
        n = len(iv["lines"])
        if not 21 <= n <= 22:
            fail(f"interview {iv['interview']}: {n} lines, expected 21-22")
        if iv["minor"] != (iv["age"] < 18):
            fail(f"interview {iv['interview']}: minor flag does not match age {iv['age']}")
        for u in iv["lines"]:
            if u.get("minor_context") != iv["minor"]:
                fail(f"interview {iv['interview']}: minor_context mismatch")
        flat.extend(iv["lines"])
    if flat != utts:
        fail("interviews.json lines differ from utterances.jsonl")
    if sorted(iv["interview"] for iv in ivs) != list(range(1, 26)):
        fail("interview numbers are not 1..25")

    total = len(utts)
    minors = sum(iv["minor"] for iv in ivs)
    looks = sum(iv["lookalike"] for iv in ivs)
    harmful = [u for u in utts if u["tone"] == "harmful"]
    kw = [u for u in harmful if KEYWORDS.search(u["text"])]
    chit = sum(u["kind"] == "chit_chat" for u in utts)
    sim = sum(u["kind"].startswith("simulator_") for u in utts)
    if not 530 <= total <= 550:
        fail(f"{total} utterances, expected 530-550")
    if minors != 12:
        fail(f"{minors} interviews with minors, expected 12")
    if looks != 3:
        fail(f"{looks} look-alike interviews, expected 3")
    if len(harmful) < 130:
        fail(f"{len(harmful)} harmful lines, expected at least 130")
    if len(kw) > 6:
        fail(f"{len(kw)} harmful lines contain listed keywords, at most 6 allowed")
    if not 10 <= chit <= 20:
        fail(f"{chit} chit-chat lines, expected 10-20")
    if not 8 <= sim <= 15:
        fail(f"{sim} simulator-directed lines, expected 8-15")
    for q in QTS:
        if not any(u["question_type"] == q for u in utts):
            fail(f"no {q} lines")

    # figures
    def table(name, values, key):
        c = Counter(key(u) for u in utts)
        print(f"\n{name}")
        for v in values:
            print(f"  {str(v):<14} {c[v]:>4}  {100 * c[v] / total:5.1f}%")

    print(f"interviews: {len(ivs)}  utterances: {total}  minors: {minors}  look-alikes: {looks}")
    table("question_type", QTS, lambda u: u["question_type"])
    table("tone", TONES, lambda u: u["tone"])
    table("recommended", [True, False], lambda u: u["recommended"])
    table("minor_context", [True, False], lambda u: u["minor_context"])
    print(f"\nharmful lines: {len(harmful)}  with listed keywords: {len(kw)}")
    print(f"chit-chat lines: {chit}  simulator-directed lines: {sim}")
    print(f"distinct kinds: {len(set(u['kind'] for u in utts))}")
    if errors:
        print("\nFAILED:")
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print("\nall checks passed")


if __name__ == "__main__":
    main()
