#!/usr/bin/env python3
"""Validate the blind evaluation set and print its figures. Exit 1 on any failure."""
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
    "explain_process", "offer_break", "offer_interpreter", "offer_support", "offer_choice",
    "summary_check", "thanks", "false_promise", "over_identification", "bare_admin",
    "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure", "rushing_as_thanks",
    "implicit_blame", "disbelief_as_curiosity", "bargaining", "conditional_help",
    "family_pressure", "moralising", "over_familiar_offer", "talking_about_absent",
    "graphic_detail_request", "sexual_detail_request", "accent_mockery", "cultural_mockery",
    "implied_consequence",
]
REQUIRED_PREFIXES = ["chit_chat_", "meta_"]

# kinds that describe harm: must carry the harmful tone
HARM_KINDS = {
    "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure", "rushing_as_thanks",
    "implicit_blame", "disbelief_as_curiosity", "bargaining", "conditional_help",
    "family_pressure", "moralising", "over_familiar_offer", "talking_about_absent",
    "graphic_detail_request", "sexual_detail_request", "accent_mockery", "cultural_mockery",
    "implied_consequence", "forced_choice", "sexualising_remark",
}
# kinds that are never recommended, whatever the tone
NEVER_REC_KINDS = HARM_KINDS | {
    "bare_admin", "false_promise", "over_identification", "yes_no_question",
    "either_or_question", "tag_question", "others_said_claim", "leading_question",
    "over_familiar_remark",
}
NEVER_REC_PREFIXES = ("chit_chat_", "meta_")
# good-practice kinds: must be recommended (and therefore not harmful)
GOOD_KINDS = {
    "open_invitation", "cued_invitation", "clarify_detail", "explain_role", "explain_process",
    "offer_break", "offer_interpreter", "offer_support", "offer_choice", "summary_check",
    "thanks", "normalising", "empathic_reflection", "honest_next_steps",
}
# option-posing lines may be recommended only as process offers or summary checks
OPT_REC_KINDS = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
                 "summary_check", "process_question"}
RESTRICTED = re.compile(
    r"\b(prison\w*|jail\w*|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|prostitut\w*|"
    r"whor\w*|stupid\w*|idiot\w*|slut\w*|illegal\w*)\b", re.I)
MAX_RESTRICTED_HARMFUL = 6


def main():
    fails = []

    def fail(msg):
        fails.append(msg)

    utts = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                utts.append(json.loads(line))
            except json.JSONDecodeError as e:
                fail(f"utterances.jsonl:{n}: bad JSON ({e})")
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as f:
        interviews = json.load(f)

    # keys and values
    for i, u in enumerate(utts, 1):
        if set(u) != KEYS:
            fail(f"utterance {i}: keys {sorted(u)}")
            continue
        if u["question_type"] not in QTYPES:
            fail(f"utterance {i}: question_type {u['question_type']!r}")
        if u["tone"] not in TONES:
            fail(f"utterance {i}: tone {u['tone']!r}")
        if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
            fail(f"utterance {i}: recommended/minor_context must be booleans")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"]):
            fail(f"utterance {i}: kind not snake_case {u['kind']!r}")
        if not u["text"].strip():
            fail(f"utterance {i}: empty text")

    # labelling rules
    for i, u in enumerate(utts, 1):
        k, t, r, q = u["kind"], u["tone"], u["recommended"], u["question_type"]
        tag = f"utterance {i} ({k}): {u['text'][:60]!r}"
        if t == "harmful" and r:
            fail(f"{tag}: harmful and recommended")
        if r and (k in NEVER_REC_KINDS or k.startswith(NEVER_REC_PREFIXES)):
            fail(f"{tag}: kind is never recommended")
        if k in HARM_KINDS and t != "harmful":
            fail(f"{tag}: harm kind without harmful tone")
        if k in GOOD_KINDS and not r:
            fail(f"{tag}: good-practice kind not recommended")
        if q == "suggestive" and r:
            fail(f"{tag}: suggestive line recommended")
        if q == "option_posing" and r and k not in OPT_REC_KINDS:
            fail(f"{tag}: substantive option-posing line recommended")
        if k.startswith(NEVER_REC_PREFIXES) and q != "statement":
            fail(f"{tag}: chit-chat/meta must be a statement")
        if k in ("tag_question", "leading_question") and q != "suggestive":
            fail(f"{tag}: tag/leading question must be suggestive")
        if k in ("open_invitation", "cued_invitation") and q != "invitation":
            fail(f"{tag}: invitation kind with question_type {q}")

    # restricted words
    restricted = [u for u in utts if u["tone"] == "harmful" and RESTRICTED.search(u["text"])]
    if len(restricted) > MAX_RESTRICTED_HARMFUL:
        fail(f"{len(restricted)} harmful lines use restricted words (max {MAX_RESTRICTED_HARMFUL})")

    # duplicates
    norm = collections.Counter(re.sub(r"\s+", " ", u["text"].strip().lower()) for u in utts)
    for text, c in norm.items():
        if c > 1:
            fail(f"duplicate text x{c}: {text[:70]!r}")

    # interviews and consistency
    n_lines = sum(len(iv["lines"]) for iv in interviews)
    if n_lines != len(utts):
        fail(f"interviews.json has {n_lines} lines, utterances.jsonl {len(utts)}")
    flat = [u for iv in interviews for u in iv["lines"]]
    if flat != utts:
        fail("interviews.json lines differ from utterances.jsonl")
    if len(interviews) != 25:
        fail(f"{len(interviews)} interviews (need 25)")
    if [iv["interview"] for iv in interviews] != list(range(1, len(interviews) + 1)):
        fail("interview numbers not 1..N in order")
    for iv in interviews:
        tag = f"interview {iv['interview']:02d}"
        if not 21 <= len(iv["lines"]) <= 22:
            fail(f"{tag}: {len(iv['lines'])} lines (need 21-22)")
        if iv["minor"] != (iv["age"] < 18):
            fail(f"{tag}: minor flag does not match age {iv['age']}")
        if iv["minor"] and not 13 <= iv["age"] <= 17:
            fail(f"{tag}: minor age {iv['age']} outside 13-17")
        if any(u["minor_context"] != iv["minor"] for u in iv["lines"]):
            fail(f"{tag}: minor_context differs from header")
        if iv["style"].startswith("excellent") and any(u["tone"] == "harmful" for u in iv["lines"]):
            fail(f"{tag}: excellent interview has a harmful line")
    if not 530 <= len(utts) <= 550:
        fail(f"{len(utts)} utterances (need 530-550)")
    minors = sum(iv["minor"] for iv in interviews)
    if minors != 12:
        fail(f"{minors} minor interviews (need 12)")
    looks = sum(iv["lookalike"] for iv in interviews)
    if looks != 3:
        fail(f"{looks} look-alike interviews (need 3)")
    countries = {iv["country"] for iv in interviews}
    if len(countries) < 12:
        fail(f"{len(countries)} countries (need >= 12)")
    styles = collections.Counter(iv["style"].split(":")[0].strip() for iv in interviews)
    for s, lo, hi in (("excellent", 4, 6), ("poor", 6, 8), ("mixed", 12, 14)):
        if not lo <= styles[s] <= hi:
            fail(f"{styles[s]} {s} interviews (need {lo}-{hi})")

    # counts
    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fail(f"{len(harmful)} harmful lines (need >= 140)")
    harm_by_q = collections.Counter(u["question_type"] for u in harmful)
    for q in QTYPES:
        if harm_by_q[q] == 0:
            fail(f"no harmful line of type {q}")
    chit = [u for u in utts if u["kind"].startswith("chit_chat_")]
    meta = [u for u in utts if u["kind"].startswith("meta_")]
    if not 11 <= len(chit) <= 17:
        fail(f"{len(chit)} chit-chat lines (need about 14)")
    if not 9 <= len(meta) <= 13:
        fail(f"{len(meta)} meta lines (need about 11)")
    kinds = collections.Counter(u["kind"] for u in utts)
    for k in REQUIRED_KINDS:
        if kinds[k] == 0:
            fail(f"required kind missing: {k}")
    for p in REQUIRED_PREFIXES:
        if not any(k.startswith(p) for k in kinds):
            fail(f"required kind family missing: {p}*")

    # figures
    N = len(utts)

    def share(c, tot=N):
        return f"{c:4d}  {100 * c / tot:5.1f}%"

    print(f"interviews: {len(interviews)}  utterances: {N}  minors: {minors}  adults: "
          f"{len(interviews) - minors}  look-alikes: {looks}  countries: {len(countries)}")
    print("styles: " + ", ".join(f"{s} {c}" for s, c in sorted(styles.items())))
    print("minor_context: " + ", ".join(
        f"{v} {share(c)}" for v, c in sorted(collections.Counter(u['minor_context'] for u in utts).items())))
    print("\nquestion_type:")
    qc = collections.Counter(u["question_type"] for u in utts)
    for q in QTYPES:
        print(f"  {q:14s}{share(qc[q])}")
    print("tone:")
    tc = collections.Counter(u["tone"] for u in utts)
    for t in TONES:
        print(f"  {t:14s}{share(tc[t])}")
    print("recommended:")
    rc = collections.Counter(u["recommended"] for u in utts)
    for r in (True, False):
        print(f"  {str(r):14s}{share(rc[r])}")
    print("\nquestion_type x tone / recommended:")
    print(f"  {'':14s}{'sup':>5s}{'neu':>5s}{'har':>5s}{'rec':>5s}{'all':>5s}")
    for q in QTYPES:
        sub = [u for u in utts if u["question_type"] == q]
        c = collections.Counter(u["tone"] for u in sub)
        print(f"  {q:14s}{c['supportive']:5d}{c['neutral']:5d}{c['harmful']:5d}"
              f"{sum(u['recommended'] for u in sub):5d}{len(sub):5d}")
    print("\nharmful lines by question type:")
    for q in QTYPES:
        print(f"  {q:14s}{share(harm_by_q[q], len(harmful))}")
    print(f"harmful lines with restricted words: {len(restricted)} (max {MAX_RESTRICTED_HARMFUL})")
    print(f"chit-chat lines: {len(chit)}  meta (simulator) lines: {len(meta)}  distinct kinds: {len(kinds)}")
    print("\nkinds:")
    for k, c in sorted(kinds.items(), key=lambda x: (-x[1], x[0])):
        print(f"  {k:26s}{c:4d}")
    print("\nper interview (lines / harmful / recommended):")
    for iv in interviews:
        L = iv["lines"]
        print(f"  {iv['interview']:02d} age {iv['age']:2d} {iv['country'][:20]:20s} "
              f"{iv['style'][:34]:34s} {len(L):3d} {sum(u['tone'] == 'harmful' for u in L):3d} "
              f"{sum(u['recommended'] for u in L):3d}{'  look-alike' if iv['lookalike'] else ''}")

    if fails:
        print(f"\nFAILED ({len(fails)}):")
        for m in fails:
            print("  - " + m)
        sys.exit(1)
    print("\nALL CHECKS PASSED")


if __name__ == "__main__":
    main()
