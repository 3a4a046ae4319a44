#!/usr/bin/env python3
"""Validate the blind evaluation set and print figures per label. Exit 1 on any failure."""
import json, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTS = ["invitation", "directive", "option_posing", "suggestive", "statement"]
TONES = ["supportive", "neutral", "harmful"]
RESTRICTED = re.compile(r"\b(prison\w*|jail\w*|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|"
                        r"prostitut\w*|whores?|stupid\w*|idiot\w*|sluts?|illegal\w*)\b", re.I)
REQUIRED_KINDS = [
    "open_invitation", "cued_invitation", "clarify_detail", "yes_no_question", "either_or_question",
    "tag_question", "others_said_claim", "explain_role", "explain_process", "offer_break",
    "offer_interpreter", "offer_support", "offer_choice", "summary_check", "thanks", "false_promise",
    "over_identification", "bare_admin", "contempt", "sarcasm", "polite_pressure",
    "bureaucratic_pressure", "rushing_as_thanks", "implicit_blame", "disbelief_as_curiosity",
    "bargaining", "conditional_help", "family_pressure", "moralising", "over_familiar_offer",
    "talking_about_absent", "graphic_detail_request", "sexual_detail_request", "accent_mockery",
    "cultural_mockery", "implied_consequence", "chit_chat_*", "meta_*",
]
NEVER_RECOMMENDED = ("chit_chat_", "meta_", "bare_admin", "false_promise", "over_identification")
OPT_OK = {"offer_break", "offer_interpreter", "offer_support", "offer_choice", "offer_questions",
          "summary_check"}
fails = []


def fail(msg):
    fails.append(msg)


def main():
    utts = [json.loads(l) for l in open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8")]
    ivs = json.load(open(os.path.join(HERE, "interviews.json"), encoding="utf-8"))

    # keys and values
    for i, u in enumerate(utts, 1):
        if set(u) != KEYS:
            fail(f"utterance {i}: keys {sorted(u)}")
        if u["question_type"] not in QTS or u["tone"] not in TONES:
            fail(f"utterance {i}: bad label values")
        if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
            fail(f"utterance {i}: booleans required")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"]):
            fail(f"utterance {i}: kind not snake_case: {u['kind']}")
        if not u["text"].strip():
            fail(f"utterance {i}: empty text")
        k, t = u["kind"], u["text"][:60]
        if u["tone"] == "harmful" and u["recommended"]:
            fail(f"harmful and recommended: {t}")
        if k.startswith(NEVER_RECOMMENDED) and u["recommended"]:
            fail(f"never-recommended kind {k} recommended: {t}")
        if k.startswith(("chit_chat_", "meta_")) and u["question_type"] != "statement":
            fail(f"{k} must be a statement: {t}")
        if u["question_type"] == "suggestive" and u["recommended"]:
            fail(f"suggestive recommended: {t}")
        if u["question_type"] == "option_posing" and u["recommended"] and k not in OPT_OK:
            fail(f"substantive option-posing recommended: {t}")

    # duplicates
    dup = [t for t, c in Counter(u["text"].strip().lower() for u in utts).items() if c > 1]
    if dup:
        fail(f"duplicate texts: {dup}")

    # interview structure
    if len(ivs) != 25:
        fail(f"{len(ivs)} interviews, want 25")
    if sorted(i["interview"] for i in ivs) != list(range(1, 26)):
        fail("interview numbers not 1..25")
    flat = [u for i in ivs for u in i["lines"]]
    if flat != utts:
        fail("interviews.json and utterances.jsonl disagree")
    for i in ivs:
        n = len(i["lines"])
        if not 21 <= n <= 22:
            fail(f"interview {i['interview']}: {n} lines, want 21-22")
        if i["minor"] != (i["age"] < 18):
            fail(f"interview {i['interview']}: minor flag vs age")
        if i["minor"] and not 13 <= i["age"] <= 17:
            fail(f"interview {i['interview']}: minor age out of 13-17")
        if any(u["minor_context"] != i["minor"] for u in i["lines"]):
            fail(f"interview {i['interview']}: minor_context mismatch")
    if not 530 <= len(utts) <= 550:
        fail(f"{len(utts)} utterances, want 530-550")
    minors = sum(i["minor"] for i in ivs)
    looks = sum(i["lookalike"] for i in ivs)
    countries = {i["country"] for i in ivs}
    styles = Counter(i["style"].split(":")[0].strip() for i in ivs)
    if minors != 12:
        fail(f"{minors} minor interviews, want 12")
    if looks != 3:
        fail(f"{looks} look-alikes, want 3")
    if len(countries) < 12:
        fail(f"{len(countries)} countries, want >= 12")
    if styles != Counter({"excellent": 5, "poor": 7, "mixed": 13}):
        fail(f"styles {dict(styles)}")

    # harm
    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fail(f"{len(harmful)} harmful lines, want >= 140")
    restricted = [u["text"] for u in harmful if RESTRICTED.search(u["text"])]
    if len(restricted) > 6:
        fail(f"{len(restricted)} harmful lines with restricted words, max 6")
    harm_qt = Counter(u["question_type"] for u in harmful)
    for q in QTS:
        if harm_qt[q] == 0:
            fail(f"no harmful {q} line")
    chit = sum(u["kind"].startswith("chit_chat_") for u in utts)
    meta = sum(u["kind"].startswith("meta_") for u in utts)
    if not 10 <= chit <= 18:
        fail(f"{chit} chit-chat lines, want about 14")
    if not 8 <= meta <= 14:
        fail(f"{meta} meta lines, want about 11")

    # required kinds
    kinds = Counter(u["kind"] for u in utts)
    for rk in REQUIRED_KINDS:
        if rk.endswith("*"):
            ok = any(k.startswith(rk[:-1]) for k in kinds)
        else:
            ok = rk in kinds
        if not ok:
            fail(f"required kind missing: {rk}")

    # figures
    n = len(utts)
    pct = lambda c: f"{c:4d} ({100 * c / n:5.1f}%)"
    print(f"interviews: {len(ivs)}  utterances: {n}  minors: {minors}  adults: {len(ivs) - minors}  "
          f"look-alikes: {looks}  countries: {len(countries)}")
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
    print("minor_context:")
    for r in (True, False):
        print(f"  {str(r):14s} {pct(sum(u['minor_context'] is r for u in utts))}")
    print("harmful by question_type: " + ", ".join(f"{q} {harm_qt[q]}" for q in QTS))
    print(f"harmful lines with restricted words: {len(restricted)}")
    print(f"chit-chat lines: {chit}  meta lines: {meta}  distinct kinds: {len(kinds)}")
    print("question_type x tone:")
    for q in QTS:
        print(f"  {q:14s} " + "  ".join(f"{t[:3]} {sum(u['question_type'] == q and u['tone'] == t for u in utts):3d}" for t in TONES)
              + f"  rec {sum(u['question_type'] == q and u['recommended'] for u in utts):3d}")
    if fails:
        print("\nFAILURES:")
        for f in fails:
            print("  " + f)
        sys.exit(1)
    print("\nALL CHECKS PASSED")


if __name__ == "__main__":
    main()
