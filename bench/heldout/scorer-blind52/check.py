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
    "cultural_mockery", "implied_consequence", "chit_chat_*", "meta_*",
]
# kinds that are harm by definition: tone must be harmful
HARM_KINDS = {
    "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure",
    "rushing_as_thanks", "implicit_blame", "disbelief_as_curiosity", "bargaining",
    "conditional_help", "family_pressure", "moralising", "over_familiar_offer",
    "over_familiarity", "talking_about_absent", "graphic_detail_request",
    "sexual_detail_request", "accent_mockery", "cultural_mockery",
    "implied_consequence", "explicit_threat", "minimising",
}
NEVER_REC = HARM_KINDS | {
    "bare_admin", "false_promise", "over_identification", "yes_no_question",
    "either_or_question", "tag_question", "others_said_claim", "leading_statement",
    "over_familiar_greeting",
}
WARM_POOR = {"false_promise", "over_identification"}
PROCESS_OPT = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
               "summary_check"}
RESTRICTED = re.compile(
    r"\b(prison\w*|jail\w*|liar\w*|lie|lies|lied|lying|arrest\w*|deport\w*|"
    r"prostitut\w*|whore\w*|stupid\w*|idiot\w*|slut\w*|illegal\w*)\b", re.I)

fails = []


def fail(msg):
    fails.append(msg)


def is_prefix_kind(k):
    return k.startswith("chit_chat_") or k.startswith("meta_")


def main():
    utts = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            u = json.loads(line)
            if set(u) != KEYS:
                fail(f"utterance {n}: keys {sorted(u)}")
            utts.append(u)
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        ivs = json.load(fh)

    # --- per-line checks
    restricted_harm = []
    for n, u in enumerate(utts, 1):
        k, q, t, r, text = u["kind"], u["question_type"], u["tone"], u["recommended"], u["text"]
        if q not in QTYPES:
            fail(f"{n}: question_type {q}")
        if t not in TONES:
            fail(f"{n}: tone {t}")
        if not isinstance(r, bool) or not isinstance(u["minor_context"], bool):
            fail(f"{n}: non-boolean recommended/minor_context")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", k):
            fail(f"{n}: kind not snake_case: {k}")
        if not text or "|" in text:
            fail(f"{n}: empty text or stray delimiter")
        if t == "harmful" and r:
            fail(f"{n}: harmful and recommended: {text}")
        if (k in NEVER_REC or is_prefix_kind(k)) and r:
            fail(f"{n}: kind {k} must never be recommended")
        if k in HARM_KINDS and t != "harmful":
            fail(f"{n}: kind {k} must be harmful")
        if k in WARM_POOR and t != "supportive":
            fail(f"{n}: warm-but-poor kind {k} should be supportive")
        if is_prefix_kind(k) and q != "statement":
            fail(f"{n}: {k} must be a statement")
        if q == "suggestive" and r:
            fail(f"{n}: suggestive line recommended")
        if q == "option_posing" and r and k not in PROCESS_OPT:
            fail(f"{n}: option_posing recommended but not a process offer/summary: {k}")
        if t == "harmful" and RESTRICTED.search(text):
            restricted_harm.append(text)

    # --- interview checks
    if len(ivs) != 25:
        fail(f"{len(ivs)} interviews, want 25")
    minors = sum(iv["minor"] for iv in ivs)
    if minors != 12 or len(ivs) - minors != 13:
        fail(f"minor/adult split {minors}/{len(ivs) - minors}, want 12/13")
    if sum(iv["lookalike"] for iv in ivs) != 3:
        fail("want exactly 3 look-alike interviews")
    if len({iv["country"] for iv in ivs}) < 12:
        fail("fewer than 12 countries")
    styles = collections.Counter(iv["style"].split(":")[0].strip() for iv in ivs)
    if styles != {"excellent": 5, "poor": 7, "mixed": 13}:
        fail(f"styles {dict(styles)}, want excellent 5 / poor 7 / mixed 13")
    for iv in ivs:
        if not 21 <= len(iv["lines"]) <= 22:
            fail(f"interview {iv['interview']}: {len(iv['lines'])} lines")
        if iv["minor"] != (13 <= iv["age"] <= 17):
            fail(f"interview {iv['interview']}: age {iv['age']} vs minor {iv['minor']}")
        if any(u["minor_context"] != iv["minor"] for u in iv["lines"]):
            fail(f"interview {iv['interview']}: minor_context mismatch")
        if iv["style"].startswith("excellent") and any(u["tone"] == "harmful" for u in iv["lines"]):
            fail(f"interview {iv['interview']}: excellent interview has a harmful line")
    if sum(len(iv["lines"]) for iv in ivs) != len(utts):
        fail("interviews.json and utterances.jsonl disagree")

    # --- set-level counts
    N = len(utts)
    if not 530 <= N <= 550:
        fail(f"{N} utterances, want 530-550")
    harm = [u for u in utts if u["tone"] == "harmful"]
    if len(harm) < 140:
        fail(f"only {len(harm)} harmful lines, want >= 140")
    if len(restricted_harm) > 6:
        fail(f"{len(restricted_harm)} harmful lines with restricted words, max 6")
    chit = sum(u["kind"].startswith("chit_chat_") for u in utts)
    meta = sum(u["kind"].startswith("meta_") for u in utts)
    if not 11 <= chit <= 17:
        fail(f"{chit} chit-chat lines, want about 14")
    if not 9 <= meta <= 13:
        fail(f"{meta} meta lines, want about 11")
    harm_qt = collections.Counter(u["question_type"] for u in harm)
    for q in QTYPES:
        if harm_qt[q] == 0:
            fail(f"no harmful line of type {q}")
    texts = collections.Counter(u["text"].strip().lower() for u in utts)
    for t, c in texts.items():
        if c > 1:
            fail(f"duplicate text x{c}: {t}")
    kinds = collections.Counter(u["kind"] for u in utts)
    for k in REQUIRED_KINDS:
        if k.endswith("*"):
            if not any(x.startswith(k[:-1]) for x in kinds):
                fail(f"missing kind family {k}")
        elif k not in kinds:
            fail(f"missing required kind {k}")

    # --- figures
    def pct(c):
        return f"{c:4d} ({100 * c / N:5.1f}%)"
    print(f"interviews: {len(ivs)} (minor {minors}, adult {len(ivs) - minors}, "
          f"look-alike {sum(iv['lookalike'] for iv in ivs)}), countries: "
          f"{len({iv['country'] for iv in ivs})}, styles: {dict(styles)}")
    print(f"utterances: {N}  (minor_context true: {sum(u['minor_context'] for u in utts)})")
    print("question_type:")
    for q in QTYPES:
        print(f"  {q:14s} {pct(sum(u['question_type'] == q for u in utts))}")
    print("tone:")
    for t in TONES:
        print(f"  {t:14s} {pct(sum(u['tone'] == t for u in utts))}")
    print("recommended:")
    for r in (True, False):
        print(f"  {str(r):14s} {pct(sum(u['recommended'] is r for u in utts))}")
    print("harmful by question_type: " + ", ".join(f"{q} {harm_qt[q]}" for q in QTYPES))
    print(f"chit-chat lines: {chit}, meta lines: {meta}, "
          f"harmful lines with restricted words: {len(restricted_harm)}")
    print(f"distinct kinds: {len(kinds)}")
    print("kinds: " + ", ".join(f"{k} {c}" for k, c in sorted(kinds.items(), key=lambda x: (-x[1], x[0]))))

    if fails:
        print(f"\nFAILED ({len(fails)}):")
        for f in fails:
            print("  - " + f)
        sys.exit(1)
    print("\nALL CHECKS PASSED")


if __name__ == "__main__":
    main()
