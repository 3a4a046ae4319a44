#!/usr/bin/env python3
"""Validate utterances.jsonl / interviews.json against LABELS.md and the brief. Exit 1 on failure."""
import json, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTYPES = ["invitation", "directive", "option_posing", "suggestive", "statement"]
TONES = ["supportive", "neutral", "harmful"]
NEVER_REC_KINDS = {"yes_no_question", "either_or_question", "tag_question", "leading_question",
                   "others_said_claim", "bare_admin", "false_promise", "over_identification"}
NEVER_REC_PREFIXES = ("chit_chat_", "meta_")
OPT_REC_KINDS = {"offer_break", "offer_interpreter", "offer_support", "offer_choice", "summary_check"}
REQUIRED_KINDS = [
    "open_invitation", "cued_invitation", "clarify_detail", "yes_no_question", "either_or_question",
    "tag_question", "others_said_claim", "explain_role", "explain_process", "offer_break",
    "offer_interpreter", "offer_support", "offer_choice", "summary_check", "thanks", "false_promise",
    "over_identification", "bare_admin", "contempt", "sarcasm", "polite_pressure",
    "bureaucratic_pressure", "rushing_as_thanks", "implicit_blame", "disbelief_as_curiosity",
    "bargaining", "conditional_help", "family_pressure", "moralising", "over_familiar_offer",
    "talking_about_absent", "graphic_detail_request", "sexual_detail_request", "accent_mockery",
    "cultural_mockery", "implied_consequence", "normalising", "empathic_reflection",
]
REQUIRED_PREFIXES = ["chit_chat_", "meta_"]
RESTRICTED = re.compile(r"\b(prison\w*|jail\w*|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|"
                        r"prostitut\w*|whores?|stupid\w*|idiot\w*|sluts?|illegal\w*)\b", re.I)

errors = []


def err(msg):
    errors.append(msg)


def main():
    utts = [json.loads(l) for l in open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") if l.strip()]
    ivs = json.load(open(os.path.join(HERE, "interviews.json"), encoding="utf-8"))

    # keys and values
    for i, u in enumerate(utts, 1):
        if set(u) != KEYS:
            err(f"line {i}: keys {sorted(u)}")
            continue
        if u["question_type"] not in QTYPES: err(f"line {i}: question_type {u['question_type']}")
        if u["tone"] not in TONES: err(f"line {i}: tone {u['tone']}")
        if not isinstance(u["recommended"], bool): err(f"line {i}: recommended not bool")
        if not isinstance(u["minor_context"], bool): err(f"line {i}: minor_context not bool")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"]): err(f"line {i}: kind {u['kind']!r}")
        if not u["text"].strip(): err(f"line {i}: empty text")
        k = u["kind"]
        if u["tone"] == "harmful" and u["recommended"]: err(f"line {i}: harmful and recommended")
        if u["recommended"] and (k in NEVER_REC_KINDS or k.startswith(NEVER_REC_PREFIXES)):
            err(f"line {i}: kind {k} must never be recommended")
        if u["recommended"] and u["question_type"] == "suggestive":
            err(f"line {i}: suggestive line recommended")
        if u["recommended"] and u["question_type"] == "option_posing" and k not in OPT_REC_KINDS:
            err(f"line {i}: option-posing recommended but not a process offer or summary check ({k})")
        if k.startswith(NEVER_REC_PREFIXES) and u["question_type"] != "statement":
            err(f"line {i}: {k} must be a statement")

    # duplicates
    dup = [t for t, c in Counter(u["text"].lower() for u in utts).items() if c > 1]
    for t in dup: err(f"duplicate text: {t}")

    # interview-level counts
    if len(ivs) != 25: err(f"{len(ivs)} interviews, want 25")
    if sorted(iv["interview"] for iv in ivs) != list(range(1, 26)): err("interview numbers not 1..25")
    if sum(len(iv["lines"]) for iv in ivs) != len(utts): err("interviews.json and utterances.jsonl differ")
    for iv in ivs:
        n = len(iv["lines"])
        if not 21 <= n <= 22: err(f"interview {iv['interview']}: {n} lines, want 21-22")
        if iv["minor"] != (iv["age"] < 18): err(f"interview {iv['interview']}: minor flag vs age")
        if iv["minor"] and not 13 <= iv["age"] <= 17: err(f"interview {iv['interview']}: minor age out of range")
        for u in iv["lines"]:
            if u["minor_context"] != iv["minor"]: err(f"interview {iv['interview']}: minor_context mismatch")
    minors = sum(iv["minor"] for iv in ivs)
    looks = sum(iv["lookalike"] for iv in ivs)
    countries = {iv["country"] for iv in ivs}
    styles = Counter(iv["style"].split(":")[0].strip() for iv in ivs)
    if minors != 12: err(f"{minors} minor interviews, want 12")
    if looks != 3: err(f"{looks} look-alikes, want 3")
    if len(countries) < 12: err(f"{len(countries)} countries, want >= 12")
    if styles != Counter({"excellent": 5, "poor": 7, "mixed": 13}): err(f"styles {dict(styles)}")
    if not 530 <= len(utts) <= 550: err(f"{len(utts)} utterances, want 530-550")

    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140: err(f"{len(harmful)} harmful lines, want >= 140")
    restricted = [u["text"] for u in harmful if RESTRICTED.search(u["text"])]
    if len(restricted) > 6: err(f"{len(restricted)} harmful lines with restricted words, max 6")
    harm_q = Counter(u["question_type"] for u in harmful)
    for q in QTYPES:
        if harm_q[q] == 0: err(f"no harmful {q} lines")
    chit = [u for u in utts if u["kind"].startswith("chit_chat_")]
    meta = [u for u in utts if u["kind"].startswith("meta_")]
    if not 10 <= len(chit) <= 18: err(f"{len(chit)} chit-chat lines, want about 14")
    if not 8 <= len(meta) <= 14: err(f"{len(meta)} meta lines, want about 11")
    kinds = Counter(u["kind"] for u in utts)
    for k in REQUIRED_KINDS:
        if kinds[k] == 0: err(f"required kind missing: {k}")
    for p in REQUIRED_PREFIXES:
        if not any(k.startswith(p) for k in kinds): err(f"required kind prefix missing: {p}*")

    # figures
    n = len(utts)
    pct = lambda c: f"{c:4d} ({100*c/n:5.1f}%)"
    print(f"interviews: {len(ivs)}  utterances: {n}  minors: {minors}  adults: {len(ivs)-minors}  "
          f"look-alikes: {looks}  countries: {len(countries)}  styles: {dict(styles)}")
    print(f"minor_context lines: {pct(sum(u['minor_context'] for u in utts))}")
    print("question_type:")
    for q in QTYPES: print(f"  {q:14s} {pct(sum(u['question_type']==q for u in utts))}")
    print("tone:")
    for t in TONES: print(f"  {t:14s} {pct(sum(u['tone']==t for u in utts))}")
    print("recommended:")
    for r in (True, False): print(f"  {str(r):14s} {pct(sum(u['recommended'] is r for u in utts))}")
    print("harmful by question_type: " + ", ".join(f"{q}={harm_q[q]}" for q in QTYPES))
    print("recommended by question_type: " + ", ".join(
        f"{q}={sum(u['recommended'] and u['question_type']==q for u in utts)}" for q in QTYPES))
    print(f"chit-chat lines: {len(chit)}  meta lines: {len(meta)}  "
          f"harmful with restricted words: {len(restricted)}  distinct kinds: {len(kinds)}")
    if errors:
        print(f"\nFAILED ({len(errors)}):")
        for e in errors: print("  " + e)
        sys.exit(1)
    print("\nOK: all checks passed")


if __name__ == "__main__":
    main()
