#!/usr/bin/env python3
"""Validate the blind evaluation set and print per-label figures. Exit 1 on any failure."""
import collections
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTS = ["invitation", "directive", "option_posing", "suggestive", "statement"]
TONES = ["supportive", "neutral", "harmful"]
RESTRICTED = re.compile(
    r"\b(prisons?|prisoners?|jail\w*|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|"
    r"prostitut\w*|whores?|stupid\w*|idiot\w*|sluts?|illegal\w*)\b", re.I)
MAX_RESTRICTED_HARMFUL = 6
NEVER_RECOMMENDED = {"bare_admin", "false_promise", "over_identification", "yes_no_question",
                     "either_or_question", "tag_question", "others_said_claim",
                     "leading_question", "evidence_confrontation", "clumsy_aside"}
NEVER_RECOMMENDED_PREFIX = ("chit_chat_", "meta_")
OPTION_RECOMMENDED_KINDS = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
                            "offer_questions", "summary_check", "check_understanding"}
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

errors = []


def fail(msg):
    errors.append(msg)


def main():
    utts = [json.loads(l) for l in open(HERE / "utterances.jsonl", encoding="utf-8") if l.strip()]
    ivs = json.load(open(HERE / "interviews.json", encoding="utf-8"))

    # keys and values
    for i, u in enumerate(utts, 1):
        if set(u) != KEYS:
            fail(f"line {i}: keys {sorted(u)}")
            continue
        if u["question_type"] not in QTS:
            fail(f"line {i}: question_type {u['question_type']}")
        if u["tone"] not in TONES:
            fail(f"line {i}: tone {u['tone']}")
        if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
            fail(f"line {i}: booleans")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"]):
            fail(f"line {i}: kind not snake_case: {u['kind']}")
        if not u["text"] or "|" in u["text"]:
            fail(f"line {i}: empty text or stray pipe")
        k, t = u["kind"], u["text"][:60]
        if u["tone"] == "harmful" and u["recommended"]:
            fail(f"line {i}: harmful and recommended: {t}")
        if (k in NEVER_RECOMMENDED or k.startswith(NEVER_RECOMMENDED_PREFIX)) and u["recommended"]:
            fail(f"line {i}: kind {k} must not be recommended: {t}")
        if k.startswith(NEVER_RECOMMENDED_PREFIX) and (u["question_type"] != "statement" or u["tone"] == "harmful"):
            fail(f"line {i}: {k} should be a non-harmful statement: {t}")
        if k in ("false_promise", "over_identification") and u["tone"] != "supportive":
            fail(f"line {i}: {k} should be supportive: {t}")
        if u["question_type"] == "suggestive" and u["recommended"]:
            fail(f"line {i}: suggestive recommended: {t}")
        if u["question_type"] == "option_posing" and u["recommended"] and k not in OPTION_RECOMMENDED_KINDS:
            fail(f"line {i}: option-posing recommended but not a process offer/summary: {t}")

    # duplicates
    seen = collections.Counter(u["text"].strip().lower() for u in utts)
    for text, c in seen.items():
        if c > 1:
            fail(f"duplicate text x{c}: {text[:60]}")

    # interviews
    if len(ivs) != 25:
        fail(f"{len(ivs)} interviews, want 25")
    if sorted(iv["interview"] for iv in ivs) != list(range(1, 26)):
        fail("interview numbers are not 1..25")
    for iv in ivs:
        n = len(iv["lines"])
        if not 21 <= n <= 22:
            fail(f"interview {iv['interview']}: {n} lines, want 21-22")
        if iv["minor"] != (iv["age"] < 18):
            fail(f"interview {iv['interview']}: minor flag vs age {iv['age']}")
        if iv["minor"] and not 13 <= iv["age"] <= 17:
            fail(f"interview {iv['interview']}: minor age {iv['age']} outside 13-17")
        if any(l["minor_context"] != iv["minor"] for l in iv["lines"]):
            fail(f"interview {iv['interview']}: minor_context mismatch")
    if sum(len(iv["lines"]) for iv in ivs) != len(utts):
        fail("interviews.json and utterances.jsonl disagree")
    minors = sum(iv["minor"] for iv in ivs)
    looks = sum(iv["lookalike"] for iv in ivs)
    countries = {iv["country"] for iv in ivs}
    styles = collections.Counter(iv["style"].split(" ")[0].split("(")[0] for iv in ivs)
    if minors != 12:
        fail(f"{minors} minor interviews, want 12")
    if looks != 3:
        fail(f"{looks} look-alikes, want 3")
    if len(countries) < 12:
        fail(f"{len(countries)} countries, want >= 12")
    if not 530 <= len(utts) <= 550:
        fail(f"{len(utts)} utterances, want 530-550")

    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fail(f"{len(harmful)} harmful lines, want >= 140")
    restricted = [u for u in harmful if RESTRICTED.search(u["text"])]
    if len(restricted) > MAX_RESTRICTED_HARMFUL:
        fail(f"{len(restricted)} harmful lines with restricted words, max {MAX_RESTRICTED_HARMFUL}")
    harm_qt = collections.Counter(u["question_type"] for u in harmful)
    for q in QTS:
        if harm_qt[q] == 0:
            fail(f"no harmful line of type {q}")
    chit = [u for u in utts if u["kind"].startswith("chit_chat_")]
    meta = [u for u in utts if u["kind"].startswith("meta_")]
    if not 12 <= len(chit) <= 16:
        fail(f"{len(chit)} chit-chat lines, want about 14")
    if not 9 <= len(meta) <= 13:
        fail(f"{len(meta)} meta lines, want about 11")
    kinds = collections.Counter(u["kind"] for u in utts)
    for req in REQUIRED_KINDS:
        if req.endswith("*"):
            if not any(k.startswith(req[:-1]) for k in kinds):
                fail(f"missing required kind {req}")
        elif req not in kinds:
            fail(f"missing required kind {req}")

    # figures
    N = len(utts)

    def show(title, counter, keys=None):
        print(title)
        for k in keys or sorted(counter):
            print(f"  {str(k):<15}{counter[k]:>5}  {100 * counter[k] / N:5.1f}%")

    print(f"utterances: {N}   interviews: {len(ivs)}   minor interviews: {minors} "
          f"({sum(u['minor_context'] for u in utts)} lines)   look-alikes: {looks}   countries: {len(countries)}")
    print(f"officer styles: {dict(styles)}")
    show("question_type:", collections.Counter(u["question_type"] for u in utts), QTS)
    show("tone:", collections.Counter(u["tone"] for u in utts), TONES)
    show("recommended:", collections.Counter(u["recommended"] for u in utts), [True, False])
    print("harmful lines by question_type:", {q: harm_qt[q] for q in QTS})
    print("recommended by question_type:",
          {q: sum(1 for u in utts if u["recommended"] and u["question_type"] == q) for q in QTS})
    print(f"harmful with restricted words: {len(restricted)} (max {MAX_RESTRICTED_HARMFUL})")
    print(f"chit-chat lines: {len(chit)}   meta (addressed to simulator) lines: {len(meta)}")
    print(f"distinct kinds: {len(kinds)}")
    print("kinds:", ", ".join(f"{k}={v}" for k, v in sorted(kinds.items())))
    if errors:
        print(f"\nFAILED ({len(errors)} problems):")
        for e in errors:
            print("  -", e)
        sys.exit(1)
    print("\nOK: all checks passed")


if __name__ == "__main__":
    main()
