#!/usr/bin/env python3
"""Validate utterances.jsonl / interviews.json against the brief and LABELS.md; exit 1 on failure."""
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTS = ["invitation", "directive", "option_posing", "suggestive", "statement"]
TONES = ["supportive", "neutral", "harmful"]
REQUIRED_KINDS = [
    "open_invitation", "cued_invitation", "clarify_detail", "yes_no_question", "either_or_question",
    "tag_question", "others_said_claim", "explain_role", "explain_process", "offer_break",
    "offer_interpreter", "offer_support", "offer_choice", "summary_check", "thanks", "false_promise",
    "over_identification", "bare_admin", "contempt", "sarcasm", "polite_pressure",
    "bureaucratic_pressure", "rushing_as_thanks", "implicit_blame", "disbelief_as_curiosity",
    "bargaining", "conditional_help", "family_pressure", "moralising", "over_familiar_offer",
    "talking_about_absent", "graphic_detail_request", "sexual_detail_request", "accent_mockery",
    "cultural_mockery", "implied_consequence", "chit_chat_*", "meta_*"]
# kinds that may never be recommended (prefix match for the * ones)
NEVER_REC = {"bare_admin", "false_promise", "over_identification", "yes_no_question",
             "either_or_question", "tag_question", "leading_question", "others_said_claim",
             "over_familiar_greeting", "jargon", "chit_chat_*", "meta_*"}
# option-posing lines may be recommended only for these process offers / checks
OPT_REC_OK = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
              "offer_questions", "summary_check"}
RESTRICTED = re.compile(
    r"\b(prison\w*|jail\w*|liar\w*|lie|lies|lied|lying|arrest\w*|deport\w*|prostitut\w*|"
    r"whore\w*|stupid\w*|idiot\w*|slut\w*|illegal\w*)\b", re.I)
MAX_RESTRICTED = 6

errors = []


def fail(msg):
    errors.append(msg)


def kind_in(kind, names):
    return any(kind.startswith(n[:-1]) if n.endswith("*") else kind == n for n in names)


def main():
    utts = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        for i, raw in enumerate(fh, 1):
            u = json.loads(raw)
            if set(u) != KEYS:
                fail(f"utterance {i}: keys {sorted(u)}")
            utts.append(u)
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        ivs = json.load(fh)

    # --- per-line values and rules
    for i, u in enumerate(utts, 1):
        t, k = u["text"], u["kind"]
        if u["question_type"] not in QTS: fail(f"{i}: bad question_type {u['question_type']}")
        if u["tone"] not in TONES: fail(f"{i}: bad tone {u['tone']}")
        for b in ("recommended", "minor_context"):
            if not isinstance(u[b], bool): fail(f"{i}: {b} not boolean")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", k): fail(f"{i}: kind not snake_case: {k}")
        if not t or "|" in t: fail(f"{i}: empty text or stray '|'")
        if u["tone"] == "harmful" and u["recommended"]: fail(f"{i}: harmful and recommended: {t}")
        if u["recommended"] and kind_in(k, NEVER_REC): fail(f"{i}: never-recommended kind {k} marked T")
        if u["question_type"] == "suggestive" and u["recommended"]: fail(f"{i}: suggestive recommended")
        if u["question_type"] == "option_posing" and u["recommended"] and k not in OPT_REC_OK:
            fail(f"{i}: option-posing recommended but kind {k} is not a process offer/summary")
        if kind_in(k, {"chit_chat_*", "meta_*"}) and u["question_type"] != "statement":
            fail(f"{i}: {k} should be a statement")
        if k in OPT_REC_OK and k.startswith("offer") and u["tone"] == "harmful":
            fail(f"{i}: harmful offer line")

    # --- duplicates
    dup = [t for t, c in collections.Counter(u["text"].strip().lower() for u in utts).items() if c > 1]
    if dup: fail(f"duplicate texts: {dup}")

    # --- interview-level checks
    if len(ivs) != 25: fail(f"{len(ivs)} interviews, want 25")
    if [iv["interview"] for iv in ivs] != list(range(1, 26)): fail("interview numbers not 1..25")
    styles = collections.Counter(iv["style"].split()[0] for iv in ivs)
    if styles != {"excellent": 5, "poor": 7, "mixed": 13}: fail(f"styles {dict(styles)}")
    minors = [iv for iv in ivs if iv["minor"]]
    if len(minors) != 12: fail(f"{len(minors)} minor interviews, want 12")
    for iv in ivs:
        n = iv["interview"]
        if iv["minor"] and not 13 <= iv["age"] <= 17: fail(f"interview {n}: minor aged {iv['age']}")
        if not iv["minor"] and iv["age"] < 18: fail(f"interview {n}: adult aged {iv['age']}")
        if not 21 <= len(iv["lines"]) <= 22: fail(f"interview {n}: {len(iv['lines'])} lines")
        if any(u["minor_context"] != iv["minor"] for u in iv["lines"]): fail(f"interview {n}: minor_context")
        harm = sum(u["tone"] == "harmful" for u in iv["lines"])
        if iv["style"].startswith("excellent") and harm: fail(f"interview {n}: excellent but {harm} harmful")
        if iv["style"].startswith("poor") and harm < len(iv["lines"]) / 2:
            fail(f"interview {n}: poor but only {harm} harmful")
        if iv["minor"] and any(u["kind"] == "sexual_detail_request" for u in iv["lines"]):
            fail(f"interview {n}: sexual detail request in a minor interview (kept to adults by design)")
    if sum(iv["lookalike"] for iv in ivs) != 3: fail("want exactly 3 lookalikes")
    if len({iv["country"] for iv in ivs}) < 12: fail("fewer than 12 countries")
    if sum(len(iv["lines"]) for iv in ivs) != len(utts): fail("interviews.json and utterances.jsonl disagree")
    if not 530 <= len(utts) <= 550: fail(f"{len(utts)} utterances, want 530-550")

    # --- set-level counts
    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140: fail(f"only {len(harmful)} harmful lines")
    restricted = [u["text"] for u in harmful if RESTRICTED.search(u["text"])]
    if len(restricted) > MAX_RESTRICTED: fail(f"{len(restricted)} harmful lines use restricted words")
    harm_qt = collections.Counter(u["question_type"] for u in harmful)
    for q in QTS:
        if not harm_qt[q]: fail(f"no harmful {q} lines")
    chit = [u for u in utts if u["kind"].startswith("chit_chat_")]
    meta = [u for u in utts if u["kind"].startswith("meta_")]
    if not 12 <= len(chit) <= 16: fail(f"{len(chit)} chit-chat lines, want about 14")
    if not 9 <= len(meta) <= 13: fail(f"{len(meta)} meta lines, want about 11")
    kinds = {u["kind"] for u in utts}
    for rk in REQUIRED_KINDS:
        if not kind_in_set(rk, kinds): fail(f"required kind missing: {rk}")

    # --- report
    N = len(utts)
    def pct(c): return f"{c:4d} ({100 * c / N:5.1f}%)"
    print(f"interviews {len(ivs)}  utterances {N}  minor-context lines {sum(u['minor_context'] for u in utts)}")
    print(f"styles {dict(styles)}  lookalikes {sum(iv['lookalike'] for iv in ivs)}  countries {len({iv['country'] for iv in ivs})}")
    print("question_type:")
    for q in QTS: print(f"  {q:14s} {pct(sum(u['question_type'] == q for u in utts))}")
    print("tone:")
    for t in TONES: print(f"  {t:14s} {pct(sum(u['tone'] == t for u in utts))}")
    print("recommended:")
    for r in (True, False): print(f"  {str(r):14s} {pct(sum(u['recommended'] is r for u in utts))}")
    print("harmful by question_type: " + ", ".join(f"{q} {harm_qt[q]}" for q in QTS))
    print(f"harmful lines with restricted words: {len(restricted)} (max {MAX_RESTRICTED})")
    print(f"chit-chat lines {len(chit)}, meta lines {len(meta)}, distinct kinds {len(kinds)}")
    if errors:
        print("\nFAILED:")
        for e in errors: print("  - " + e)
        sys.exit(1)
    print("\nALL CHECKS PASSED")


def kind_in_set(required, kinds):
    if required.endswith("*"):
        return any(k.startswith(required[:-1]) for k in kinds)
    return required in kinds


if __name__ == "__main__":
    main()
