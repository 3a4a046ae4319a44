#!/usr/bin/env python3
"""Validate utterances.jsonl / interviews.json against LABELS.md and the brief; exit 1 on failure."""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTYPES = ["invitation", "directive", "option_posing", "suggestive", "statement"]
TONES = ["supportive", "neutral", "harmful"]

REQUIRED_KINDS = [
    "open_invitation", "cued_invitation", "clarify_detail", "yes_no_question",
    "either_or_question", "tag_question", "others_said_claim", "explain_role",
    "explain_process", "offer_break", "offer_interpreter", "offer_support", "offer_choice",
    "summary_check", "thanks", "false_promise", "over_identification", "bare_admin",
    "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure", "rushing_as_thanks",
    "implicit_blame", "disbelief_as_curiosity", "bargaining", "conditional_help",
    "family_pressure", "moralising", "over_familiar_offer", "talking_about_absent",
    "graphic_detail_request", "sexual_detail_request", "accent_mockery", "cultural_mockery",
    "implied_consequence", "chit_chat_*", "meta_*",
]
# kinds that are harmful by definition (tone must be harmful)
HARMFUL_KINDS = {
    "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure", "rushing_as_thanks",
    "implicit_blame", "disbelief_as_curiosity", "disbelief", "bargaining", "conditional_help",
    "family_pressure", "moralising", "over_familiar_offer", "talking_about_absent",
    "graphic_detail_request", "sexual_detail_request", "sexualising_question",
    "sexualising_remark", "accent_mockery", "cultural_mockery", "implied_consequence",
    "leading_pressure",
}
# kinds that are never recommended (besides every harmful line)
NEVER_REC = {"bare_admin", "false_promise", "over_identification", "yes_no_question",
             "either_or_question", "tag_question", "others_said_claim", "leading_question"}
# the only kinds an option-posing line may have when recommended
OPT_REC_OK = {"offer_break", "offer_interpreter", "offer_support", "offer_choice", "summary_check"}
WARM_POOR = {"false_promise", "over_identification"}
RESTRICTED = re.compile(
    r"\b(prison\w*|jail\w*|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|prostitut\w*|"
    r"whores?|stupid\w*|idiot\w*|sluts?|slutty|illegal\w*)\b", re.I)

errors = []


def fail(msg):
    errors.append(msg)


def is_chit(k):
    return k.startswith("chit_chat_")


def is_meta(k):
    return k.startswith("meta_")


def main():
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        utts = [json.loads(l) for l in fh if l.strip()]
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        ivs = json.load(fh)

    # --- per-line checks
    for i, u in enumerate(utts, 1):
        tag = f"line {i} ({u.get('text', '')[:50]!r})"
        if set(u) != KEYS:
            fail(f"{tag}: keys {sorted(u)}")
            continue
        if u["question_type"] not in QTYPES:
            fail(f"{tag}: question_type {u['question_type']}")
        if u["tone"] not in TONES:
            fail(f"{tag}: tone {u['tone']}")
        if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
            fail(f"{tag}: recommended/minor_context must be booleans")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"]):
            fail(f"{tag}: kind not snake_case")
        if not u["text"].strip() or "|" in u["text"]:
            fail(f"{tag}: empty text or stray '|'")
        k, rec, tone, qt = u["kind"], u["recommended"], u["tone"], u["question_type"]
        if tone == "harmful" and rec:
            fail(f"{tag}: harmful and recommended")
        if rec and (k in NEVER_REC or k in HARMFUL_KINDS or is_chit(k) or is_meta(k)):
            fail(f"{tag}: kind {k} must not be recommended")
        if k in HARMFUL_KINDS and tone != "harmful":
            fail(f"{tag}: kind {k} must be harmful")
        if k in WARM_POOR and tone != "supportive":
            fail(f"{tag}: warm-but-poor kind {k} should be supportive")
        if (is_chit(k) or is_meta(k)) and (qt != "statement" or tone == "supportive"):
            fail(f"{tag}: chit-chat/meta lines are non-supportive statements")
        if qt == "suggestive" and rec:
            fail(f"{tag}: suggestive line recommended")
        if qt == "option_posing" and rec and k not in OPT_REC_OK:
            fail(f"{tag}: option-posing recommended but kind {k} is not a process offer/summary")
        if k in OPT_REC_OK and k != "offer_support" and qt != "option_posing":
            fail(f"{tag}: {k} should be option_posing")

    # --- duplicates
    norm = Counter(re.sub(r"\W+", " ", u["text"].lower()).strip() for u in utts)
    for t, c in norm.items():
        if c > 1:
            fail(f"duplicate text x{c}: {t[:60]!r}")

    # --- interview-level checks
    if len(ivs) != 25:
        fail(f"{len(ivs)} interviews, expected 25")
    if [iv["interview"] for iv in ivs] != list(range(1, len(ivs) + 1)):
        fail("interview numbers not 1..N in order")
    for iv in ivs:
        n = len(iv["lines"])
        if n not in (21, 22):
            fail(f"interview {iv['interview']}: {n} lines")
        if iv["minor"] != (iv["age"] < 18):
            fail(f"interview {iv['interview']}: minor flag vs age {iv['age']}")
        if iv["minor"] and not 13 <= iv["age"] <= 17:
            fail(f"interview {iv['interview']}: minor age {iv['age']} outside 13-17")
        for u in iv["lines"]:
            if u["minor_context"] != iv["minor"]:
                fail(f"interview {iv['interview']}: minor_context mismatch")
        if iv["style"].startswith("excellent") and any(u["tone"] == "harmful" for u in iv["lines"]):
            fail(f"interview {iv['interview']}: excellent style with harmful line")
        if iv["style"].startswith("poor") and sum(u["tone"] == "harmful" for u in iv["lines"]) < 10:
            fail(f"interview {iv['interview']}: poor style with fewer than 10 harmful lines")
        if iv["style"].startswith("mixed") and not any(u["tone"] == "harmful" for u in iv["lines"]):
            fail(f"interview {iv['interview']}: mixed style without harmful line")
    total = len(utts)
    if not 530 <= total <= 550:
        fail(f"{total} lines, expected 530-550")
    minors = sum(iv["minor"] for iv in ivs)
    if minors != 12 or len(ivs) - minors != 13:
        fail(f"{minors} minor interviews, expected 12 (and 13 adult)")
    looks = sum(iv["lookalike"] for iv in ivs)
    if looks != 3:
        fail(f"{looks} look-alikes, expected 3")
    countries = {iv["country"] for iv in ivs}
    if len(countries) < 12:
        fail(f"only {len(countries)} countries")
    styles = Counter(iv["style"].split(":")[0].strip() for iv in ivs)
    if styles != Counter({"excellent": 5, "poor": 7, "mixed": 13}):
        fail(f"styles {dict(styles)}")

    # --- label totals
    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fail(f"only {len(harmful)} harmful lines")
    restricted = [u["text"] for u in harmful if RESTRICTED.search(u["text"])]
    if len(restricted) > 6:
        fail(f"{len(restricted)} harmful lines with restricted words (max 6)")
    har_by_qt = Counter(u["question_type"] for u in harmful)
    for q in QTYPES:
        if har_by_qt[q] == 0:
            fail(f"no harmful line of type {q}")
    chit = sum(is_chit(u["kind"]) for u in utts)
    meta = sum(is_meta(u["kind"]) for u in utts)
    if not 12 <= chit <= 16:
        fail(f"{chit} chit-chat lines, expected about 14")
    if not 9 <= meta <= 13:
        fail(f"{meta} meta lines, expected about 11")
    kinds = Counter(u["kind"] for u in utts)
    for req in REQUIRED_KINDS:
        if req.endswith("*"):
            ok = any(k.startswith(req[:-1]) for k in kinds)
        else:
            ok = req in kinds
        if not ok:
            fail(f"required kind missing: {req}")

    # --- report
    def show(title, counter):
        print(title)
        for key, c in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0]))):
            print(f"  {str(key):<16} {c:4d}  {100 * c / total:5.1f}%")

    print(f"interviews {len(ivs)} | lines {total} | minor interviews {minors} "
          f"(lines {sum(u['minor_context'] for u in utts)}) | look-alikes {looks} | "
          f"countries {len(countries)}")
    print(f"styles {dict(styles)}")
    show("question_type:", Counter(u["question_type"] for u in utts))
    show("tone:", Counter(u["tone"] for u in utts))
    show("recommended:", Counter(u["recommended"] for u in utts))
    print("harmful lines by question_type:", dict(sorted(har_by_qt.items())))
    print("recommended by question_type:",
          dict(sorted(Counter(u["question_type"] for u in utts if u["recommended"]).items())))
    print(f"chit-chat {chit} | meta {meta} | harmful with restricted words {len(restricted)} | "
          f"distinct kinds {len(kinds)}")
    for t in restricted:
        print("  restricted:", t)
    if errors:
        print(f"\nFAILED ({len(errors)}):")
        for e in errors:
            print("  -", e)
        sys.exit(1)
    print("\nALL CHECKS PASSED")


if __name__ == "__main__":
    main()
