#!/usr/bin/env python3
"""Validate the blind evaluation set and print figures per label. Exit 1 on any failure."""
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
NEVER_REC = {"yes_no_question", "either_or_question", "tag_question",
             "others_said_claim", "leading_question", "false_promise",
             "over_identification", "bare_admin", "contempt", "sarcasm",
             "polite_pressure", "bureaucratic_pressure", "rushing_as_thanks",
             "implicit_blame", "disbelief_as_curiosity", "bargaining",
             "conditional_help", "family_pressure", "moralising",
             "over_familiar_offer", "boundary_crossing", "talking_about_absent",
             "graphic_detail_request", "sexual_detail_request", "accent_mockery",
             "cultural_mockery", "implied_consequence"}
# option-posing lines may be recommended only when they are process offers or summary checks
OPT_REC_OK = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
              "summary_check"}
# kinds that must be statements
STATEMENT_ONLY_PREFIXES = ("chit_chat_", "meta_")
HARM_KINDS_NEED_HARMFUL = NEVER_REC - {"yes_no_question", "either_or_question",
                                       "tag_question", "others_said_claim",
                                       "leading_question", "false_promise",
                                       "over_identification", "bare_admin"}

RESTRICTED = re.compile(
    r"\b(prisons?|prisoners?|jail\w*|gaol\w*|liars?|lie|lies|lied|lying|arrest\w*|"
    r"deport\w*|prostitut\w*|whores?|stupid\w*|idiot\w*|sluts?|slutty|illegal\w*)\b",
    re.IGNORECASE)
MAX_RESTRICTED_HARMFUL = 6


def main():
    fails = []

    def fail(msg):
        fails.append(msg)

    utts = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            u = json.loads(line)
            if set(u) != KEYS:
                fail(f"utterance {n}: keys {sorted(u)}")
            utts.append(u)
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        ivs = json.load(fh)

    # per-line checks
    for i, u in enumerate(utts, 1):
        t = u.get("text", "")
        if u.get("question_type") not in QTS:
            fail(f"line {i}: question_type {u.get('question_type')}")
        if u.get("tone") not in TONES:
            fail(f"line {i}: tone {u.get('tone')}")
        if not isinstance(u.get("recommended"), bool) or not isinstance(u.get("minor_context"), bool):
            fail(f"line {i}: recommended/minor_context not boolean")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u.get("kind", "")):
            fail(f"line {i}: kind not snake_case: {u.get('kind')}")
        if not t or "|" in t:
            fail(f"line {i}: empty text or stray '|'")
        k, rec = u["kind"], u["recommended"]
        if u["tone"] == "harmful" and rec:
            fail(f"line {i}: harmful and recommended")
        if rec and (k in NEVER_REC or k.startswith(STATEMENT_ONLY_PREFIXES)):
            fail(f"line {i}: kind {k} must not be recommended")
        if rec and u["question_type"] == "suggestive":
            fail(f"line {i}: suggestive line recommended")
        if rec and u["question_type"] == "option_posing" and k not in OPT_REC_OK:
            fail(f"line {i}: option-posing recommended but kind {k} is not a process offer/summary check")
        if k.startswith(STATEMENT_ONLY_PREFIXES) and u["question_type"] != "statement":
            fail(f"line {i}: {k} should be a statement")
        if k in HARM_KINDS_NEED_HARMFUL and u["tone"] != "harmful":
            fail(f"line {i}: {k} should be harmful")
        if k in ("tag_question", "leading_question") and u["question_type"] != "suggestive":
            fail(f"line {i}: {k} should be suggestive")
        if k in ("open_invitation", "cued_invitation") and u["question_type"] != "invitation":
            fail(f"line {i}: {k} should be an invitation")

    # duplicates
    seen = collections.Counter(re.sub(r"\W+", " ", u["text"].lower()).strip() for u in utts)
    for t, c in seen.items():
        if c > 1:
            fail(f"duplicate text x{c}: {t[:60]}")

    # interviews
    if len(ivs) != 25:
        fail(f"{len(ivs)} interviews, expected 25")
    if sorted(iv["interview"] for iv in ivs) != list(range(1, 26)):
        fail("interview numbers are not 1..25")
    for iv in ivs:
        n = len(iv["lines"])
        if not 21 <= n <= 22:
            fail(f"interview {iv['interview']}: {n} turns (need 21-22)")
        if iv["minor"] != (iv["age"] < 18):
            fail(f"interview {iv['interview']}: minor flag and age disagree")
        if iv["minor"] and not 13 <= iv["age"] <= 17:
            fail(f"interview {iv['interview']}: minor age {iv['age']} outside 13-17")
        for u in iv["lines"]:
            if u["minor_context"] != iv["minor"]:
                fail(f"interview {iv['interview']}: minor_context mismatch")
    minors = sum(iv["minor"] for iv in ivs)
    looks = sum(iv["lookalike"] for iv in ivs)
    countries = {iv["country"] for iv in ivs}
    styles = collections.Counter(iv["style"].split(":")[0].strip() for iv in ivs)
    if minors != 12:
        fail(f"{minors} minor interviews, expected 12")
    if looks != 3:
        fail(f"{looks} look-alikes, expected 3")
    if len(countries) < 12:
        fail(f"only {len(countries)} countries")
    if not (4 <= styles["excellent"] <= 6 and 6 <= styles["poor"] <= 8 and 12 <= styles["mixed"] <= 14):
        fail(f"style mix off: {dict(styles)}")
    if sum(styles.values()) != 25 or set(styles) - {"excellent", "poor", "mixed"}:
        fail(f"unknown style: {dict(styles)}")
    if not 530 <= len(utts) <= 550:
        fail(f"{len(utts)} utterances, need 530-550")

    # harmful figures
    harm = [u for u in utts if u["tone"] == "harmful"]
    if len(harm) < 140:
        fail(f"only {len(harm)} harmful lines, need 140")
    restricted = [u["text"] for u in harm if RESTRICTED.search(u["text"])]
    if len(restricted) > MAX_RESTRICTED_HARMFUL:
        fail(f"{len(restricted)} harmful lines use restricted words (max {MAX_RESTRICTED_HARMFUL})")
    harm_qt = collections.Counter(u["question_type"] for u in harm)
    for q in QTS:
        if harm_qt[q] == 0:
            fail(f"no harmful line of type {q}")

    # chit-chat / meta
    chit = [u for u in utts if u["kind"].startswith("chit_chat_")]
    meta = [u for u in utts if u["kind"].startswith("meta_")]
    if not 11 <= len(chit) <= 17:
        fail(f"{len(chit)} chit-chat lines (about 14 wanted)")
    if not 8 <= len(meta) <= 14:
        fail(f"{len(meta)} meta lines (about 11 wanted)")

    # required kinds
    kinds = collections.Counter(u["kind"] for u in utts)
    for k in REQUIRED_KINDS:
        if kinds[k] == 0:
            fail(f"required kind missing: {k}")
    for p in REQUIRED_PREFIXES:
        if not any(k.startswith(p) for k in kinds):
            fail(f"no kind starting with {p}")

    # figures
    N = len(utts)
    pct = lambda c: f"{c:4d} ({100 * c / N:5.1f}%)"
    print(f"interviews: {len(ivs)}  utterances: {N}  minors: {minors} (lines {sum(u['minor_context'] for u in utts)})"
          f"  adults: {len(ivs) - minors}  look-alikes: {looks}  countries: {len(countries)}")
    print(f"styles: {dict(styles)}")
    print("question_type:")
    for q in QTS:
        print(f"  {q:14s} {pct(sum(u['question_type'] == q for u in utts))}")
    print("tone:")
    for t in TONES:
        print(f"  {t:14s} {pct(sum(u['tone'] == t for u in utts))}")
    print("recommended:")
    for r in (True, False):
        print(f"  {str(r):14s} {pct(sum(u['recommended'] is r for u in utts))}")
    print("harmful by question_type: " + ", ".join(f"{q}={harm_qt[q]}" for q in QTS))
    print(f"harmful lines with restricted words: {len(restricted)} (max {MAX_RESTRICTED_HARMFUL})")
    print(f"chit-chat lines: {len(chit)}  meta lines: {len(meta)}  distinct kinds: {len(kinds)}")
    print("question_type x tone:")
    for q in QTS:
        print(f"  {q:14s} " + "  ".join(f"{t[:3]}={sum(u['question_type'] == q and u['tone'] == t for u in utts):3d}" for t in TONES))
    print("kinds: " + ", ".join(f"{k}={c}" for k, c in sorted(kinds.items())))

    if fails:
        print(f"\nFAILED ({len(fails)}):")
        for f in fails:
            print("  - " + f)
        sys.exit(1)
    print("\nALL CHECKS PASSED")


if __name__ == "__main__":
    main()
