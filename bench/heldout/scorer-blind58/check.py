#!/usr/bin/env python3
"""Validate the blind evaluation set built by build.py; print figures; exit 1 on any failure."""
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
    "offer_choice", "summary_check", "thanks", "false_promise", "over_identification",
    "bare_admin", "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure",
    "rushing_as_thanks", "implicit_blame", "disbelief_as_curiosity", "bargaining",
    "conditional_help", "family_pressure", "moralising", "over_familiar_offer",
    "talking_about_absent", "graphic_detail_request", "sexual_detail_request",
    "accent_mockery", "cultural_mockery", "implied_consequence",
]
REQUIRED_PREFIXES = ["chit_chat_", "meta_"]

# kinds that may never be recommended
NEVER_REC_KINDS = {"false_promise", "over_identification", "bare_admin",
                   "yes_no_question", "either_or_question", "tag_question",
                   "leading_question", "others_said_claim"}
NEVER_REC_PREFIXES = ("chit_chat_", "meta_")
# warm but poor practice: supportive and not recommended
WARM_POOR = {"false_promise", "over_identification"}
# kinds that are harm by definition
HARM_KINDS = {"contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure",
              "rushing", "rushing_as_thanks", "implicit_blame", "disbelief",
              "disbelief_as_curiosity", "bargaining", "conditional_help",
              "family_pressure", "moralising", "over_familiar_offer",
              "talking_about_absent", "graphic_detail_request", "sexual_detail_request",
              "accent_mockery", "cultural_mockery", "implied_consequence"}
# option-posing lines may be recommended only for these process offers / checks
OPT_REC_KINDS = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
                 "offer_questions", "summary_check"}
# kinds that count as good practice (recommended lines must use one of these)
GOOD_KINDS = {"open_invitation", "cued_invitation", "anything_else", "clarify_detail",
              "explain_role", "explain_process", "honest_next_steps", "normalising",
              "empathic_reflection", "thanks"} | OPT_REC_KINDS

RESTRICTED = re.compile(
    r"\b(prison\w*|jail\w*|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|"
    r"prostitut\w*|whore\w*|stupid\w*|idiot\w*|slut\w*|illegal\w*)\b", re.I)
MAX_RESTRICTED_HARMFUL = 6

failures = []


def fail(msg):
    failures.append(msg)


def pct(n, d):
    return f"{100.0 * n / d:5.1f}%" if d else "  n/a"


def main():
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        utts = [json.loads(l) for l in fh if l.strip()]
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        ivs = json.load(fh)

    # --- per utterance ---------------------------------------------------------
    for i, u in enumerate(utts, 1):
        tag = f"utterance {i} ({u.get('text', '')[:40]!r})"
        if set(u) != KEYS:
            fail(f"{tag}: keys {sorted(u)}")
            continue
        if u["question_type"] not in QTYPES:
            fail(f"{tag}: bad question_type {u['question_type']}")
        if u["tone"] not in TONES:
            fail(f"{tag}: bad tone {u['tone']}")
        if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
            fail(f"{tag}: recommended/minor_context must be booleans")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"]):
            fail(f"{tag}: kind not snake_case")
        if not u["text"].strip() or "|" in u["text"]:
            fail(f"{tag}: empty text or stray '|'")
        k, rec, tone, qt = u["kind"], u["recommended"], u["tone"], u["question_type"]
        if rec and tone == "harmful":
            fail(f"{tag}: harmful and recommended")
        if rec and (k in NEVER_REC_KINDS or k.startswith(NEVER_REC_PREFIXES)):
            fail(f"{tag}: kind {k} may never be recommended")
        if rec and qt == "suggestive":
            fail(f"{tag}: suggestive line recommended")
        if rec and qt == "option_posing" and k not in OPT_REC_KINDS:
            fail(f"{tag}: substantive option-posing line recommended")
        if rec and k not in GOOD_KINDS:
            fail(f"{tag}: recommended line with non-good kind {k}")
        if not rec and k in GOOD_KINDS and tone != "harmful":
            fail(f"{tag}: good-practice kind {k} not recommended")
        if k in WARM_POOR and tone != "supportive":
            fail(f"{tag}: {k} should be supportive")
        if k in HARM_KINDS and tone != "harmful":
            fail(f"{tag}: kind {k} should be harmful")
        if k.startswith(NEVER_REC_PREFIXES) and qt != "statement":
            fail(f"{tag}: {k} should be a statement")
        if k in ("yes_no_question", "either_or_question") and qt != "option_posing":
            fail(f"{tag}: {k} should be option_posing")
        if k in ("tag_question", "others_said_claim", "leading_question") and qt != "suggestive":
            fail(f"{tag}: {k} should be suggestive")

    texts = collections.Counter(u["text"].strip().lower() for u in utts)
    for t, c in texts.items():
        if c > 1:
            fail(f"duplicate text x{c}: {t[:60]!r}")

    # --- per interview ---------------------------------------------------------
    flat = [u for iv in ivs for u in iv["lines"]]
    if flat != utts:
        fail("interviews.json and utterances.jsonl disagree")
    if len(ivs) != 25:
        fail(f"expected 25 interviews, got {len(ivs)}")
    if [iv["interview"] for iv in ivs] != list(range(1, len(ivs) + 1)):
        fail("interview numbers not 1..N in order")
    for iv in ivs:
        n = len(iv["lines"])
        if not 21 <= n <= 22:
            fail(f"interview {iv['interview']}: {n} turns (want 21-22)")
        if iv["minor"] != (iv["age"] < 18):
            fail(f"interview {iv['interview']}: minor flag vs age {iv['age']}")
        if iv["minor"] and not 13 <= iv["age"] <= 17:
            fail(f"interview {iv['interview']}: minor age {iv['age']} outside 13-17")
        if any(u["minor_context"] != iv["minor"] for u in iv["lines"]):
            fail(f"interview {iv['interview']}: minor_context mismatch")
    minors = sum(iv["minor"] for iv in ivs)
    looks = sum(iv["lookalike"] for iv in ivs)
    countries = {iv["country"] for iv in ivs}
    styles = collections.Counter(iv["style"].split(":")[0] for iv in ivs)
    if minors != 12:
        fail(f"expected 12 minor interviews, got {minors}")
    if looks != 3:
        fail(f"expected 3 look-alikes, got {looks}")
    if len(countries) < 12:
        fail(f"only {len(countries)} countries")
    if (styles["excellent"], styles["poor"], styles["mixed"]) != (5, 7, 13):
        fail(f"style counts {dict(styles)} (want excellent 5, poor 7, mixed 13)")
    if not 530 <= len(utts) <= 550:
        fail(f"{len(utts)} utterances (want 530-550)")

    # --- set-level counts --------------------------------------------------------
    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fail(f"only {len(harmful)} harmful lines (want >= 140)")
    restricted = [u for u in harmful if RESTRICTED.search(u["text"])]
    if len(restricted) > MAX_RESTRICTED_HARMFUL:
        fail(f"{len(restricted)} harmful lines use restricted words (max {MAX_RESTRICTED_HARMFUL})")
    harm_qt = collections.Counter(u["question_type"] for u in harmful)
    for q in QTYPES:
        if harm_qt[q] == 0:
            fail(f"no harmful {q} lines")
    kinds = collections.Counter(u["kind"] for u in utts)
    for k in REQUIRED_KINDS:
        if kinds[k] == 0:
            fail(f"required kind missing: {k}")
    chit = sum(c for k, c in kinds.items() if k.startswith("chit_chat_"))
    meta = sum(c for k, c in kinds.items() if k.startswith("meta_"))
    for p in REQUIRED_PREFIXES:
        if not any(k.startswith(p) for k in kinds):
            fail(f"required kind family missing: {p}*")
    if not 12 <= chit <= 16:
        fail(f"{chit} chit-chat lines (want about 14)")
    if not 9 <= meta <= 13:
        fail(f"{meta} meta lines (want about 11)")

    # --- figures -------------------------------------------------------------------
    N = len(utts)
    print(f"interviews: {len(ivs)} (minor {minors}, adult {len(ivs) - minors}, look-alike {looks}); "
          f"countries: {len(countries)}; styles: " + ", ".join(f"{s} {c}" for s, c in sorted(styles.items())))
    print(f"utterances: {N}")
    print("question_type:")
    for q in QTYPES:
        c = sum(u["question_type"] == q for u in utts)
        print(f"  {q:14s} {c:4d} {pct(c, N)}")
    print("tone:")
    for t in TONES:
        c = sum(u["tone"] == t for u in utts)
        print(f"  {t:14s} {c:4d} {pct(c, N)}")
    rc = sum(u["recommended"] for u in utts)
    print(f"recommended:\n  {'true':14s} {rc:4d} {pct(rc, N)}\n  {'false':14s} {N - rc:4d} {pct(N - rc, N)}")
    mc = sum(u["minor_context"] for u in utts)
    print(f"minor_context:\n  {'true':14s} {mc:4d} {pct(mc, N)}\n  {'false':14s} {N - mc:4d} {pct(N - mc, N)}")
    print(f"harmful lines by question_type (total {len(harmful)}):")
    for q in QTYPES:
        print(f"  {q:14s} {harm_qt[q]:4d} {pct(harm_qt[q], len(harmful))}")
    print(f"harmful lines with restricted words: {len(restricted)} (max {MAX_RESTRICTED_HARMFUL})")
    print(f"chit-chat lines: {chit}; meta (simulator) lines: {meta}; "
          f"bare admin: {kinds['bare_admin']}; warm-but-poor: "
          f"{kinds['false_promise'] + kinds['over_identification']}")
    print(f"distinct kinds: {len(kinds)}")
    by_style = collections.defaultdict(lambda: [0, 0, 0])
    for iv in ivs:
        s = iv["style"].split(":")[0]
        by_style[s][0] += len(iv["lines"])
        by_style[s][1] += sum(u["tone"] == "harmful" for u in iv["lines"])
        by_style[s][2] += sum(u["recommended"] for u in iv["lines"])
    print("by style (lines / harmful / recommended):")
    for s, (n, h, r) in sorted(by_style.items()):
        print(f"  {s:10s} {n:4d} / {h:4d} / {r:4d}")

    if failures:
        print(f"\nFAILED ({len(failures)}):")
        for f in failures:
            print("  - " + f)
        sys.exit(1)
    print("\nOK: all checks passed")


if __name__ == "__main__":
    main()
