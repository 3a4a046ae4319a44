#!/usr/bin/env python3
"""Validate the blind evaluation set and print figures per label. Exit 1 on any failure."""
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTYPES = ["invitation", "directive", "option_posing", "suggestive", "statement"]
TONES = ["supportive", "neutral", "harmful"]

REQUIRED_KINDS = [
    "open_invitation", "cued_invitation", "clarify_detail", "yes_no_question",
    "either_or_question", "tag_question", "others_said_claim", "explain_role",
    "explain_process", "offer_break", "offer_interpreter", "offer_support",
    "offer_choice", "summary_check", "thanks", "false_promise",
    "over_identification", "bare_admin", "contempt", "sarcasm", "polite_pressure",
    "bureaucratic_pressure", "rushing_as_thanks", "implicit_blame",
    "disbelief_as_curiosity", "bargaining", "conditional_help", "family_pressure",
    "moralising", "over_familiar_offer", "talking_about_absent",
    "graphic_detail_request", "sexual_detail_request", "accent_mockery",
    "cultural_mockery", "implied_consequence",
]
REQUIRED_PREFIXES = ["chit_chat_", "meta_"]

# kinds that may never be recommended
NEVER_RECOMMENDED = {"bare_admin", "false_promise", "over_identification"}
NEVER_RECOMMENDED_PREFIXES = ("chit_chat_", "meta_")
# option-posing lines may be recommended only for these process offers / checks
OPTION_OK = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
             "offer_questions", "summary_check"}
# kinds that describe harm and must carry the harmful tone
HARM_KINDS = {
    "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure",
    "rushing_as_thanks", "rushing", "implicit_blame", "disbelief_as_curiosity",
    "bargaining", "conditional_help", "family_pressure", "moralising",
    "over_familiar_offer", "talking_about_absent", "graphic_detail_request",
    "sexual_detail_request", "accent_mockery", "cultural_mockery",
    "implied_consequence", "others_said_claim", "presumed_dishonesty", "minimising",
}
RESTRICTED = re.compile(
    r"\b(prison\w*|jail\w*|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|"
    r"prostitut\w*|whore\w*|stupid\w*|idiot\w*|slut\w*|illegal\w*)\b", re.I)
MAX_RESTRICTED_HARMFUL = 6

failures = []


def fail(msg):
    failures.append(msg)


def share(n, d):
    return f"{n:4d} ({100.0 * n / d:5.1f}%)" if d else f"{n:4d}"


def main():
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        utts = [json.loads(line) for line in fh if line.strip()]
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        interviews = json.load(fh)

    # --- per-utterance checks
    for i, u in enumerate(utts, 1):
        where = f"utterance {i}"
        if set(u) != KEYS:
            fail(f"{where}: keys {sorted(u)}")
            continue
        if u["question_type"] not in QTYPES:
            fail(f"{where}: question_type {u['question_type']!r}")
        if u["tone"] not in TONES:
            fail(f"{where}: tone {u['tone']!r}")
        if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
            fail(f"{where}: recommended/minor_context must be booleans")
        if not isinstance(u["text"], str) or not u["text"].strip():
            fail(f"{where}: empty text")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"] or ""):
            fail(f"{where}: kind not snake_case: {u['kind']!r}")
        k = u["kind"]
        if u["tone"] == "harmful" and u["recommended"]:
            fail(f"{where}: harmful and recommended")
        if (k in NEVER_RECOMMENDED or k.startswith(NEVER_RECOMMENDED_PREFIXES)) and u["recommended"]:
            fail(f"{where}: kind {k} must not be recommended")
        if k.startswith(NEVER_RECOMMENDED_PREFIXES) and u["question_type"] != "statement":
            fail(f"{where}: {k} must be a statement")
        if u["question_type"] == "suggestive" and u["recommended"]:
            fail(f"{where}: suggestive line recommended")
        if u["question_type"] == "option_posing" and u["recommended"] and k not in OPTION_OK:
            fail(f"{where}: option-posing recommended with kind {k}")
        if k in HARM_KINDS and u["tone"] != "harmful":
            fail(f"{where}: harm kind {k} without harmful tone")

    # --- duplicates
    seen = collections.Counter(u["text"].strip().lower() for u in utts)
    for text, n in seen.items():
        if n > 1:
            fail(f"duplicate text x{n}: {text[:60]}")

    # --- interview-level checks
    if len(interviews) != 25:
        fail(f"{len(interviews)} interviews, expected 25")
    flat = [u for iv in interviews for u in iv["lines"]]
    if len(flat) != len(utts):
        fail("interviews.json and utterances.jsonl disagree on line count")
    for iv in interviews:
        n = len(iv["lines"])
        if not 21 <= n <= 22:
            fail(f"interview {iv['interview']}: {n} lines (want 21-22)")
        if iv["minor"] != (iv["age"] < 18):
            fail(f"interview {iv['interview']}: minor flag vs age {iv['age']}")
        if iv["minor"] and not 13 <= iv["age"] <= 17:
            fail(f"interview {iv['interview']}: minor age {iv['age']} outside 13-17")
        for u in iv["lines"]:
            if u["minor_context"] != iv["minor"]:
                fail(f"interview {iv['interview']}: minor_context mismatch")
        if iv["style"].startswith("excellent"):
            bad = [u for u in iv["lines"] if u["tone"] == "harmful" or not u["recommended"]]
            if bad:
                fail(f"interview {iv['interview']}: excellent style has {len(bad)} non-recommended lines")
    minors = sum(iv["minor"] for iv in interviews)
    lookalikes = sum(iv["lookalike"] for iv in interviews)
    countries = {iv["country"] for iv in interviews}
    styles = collections.Counter(iv["style"].split(":")[0].split()[0] for iv in interviews)
    if minors != 12:
        fail(f"{minors} minor interviews, expected 12")
    if lookalikes != 3:
        fail(f"{lookalikes} look-alikes, expected 3")
    if len(countries) < 12:
        fail(f"only {len(countries)} countries")
    if not 530 <= len(utts) <= 550:
        fail(f"{len(utts)} utterances, expected 530-550")
    if styles.get("excellent", 0) != 5 or styles.get("poor", 0) != 7 or styles.get("mixed", 0) != 13:
        fail(f"style counts {dict(styles)} (want excellent 5, poor 7, mixed 13)")

    # --- label figures
    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fail(f"only {len(harmful)} harmful lines")
    harm_by_q = collections.Counter(u["question_type"] for u in harmful)
    for q in QTYPES:
        if harm_by_q[q] == 0:
            fail(f"no harmful line of type {q}")
    restricted = [u for u in harmful if RESTRICTED.search(u["text"])]
    if len(restricted) > MAX_RESTRICTED_HARMFUL:
        fail(f"{len(restricted)} harmful lines use restricted words (max {MAX_RESTRICTED_HARMFUL})")
    kinds = collections.Counter(u["kind"] for u in utts)
    for k in REQUIRED_KINDS:
        if kinds[k] == 0:
            fail(f"required kind missing: {k}")
    for p in REQUIRED_PREFIXES:
        if not any(k.startswith(p) for k in kinds):
            fail(f"no kind with prefix {p}")
    chit = sum(n for k, n in kinds.items() if k.startswith("chit_chat_"))
    meta = sum(n for k, n in kinds.items() if k.startswith("meta_"))
    if not 10 <= chit <= 18:
        fail(f"{chit} chit-chat lines (want about 14)")
    if not 8 <= meta <= 14:
        fail(f"{meta} meta lines (want about 11)")

    # --- print figures
    N = len(utts)
    print(f"interviews {len(interviews)}  utterances {N}  minors {minors}  adults {len(interviews) - minors}  "
          f"look-alikes {lookalikes}  countries {len(countries)}")
    print(f"styles: {dict(styles)}")
    print("question_type:")
    for q in QTYPES:
        print(f"  {q:14s} {share(sum(u['question_type'] == q for u in utts), N)}")
    print("tone:")
    for t in TONES:
        print(f"  {t:14s} {share(sum(u['tone'] == t for u in utts), N)}")
    rec = sum(u["recommended"] for u in utts)
    print("recommended:")
    print(f"  {'true':14s} {share(rec, N)}")
    print(f"  {'false':14s} {share(N - rec, N)}")
    print("minor_context:")
    mc = sum(u["minor_context"] for u in utts)
    print(f"  {'true':14s} {share(mc, N)}")
    print(f"  {'false':14s} {share(N - mc, N)}")
    print("harmful lines by question_type:")
    for q in QTYPES:
        print(f"  {q:14s} {share(harm_by_q[q], len(harmful))}")
    print("recommended lines by question_type:")
    for q in QTYPES:
        print(f"  {q:14s} {sum(u['recommended'] and u['question_type'] == q for u in utts):4d}")
    print(f"harmful lines with restricted words: {len(restricted)} (max {MAX_RESTRICTED_HARMFUL})")
    print(f"chit-chat lines: {chit}   meta (simulator) lines: {meta}")
    print(f"distinct kinds: {len(kinds)}")
    for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {k:28s} {n}")

    if failures:
        print(f"\nFAILED ({len(failures)}):")
        for f in failures:
            print("  - " + f)
        sys.exit(1)
    print("\nALL CHECKS PASSED")


if __name__ == "__main__":
    main()
