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
    "chit_chat_*", "meta_*",
]
# kinds that may never be recommended (prefix match for the starred ones)
NEVER_REC = {
    "yes_no_question", "either_or_question", "tag_question", "others_said_claim",
    "leading_question", "false_promise", "over_identification", "bare_admin",
    "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure",
    "rushing_as_thanks", "implicit_blame", "disbelief_as_curiosity", "bargaining",
    "conditional_help", "family_pressure", "moralising", "over_familiar_offer",
    "talking_about_absent", "graphic_detail_request", "sexual_detail_request",
    "accent_mockery", "cultural_mockery", "implied_consequence",
}
NEVER_REC_PREFIX = ("chit_chat_", "meta_")
# option-posing lines may be recommended only as process offers or summary checks
OPT_REC_OK = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
              "offer_questions", "summary_check"}
# kinds that must be harmful whenever they occur
ALWAYS_HARMFUL = NEVER_REC - {"yes_no_question", "either_or_question", "tag_question",
                              "others_said_claim", "leading_question", "false_promise",
                              "over_identification", "bare_admin"}
RESTRICTED = re.compile(
    r"\b(prisons?|jail\w*|liars?|lie[sd]?|lying|arrest\w*|deport\w*|prostitut\w*|"
    r"whores?\w*|stupid\w*|idiot\w*|sluts?\w*|illegal\w*)\b", re.I)

failures = []


def fail(msg):
    failures.append(msg)


def kind_matches(kind, pattern):
    return kind.startswith(pattern[:-1]) if pattern.endswith("*") else kind == pattern


def main():
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        utts = [json.loads(l) for l in fh if l.strip()]
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        ivs = json.load(fh)

    # --- per-utterance checks
    seen = {}
    for i, u in enumerate(utts, 1):
        tag = f"utterance {i} ({u.get('text', '')[:50]!r})"
        if set(u) != KEYS:
            fail(f"{tag}: keys {sorted(u)}")
            continue
        if u["question_type"] not in QTYPES:
            fail(f"{tag}: question_type {u['question_type']!r}")
        if u["tone"] not in TONES:
            fail(f"{tag}: tone {u['tone']!r}")
        if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
            fail(f"{tag}: recommended/minor_context must be booleans")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"]):
            fail(f"{tag}: kind not snake_case {u['kind']!r}")
        if not u["text"] or "|" in u["text"]:
            fail(f"{tag}: empty text or stray '|'")
        key = re.sub(r"\W+", " ", u["text"].lower()).strip()
        if key in seen:
            fail(f"{tag}: duplicate of utterance {seen[key]}")
        seen[key] = i
        k, rec = u["kind"], u["recommended"]
        if u["tone"] == "harmful" and rec:
            fail(f"{tag}: harmful and recommended")
        if rec and (k in NEVER_REC or k.startswith(NEVER_REC_PREFIX)):
            fail(f"{tag}: kind {k} may never be recommended")
        if k in ALWAYS_HARMFUL and u["tone"] != "harmful":
            fail(f"{tag}: kind {k} should be harmful")
        if u["question_type"] == "suggestive" and rec:
            fail(f"{tag}: suggestive line recommended")
        if u["question_type"] == "option_posing" and rec and k not in OPT_REC_OK:
            fail(f"{tag}: option-posing recommended but kind {k} is not a process offer/summary")
        if k.startswith(NEVER_REC_PREFIX) and u["question_type"] != "statement":
            fail(f"{tag}: chit-chat/meta line must be a statement")

    # --- per-interview checks
    if len(ivs) != 25:
        fail(f"{len(ivs)} interviews, expected 25")
    for iv in ivs:
        n = len(iv["lines"])
        if not 21 <= n <= 22:
            fail(f"interview {iv['interview']}: {n} turns (want 21-22)")
        if iv["minor"] != (iv["age"] < 18):
            fail(f"interview {iv['interview']}: minor flag does not match age {iv['age']}")
        if iv["minor"] and not 13 <= iv["age"] <= 17:
            fail(f"interview {iv['interview']}: minor age {iv['age']} outside 13-17")
        if any(u["minor_context"] != iv["minor"] for u in iv["lines"]):
            fail(f"interview {iv['interview']}: minor_context mismatch")
        if iv["style"].startswith("excellent") and any(u["tone"] == "harmful" for u in iv["lines"]):
            fail(f"interview {iv['interview']}: excellent style but has harmful lines")
    nums = [iv["interview"] for iv in ivs]
    if nums != list(range(1, len(ivs) + 1)):
        fail(f"interview numbers not 1..N: {nums}")
    minors = sum(iv["minor"] for iv in ivs)
    looks = sum(iv["lookalike"] for iv in ivs)
    countries = len({iv["country"] for iv in ivs})
    styles = collections.Counter(iv["style"].split(":")[0].strip() for iv in ivs)
    if minors != 12:
        fail(f"{minors} minor interviews, expected 12")
    if looks != 3:
        fail(f"{looks} look-alike interviews, expected 3")
    if countries < 12:
        fail(f"{countries} countries, expected at least 12")
    if (styles["excellent"], styles["poor"], styles["mixed"]) != (5, 7, 13):
        fail(f"styles {dict(styles)}, expected excellent 5 / poor 7 / mixed 13")

    # --- set-level counts
    total = len(utts)
    if not 530 <= total <= 550:
        fail(f"{total} utterances, expected 530-550")
    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fail(f"{len(harmful)} harmful lines, expected at least 140")
    restricted = [u for u in harmful if RESTRICTED.search(u["text"])]
    if len(restricted) > 6:
        fail(f"{len(restricted)} harmful lines with restricted words, max 6")
    harm_by_q = collections.Counter(u["question_type"] for u in harmful)
    for q in QTYPES:
        if harm_by_q[q] == 0:
            fail(f"no harmful line of question type {q}")
    kinds = collections.Counter(u["kind"] for u in utts)
    for pat in REQUIRED_KINDS:
        if not any(kind_matches(k, pat) for k in kinds):
            fail(f"required kind {pat} missing")
    chit = sum(v for k, v in kinds.items() if k.startswith("chit_chat_"))
    meta = sum(v for k, v in kinds.items() if k.startswith("meta_"))
    if not 10 <= chit <= 18:
        fail(f"{chit} chit-chat lines, expected about 14")
    if not 8 <= meta <= 14:
        fail(f"{meta} meta lines, expected about 11")

    # --- figures
    def share(c):
        return f"{c:4d} ({100 * c / total:5.1f}%)"

    print(f"interviews: {len(ivs)} (minor {minors}, adult {len(ivs) - minors}, "
          f"look-alike {looks}, countries {countries}, styles {dict(styles)})")
    print(f"utterances: {total}")
    print("question_type:")
    for q in QTYPES:
        print(f"  {q:14s} {share(sum(u['question_type'] == q for u in utts))}")
    print("tone:")
    for t in TONES:
        print(f"  {t:14s} {share(sum(u['tone'] == t for u in utts))}")
    print("recommended:")
    for r in (True, False):
        print(f"  {str(r):14s} {share(sum(u['recommended'] is r for u in utts))}")
    print("minor_context:")
    for r in (True, False):
        print(f"  {str(r):14s} {share(sum(u['minor_context'] is r for u in utts))}")
    print("harmful by question_type:")
    for q in QTYPES:
        print(f"  {q:14s} {harm_by_q[q]:4d}")
    print(f"harmful lines with restricted words: {len(restricted)} (max 6)")
    print(f"chit-chat lines: {chit}, meta (simulator) lines: {meta}, "
          f"distinct kinds: {len(kinds)}")
    print("recommended by question_type:")
    for q in QTYPES:
        print(f"  {q:14s} {sum(u['recommended'] and u['question_type'] == q for u in utts):4d}")

    if failures:
        print(f"\nFAILED ({len(failures)}):")
        for f in failures:
            print("  -", f)
        sys.exit(1)
    print("\nALL CHECKS PASSED")


if __name__ == "__main__":
    main()
