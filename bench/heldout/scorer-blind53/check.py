#!/usr/bin/env python3
"""Validate utterances.jsonl and interviews.json against the brief; print figures; exit 1 on failure."""
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTS = ["invitation", "directive", "option_posing", "suggestive", "statement"]
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
# kinds that may never be recommended (prefix match for *)
NEVER_RECOMMENDED = [
    "chit_chat_*", "meta_*", "bare_admin", "false_promise", "over_identification",
    "yes_no_question", "either_or_question", "tag_question", "others_said_claim",
    "leading_question",
]
# harmful-act kinds must be tone harmful
HARMFUL_KINDS = [
    "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure", "rushing_as_thanks",
    "implicit_blame", "disbelief_as_curiosity", "bargaining", "conditional_help",
    "family_pressure", "moralising", "over_familiar_offer", "over_familiar_remark",
    "talking_about_absent", "graphic_detail_request", "sexual_detail_request",
    "accent_mockery", "cultural_mockery", "implied_consequence",
]
# option-posing lines may be recommended only for these process kinds
OPT_PROCESS_KINDS = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
                     "summary_check", "offer_questions"}
RECOMMENDED_OK_KINDS = OPT_PROCESS_KINDS | {
    "open_invitation", "cued_invitation", "clarify_detail", "explain_role",
    "explain_process", "thanks", "empathic_reflection", "normalising", "honest_next_steps"}
RESTRICTED = re.compile(
    r"\b(prisons?|prisoners?|jail(s|ed)?|liars?|lie|lies|lied|lying|arrest(s|ed|ing)?|"
    r"deport(s|ed|ing|ation|ations)?|prostitut\w*|whores?|stupid\w*|idiot\w*|sluts?|"
    r"illegal(ly)?)\b", re.I)
MAX_RESTRICTED_HARMFUL = 6


def match(kind, patterns):
    return any(kind.startswith(p[:-1]) if p.endswith("*") else kind == p for p in patterns)


def main():
    fails = []
    utts = [json.loads(l) for l in (HERE / "utterances.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    ivs = json.loads((HERE / "interviews.json").read_text(encoding="utf-8"))

    # per-utterance checks
    for i, u in enumerate(utts, 1):
        tag = f"utterance {i} ({u.get('text', '')[:50]!r})"
        if set(u) != KEYS:
            fails.append(f"{tag}: keys {sorted(u)}")
            continue
        if u["question_type"] not in QTS:
            fails.append(f"{tag}: question_type {u['question_type']}")
        if u["tone"] not in TONES:
            fails.append(f"{tag}: tone {u['tone']}")
        if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
            fails.append(f"{tag}: booleans")
        if not isinstance(u["text"], str) or not u["text"].strip():
            fails.append(f"{tag}: empty text")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"]):
            fails.append(f"{tag}: kind not snake_case: {u['kind']}")
        if u["tone"] == "harmful" and u["recommended"]:
            fails.append(f"{tag}: harmful and recommended")
        if u["recommended"] and match(u["kind"], NEVER_RECOMMENDED):
            fails.append(f"{tag}: kind {u['kind']} can never be recommended")
        if u["recommended"] and u["question_type"] == "suggestive":
            fails.append(f"{tag}: suggestive and recommended")
        if u["recommended"] and u["question_type"] == "option_posing" and u["kind"] not in OPT_PROCESS_KINDS:
            fails.append(f"{tag}: substantive option-posing marked recommended")
        if u["recommended"] and u["kind"] not in RECOMMENDED_OK_KINDS:
            fails.append(f"{tag}: recommended with unexpected kind {u['kind']}")
        if match(u["kind"], HARMFUL_KINDS) and u["tone"] != "harmful":
            fails.append(f"{tag}: harmful kind {u['kind']} not tone harmful")
        if (u["kind"].startswith("chit_chat_") or u["kind"].startswith("meta_")) and u["question_type"] != "statement":
            fails.append(f"{tag}: chit-chat/meta must be statement")

    # duplicates
    dup = [t for t, c in Counter(u["text"].strip().lower() for u in utts).items() if c > 1]
    if dup:
        fails.append(f"duplicate texts: {dup}")

    # interview-level checks
    flat = [u for iv in ivs for u in iv["lines"]]
    if flat != utts:
        fails.append("interviews.json and utterances.jsonl disagree")
    if len(ivs) != 25:
        fails.append(f"{len(ivs)} interviews, expected 25")
    for iv in ivs:
        n = len(iv["lines"])
        if not 21 <= n <= 22:
            fails.append(f"interview {iv['interview']}: {n} lines (want 21-22)")
        if iv["minor"] != (13 <= iv["age"] <= 17):
            fails.append(f"interview {iv['interview']}: age {iv['age']} vs minor {iv['minor']}")
        if any(u["minor_context"] != iv["minor"] for u in iv["lines"]):
            fails.append(f"interview {iv['interview']}: minor_context mismatch")
        if iv["style"].startswith("excellent") and any(u["tone"] == "harmful" for u in iv["lines"]):
            fails.append(f"interview {iv['interview']}: excellent style with harmful line")
    minors = sum(iv["minor"] for iv in ivs)
    looks = sum(iv["lookalike"] for iv in ivs)
    styles = Counter(iv["style"].split(":")[0].strip() for iv in ivs)
    countries = {iv["country"] for iv in ivs}
    if minors != 12:
        fails.append(f"{minors} minor interviews, expected 12")
    if looks != 3:
        fails.append(f"{looks} look-alikes, expected 3")
    if (styles["excellent"], styles["poor"], styles["mixed"]) != (5, 7, 13):
        fails.append(f"styles {dict(styles)}, expected excellent 5 / poor 7 / mixed 13")
    if len(countries) < 12:
        fails.append(f"only {len(countries)} countries")
    if not 530 <= len(utts) <= 550:
        fails.append(f"{len(utts)} utterances, want 530-550")

    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fails.append(f"only {len(harmful)} harmful lines (want >= 140)")
    restricted = [u["text"] for u in harmful if RESTRICTED.search(u["text"])]
    if len(restricted) > MAX_RESTRICTED_HARMFUL:
        fails.append(f"{len(restricted)} harmful lines with restricted words (max {MAX_RESTRICTED_HARMFUL})")
    harm_qt = Counter(u["question_type"] for u in harmful)
    for q in QTS:
        if harm_qt[q] == 0:
            fails.append(f"no harmful line of type {q}")

    kinds = Counter(u["kind"] for u in utts)
    for k in REQUIRED_KINDS:
        if not any(match(x, [k]) for x in kinds):
            fails.append(f"required kind missing: {k}")
    chit = sum(c for k, c in kinds.items() if k.startswith("chit_chat_"))
    meta = sum(c for k, c in kinds.items() if k.startswith("meta_"))
    if not 10 <= chit <= 18:
        fails.append(f"{chit} chit-chat lines (want about 14)")
    if not 8 <= meta <= 14:
        fails.append(f"{meta} meta lines (want about 11)")
    if any(u["recommended"] or u["tone"] == "harmful" for u in utts
           if u["kind"].startswith("chit_chat_") or u["kind"].startswith("meta_")):
        fails.append("chit-chat/meta lines must be neutral and not recommended")

    # figures
    N = len(utts)
    pct = lambda c: f"{c:4d} ({100 * c / N:5.1f}%)"
    print(f"interviews: {len(ivs)}  utterances: {N}  minor interviews: {minors}  "
          f"look-alikes: {looks}  countries: {len(countries)}  styles: {dict(styles)}")
    print(f"minor_context lines: {pct(sum(u['minor_context'] for u in utts))}")
    print("question_type:")
    for q in QTS:
        print(f"  {q:14s} {pct(sum(u['question_type'] == q for u in utts))}")
    print("tone:")
    for t in TONES:
        print(f"  {t:14s} {pct(sum(u['tone'] == t for u in utts))}")
    print("recommended:")
    for r in (True, False):
        print(f"  {str(r):14s} {pct(sum(u['recommended'] is r for u in utts))}")
    print("harmful lines by question_type: " + ", ".join(f"{q} {harm_qt[q]}" for q in QTS))
    print(f"harmful lines with restricted words: {len(restricted)} (max {MAX_RESTRICTED_HARMFUL})")
    for t in restricted:
        print(f"    - {t}")
    print(f"chit-chat lines: {chit}  meta lines: {meta}  distinct kinds: {len(kinds)}")
    print("kinds: " + ", ".join(f"{k} {c}" for k, c in sorted(kinds.items(), key=lambda x: (-x[1], x[0]))))

    if fails:
        print("\nFAILURES:")
        for f in fails:
            print("  - " + f)
        sys.exit(1)
    print("\nALL CHECKS PASSED")


if __name__ == "__main__":
    main()
