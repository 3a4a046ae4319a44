#!/usr/bin/env python3
"""Validate the blind61 evaluation set and print figures per label. Exit 1 on any failure."""
import collections, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTS = ["invitation", "directive", "option_posing", "suggestive", "statement"]
TONES = ["supportive", "neutral", "harmful"]

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
# kinds that must always be harmful
HARMFUL_KINDS = {
    "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure", "rushing_as_thanks",
    "implicit_blame", "disbelief_as_curiosity", "bargaining", "conditional_help", "family_pressure",
    "moralising", "over_familiar_offer", "talking_about_absent", "graphic_detail_request",
    "sexual_detail_request", "accent_mockery", "cultural_mockery", "implied_consequence",
}
NEVER_RECOMMENDED = HARMFUL_KINDS | {
    "yes_no_question", "either_or_question", "tag_question", "others_said_claim", "false_promise",
    "over_identification", "bare_admin"}
NEVER_RECOMMENDED_PREFIX = ("chit_chat_", "meta_")
STATEMENT_PREFIX = ("chit_chat_", "meta_")
# option-posing lines may be recommended only when they are process offers or summary checks
PROCESS_OPTION_KINDS = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
                        "summary_check", "ask_permission"}
RESTRICTED = re.compile(r"\b(prison\w*|jail\w*|liar\w*|lie|lies|lied|lying|arrest\w*|deport\w*|"
                        r"prostitut\w*|whore\w*|stupid\w*|idiot\w*|slut\w*|illegal\w*)\b", re.I)

failures = []


def fail(msg):
    failures.append(msg)


def main():
    utts = [json.loads(l) for l in open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") if l.strip()]
    ivs = json.load(open(os.path.join(HERE, "interviews.json"), encoding="utf-8"))

    # per-line checks
    for i, u in enumerate(utts, 1):
        tag = f"line {i} ({u.get('text', '')[:50]!r})"
        if set(u) != KEYS:
            fail(f"{tag}: keys {sorted(u)}")
            continue
        if u["question_type"] not in QTS: fail(f"{tag}: question_type {u['question_type']}")
        if u["tone"] not in TONES: fail(f"{tag}: tone {u['tone']}")
        if not isinstance(u["recommended"], bool): fail(f"{tag}: recommended not bool")
        if not isinstance(u["minor_context"], bool): fail(f"{tag}: minor_context not bool")
        if not isinstance(u["text"], str) or not u["text"].strip(): fail(f"{tag}: empty text")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"]): fail(f"{tag}: kind not snake_case")
        k = u["kind"]
        if u["tone"] == "harmful" and u["recommended"]: fail(f"{tag}: harmful and recommended")
        if u["recommended"] and (k in NEVER_RECOMMENDED or k.startswith(NEVER_RECOMMENDED_PREFIX)):
            fail(f"{tag}: kind {k} must never be recommended")
        if k in HARMFUL_KINDS and u["tone"] != "harmful": fail(f"{tag}: kind {k} must be harmful")
        if k.startswith(STATEMENT_PREFIX) and u["question_type"] != "statement":
            fail(f"{tag}: {k} must be a statement")
        if u["question_type"] == "suggestive" and u["recommended"]: fail(f"{tag}: suggestive recommended")
        if u["question_type"] == "option_posing" and u["recommended"] and k not in PROCESS_OPTION_KINDS:
            fail(f"{tag}: substantive option-posing marked recommended")
        if k in ("tag_question", "others_said_claim") and u["question_type"] != "suggestive":
            fail(f"{tag}: {k} must be suggestive")
        if k in ("yes_no_question", "either_or_question") and u["question_type"] != "option_posing":
            fail(f"{tag}: {k} must be option_posing")

    # duplicates
    seen = collections.Counter(u["text"].strip().lower() for u in utts)
    for t, c in seen.items():
        if c > 1: fail(f"duplicate text x{c}: {t[:60]!r}")

    # interview-level checks
    if len(ivs) != 25: fail(f"{len(ivs)} interviews, need 25")
    if sorted(iv["interview"] for iv in ivs) != list(range(1, 26)): fail("interview numbers not 1..25")
    for iv in ivs:
        n = len(iv["lines"])
        if not 21 <= n <= 22: fail(f"interview {iv['interview']}: {n} lines")
        if iv["minor"] != (iv["age"] < 18): fail(f"interview {iv['interview']}: minor flag vs age")
        if iv["minor"] and not 13 <= iv["age"] <= 17: fail(f"interview {iv['interview']}: minor age")
        if any(u["minor_context"] != iv["minor"] for u in iv["lines"]):
            fail(f"interview {iv['interview']}: minor_context mismatch")
    if sum(len(iv["lines"]) for iv in ivs) != len(utts): fail("interviews.json and utterances.jsonl differ")
    if not 530 <= len(utts) <= 550: fail(f"{len(utts)} utterances, need 530-550")
    minors = sum(iv["minor"] for iv in ivs)
    if minors != 12: fail(f"{minors} minor interviews, need 12")
    looks = sum(iv["lookalike"] for iv in ivs)
    if looks != 3: fail(f"{looks} look-alikes, need 3")
    countries = {iv["country"] for iv in ivs}
    if len(countries) < 12: fail(f"{len(countries)} countries, need 12+")
    styles = collections.Counter(iv["style"].split(":")[0].split()[0] for iv in ivs)
    if styles != collections.Counter({"excellent": 5, "poor": 7, "mixed": 13}):
        fail(f"styles {dict(styles)}, need excellent 5 / poor 7 / mixed 13")

    # label-level checks
    harm = [u for u in utts if u["tone"] == "harmful"]
    if len(harm) < 140: fail(f"{len(harm)} harmful lines, need 140+")
    restricted = [u["text"] for u in harm if RESTRICTED.search(u["text"])]
    if len(restricted) > 6: fail(f"{len(restricted)} harmful lines with restricted words, max 6")
    harm_qt = collections.Counter(u["question_type"] for u in harm)
    for q in QTS:
        if harm_qt[q] == 0: fail(f"no harmful {q} line")
    chit = sum(u["kind"].startswith("chit_chat_") for u in utts)
    meta = sum(u["kind"].startswith("meta_") for u in utts)
    if not 12 <= chit <= 16: fail(f"{chit} chit-chat lines, need about 14")
    if not 9 <= meta <= 13: fail(f"{meta} meta lines, need about 11")
    kinds = collections.Counter(u["kind"] for u in utts)
    for rk in REQUIRED_KINDS:
        if rk.endswith("*"):
            if not any(k.startswith(rk[:-1]) for k in kinds): fail(f"missing kind {rk}")
        elif kinds[rk] == 0:
            fail(f"missing kind {rk}")

    # figures
    N = len(utts)
    pct = lambda c: f"{c:4d} ({100 * c / N:5.1f}%)"
    print(f"interviews: {len(ivs)}  utterances: {N}  minor interviews: {minors}  look-alikes: {looks}  "
          f"countries: {len(countries)}  styles: {dict(styles)}")
    print(f"minor_context true: {sum(u['minor_context'] for u in utts)}")
    for name, key, order in (("question_type", "question_type", QTS), ("tone", "tone", TONES),
                             ("recommended", "recommended", [True, False])):
        c = collections.Counter(u[key] for u in utts)
        print(f"{name}:")
        for v in order: print(f"  {str(v):14s} {pct(c[v])}")
    print("harmful lines by question_type:")
    for q in QTS: print(f"  {q:14s} {harm_qt[q]:4d}")
    print("recommended by question_type:")
    rq = collections.Counter(u["question_type"] for u in utts if u["recommended"])
    for q in QTS: print(f"  {q:14s} {rq[q]:4d}")
    print(f"harmful lines with restricted words: {len(restricted)}")
    print(f"chit-chat lines: {chit}  meta (simulator) lines: {meta}  distinct kinds: {len(kinds)}")
    print("kinds:", ", ".join(f"{k}={v}" for k, v in sorted(kinds.items())))

    if failures:
        print("\nFAILURES:")
        for f in failures: print("  -", f)
        sys.exit(1)
    print("\nALL CHECKS PASSED")


if __name__ == "__main__":
    main()
