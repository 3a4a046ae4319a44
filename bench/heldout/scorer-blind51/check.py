#!/usr/bin/env python3
"""Validate the blind evaluation set; print figures per label; exit 1 on any failure."""
import json, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTS = {"invitation", "directive", "option_posing", "suggestive", "statement"}
TONES = {"supportive", "neutral", "harmful"}
RESTRICTED = re.compile(
    r"\b(prison\w*|jail\w*|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|prostitut\w*|"
    r"whores?|stupid\w*|idiot\w*|sluts?|slutty|illegal\w*)\b", re.I)
MAX_RESTRICTED_HARMFUL = 6
NEVER_RECOMMENDED = ("chit_chat_", "meta_", "bare_admin", "false_promise", "over_identification",
                     "yes_no_question", "either_or_question", "tag_question", "others_said_claim",
                     "leading_question", "evidence_confrontation")
STATEMENT_KINDS = ("chit_chat_", "meta_")
REQUIRED_KINDS = [
    "open_invitation", "cued_invitation", "clarify_detail", "yes_no_question", "either_or_question",
    "tag_question", "others_said_claim", "explain_role", "explain_process", "offer_break",
    "offer_interpreter", "offer_support", "offer_choice", "summary_check", "thanks", "false_promise",
    "over_identification", "bare_admin", "contempt", "sarcasm", "polite_pressure",
    "bureaucratic_pressure", "rushing_as_thanks", "implicit_blame", "disbelief_as_curiosity",
    "bargaining", "conditional_help", "family_pressure", "moralising", "over_familiar_offer",
    "talking_about_absent", "graphic_detail_request", "sexual_detail_request", "accent_mockery",
    "cultural_mockery", "implied_consequence", "chit_chat_*", "meta_*"]
ALWAYS_HARMFUL = ("contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure",
                  "rushing_as_thanks", "implicit_blame", "disbelief_as_curiosity", "bargaining",
                  "conditional_help", "family_pressure", "moralising", "over_familiar_offer",
                  "talking_about_absent", "graphic_detail_request", "sexual_detail_request",
                  "accent_mockery", "cultural_mockery", "implied_consequence")

errors = []


def fail(msg):
    errors.append(msg)


def main():
    utt = [json.loads(l) for l in open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") if l.strip()]
    ivs = json.load(open(os.path.join(HERE, "interviews.json"), encoding="utf-8"))

    # keys and values
    for i, u in enumerate(utt):
        if set(u) != KEYS:
            fail(f"utterance {i}: keys {sorted(u)}")
            continue
        if u["question_type"] not in QTS: fail(f"utterance {i}: question_type {u['question_type']}")
        if u["tone"] not in TONES: fail(f"utterance {i}: tone {u['tone']}")
        if not isinstance(u["recommended"], bool): fail(f"utterance {i}: recommended not bool")
        if not isinstance(u["minor_context"], bool): fail(f"utterance {i}: minor_context not bool")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"]): fail(f"utterance {i}: kind {u['kind']!r}")
        if not u["text"] or "|" in u["text"]: fail(f"utterance {i}: bad text")
        if u["tone"] == "harmful" and u["recommended"]: fail(f"harmful and recommended: {u['text']}")
        if u["kind"].startswith(NEVER_RECOMMENDED) and u["recommended"]:
            fail(f"never-recommended kind {u['kind']} marked recommended: {u['text']}")
        if u["kind"] in ALWAYS_HARMFUL and u["tone"] != "harmful":
            fail(f"kind {u['kind']} not harmful: {u['text']}")
        if u["kind"].startswith(STATEMENT_KINDS) and u["question_type"] != "statement":
            fail(f"{u['kind']} must be a statement: {u['text']}")
        if u["question_type"] == "suggestive" and u["recommended"]:
            fail(f"suggestive line recommended: {u['text']}")
        if u["question_type"] == "option_posing" and u["recommended"] and not u["kind"].startswith(
                ("offer_", "summary_check")):
            fail(f"option-posing recommended but not a process offer or summary check: {u['text']}")

    # duplicates
    dup = [t for t, c in Counter(u["text"].lower() for u in utt).items() if c > 1]
    if dup: fail(f"duplicate texts: {dup}")

    # restricted words
    restricted = [u["text"] for u in utt if u["tone"] == "harmful" and RESTRICTED.search(u["text"])]
    if len(restricted) > MAX_RESTRICTED_HARMFUL:
        fail(f"{len(restricted)} harmful lines with restricted words (max {MAX_RESTRICTED_HARMFUL})")

    # interviews
    if len(ivs) != 25: fail(f"{len(ivs)} interviews, want 25")
    if sorted(iv["interview"] for iv in ivs) != list(range(1, 26)): fail("interview numbers not 1..25")
    flat = [u for iv in ivs for u in iv["lines"]]
    if flat != utt: fail("interviews.json and utterances.jsonl disagree")
    for iv in ivs:
        if not 21 <= len(iv["lines"]) <= 22: fail(f"interview {iv['interview']}: {len(iv['lines'])} lines")
        if iv["minor"] != (iv["age"] < 18): fail(f"interview {iv['interview']}: minor flag vs age")
        if iv["minor"] and not 13 <= iv["age"] <= 17: fail(f"interview {iv['interview']}: minor age")
        if any(u["minor_context"] != iv["minor"] for u in iv["lines"]):
            fail(f"interview {iv['interview']}: minor_context mismatch")
    n_minor = sum(iv["minor"] for iv in ivs)
    n_look = sum(iv["lookalike"] for iv in ivs)
    countries = {iv["country"] for iv in ivs}
    styles = Counter(iv["style"].split(":")[0] for iv in ivs)
    if n_minor != 12: fail(f"{n_minor} minor interviews, want 12")
    if n_look != 3: fail(f"{n_look} lookalikes, want 3")
    if len(countries) < 12: fail(f"{len(countries)} countries, want >= 12")
    if styles != Counter({"excellent": 5, "poor": 7, "mixed": 13}): fail(f"styles {dict(styles)}")
    if not 525 <= len(utt) <= 550: fail(f"{len(utt)} utterances, want about 530-550")

    harmful = [u for u in utt if u["tone"] == "harmful"]
    if len(harmful) < 140: fail(f"{len(harmful)} harmful lines, want >= 140")
    chit = [u for u in utt if u["kind"].startswith("chit_chat_")]
    meta = [u for u in utt if u["kind"].startswith("meta_")]
    if not 12 <= len(chit) <= 16: fail(f"{len(chit)} chit-chat lines, want about 14")
    if not 9 <= len(meta) <= 13: fail(f"{len(meta)} meta lines, want about 11")
    htypes = Counter(u["question_type"] for u in harmful)
    for q in QTS:
        if htypes[q] == 0: fail(f"no harmful line of type {q}")

    kinds = Counter(u["kind"] for u in utt)
    for k in REQUIRED_KINDS:
        if k.endswith("*"):
            if not any(x.startswith(k[:-1]) for x in kinds): fail(f"missing kind {k}")
        elif kinds[k] == 0:
            fail(f"missing kind {k}")

    # figures
    N = len(utt)
    def show(title, counter):
        print(title)
        for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0]))):
            print(f"  {str(k):<16}{v:>5}  {100 * v / N:5.1f}%")
    print(f"interviews {len(ivs)}  utterances {N}  minors {n_minor}  lookalikes {n_look}  "
          f"countries {len(countries)}  styles {dict(styles)}")
    show("question_type", Counter(u["question_type"] for u in utt))
    show("tone", Counter(u["tone"] for u in utt))
    show("recommended", Counter(u["recommended"] for u in utt))
    show("minor_context", Counter(u["minor_context"] for u in utt))
    print("harmful lines by question_type")
    for q, v in sorted(htypes.items(), key=lambda kv: -kv[1]):
        print(f"  {q:<16}{v:>5}  {100 * v / len(harmful):5.1f}% of harmful")
    print(f"harmful {len(harmful)}  harmful with restricted words {len(restricted)}  "
          f"chit-chat {len(chit)}  meta {len(meta)}  distinct kinds {len(kinds)}")
    if errors:
        print("\nFAILURES:")
        for e in errors:
            print("  - " + e)
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
