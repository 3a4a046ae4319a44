#!/usr/bin/env python3
"""Validate the blind evaluation set built by build.py; print figures; exit 1 on any failure."""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTS = ["invitation", "directive", "option_posing", "suggestive", "statement"]
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
]
REQUIRED_PREFIXES = ["chit_chat_", "meta_"]

# kinds that may never be recommended (besides every harmful line)
NEVER_REC_KINDS = {"bare_admin", "false_promise", "over_identification", "yes_no_question",
                   "either_or_question", "tag_question", "others_said_claim",
                   "leading_question", "abrupt_close", "clumsy_remark",
                   "over_familiar_remark"}
NEVER_REC_PREFIXES = ("chit_chat_", "meta_")
# option-posing lines may be recommended only for these process offers / summary checks
OPT_REC_KINDS = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
                 "invite_questions", "summary_check"}
# these kinds must be statements and never recommended
STATEMENT_PREFIXES = ("chit_chat_", "meta_")
# kinds that must carry the harmful tone
HARMFUL_KINDS = {"contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure",
                 "rushing_as_thanks", "implicit_blame", "disbelief_as_curiosity",
                 "bargaining", "conditional_help", "family_pressure", "moralising",
                 "over_familiar_offer", "talking_about_absent", "graphic_detail_request",
                 "sexual_detail_request", "accent_mockery", "cultural_mockery",
                 "implied_consequence"}
SUPPORTIVE_POOR = {"false_promise", "over_identification"}

RESTRICTED = re.compile(
    r"\b(prisons?|prisoners?|jail\w*|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|"
    r"prostitut\w*|whores?|stupid\w*|idiots?|idiotic|sluts?|illegal\w*)\b", re.I)
MAX_RESTRICTED_HARMFUL = 6


def main():
    fails = []

    def need(cond, msg):
        if not cond:
            fails.append(msg)

    utts = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            obj = json.loads(line)
            need(set(obj) == KEYS, f"utterance {n}: keys {sorted(obj)}")
            utts.append(obj)
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        ivs = json.load(fh)

    # per-utterance checks
    for n, u in enumerate(utts, 1):
        t = u.get("text", "")
        k = u.get("kind", "")
        need(isinstance(t, str) and t.strip(), f"{n}: empty text")
        need(u.get("question_type") in QTS, f"{n}: question_type {u.get('question_type')}")
        need(u.get("tone") in TONES, f"{n}: tone {u.get('tone')}")
        need(isinstance(u.get("recommended"), bool), f"{n}: recommended not bool")
        need(isinstance(u.get("minor_context"), bool), f"{n}: minor_context not bool")
        need(isinstance(k, str) and re.fullmatch(r"[a-z][a-z0-9_]*", k or ""), f"{n}: kind {k!r}")
        rec = u.get("recommended")
        need(not (u.get("tone") == "harmful" and rec), f"{n}: harmful and recommended: {t}")
        need(not (rec and (k in NEVER_REC_KINDS or k.startswith(NEVER_REC_PREFIXES))),
             f"{n}: never-recommended kind {k} marked recommended")
        need(not (rec and u.get("question_type") == "suggestive"), f"{n}: suggestive recommended")
        need(not (rec and u.get("question_type") == "option_posing" and k not in OPT_REC_KINDS),
             f"{n}: option-posing {k} recommended")
        if k.startswith(STATEMENT_PREFIXES):
            need(u.get("question_type") == "statement", f"{n}: {k} must be a statement")
        if k in HARMFUL_KINDS:
            need(u.get("tone") == "harmful", f"{n}: {k} must be harmful")
        if k in SUPPORTIVE_POOR:
            need(u.get("tone") == "supportive" and not rec, f"{n}: {k} must be supportive, not rec")

    # duplicates
    texts = Counter(u["text"].strip().lower() for u in utts)
    dups = [t for t, c in texts.items() if c > 1]
    need(not dups, f"duplicate texts: {dups}")

    # interviews
    need(len(ivs) == 25, f"{len(ivs)} interviews, expected 25")
    flat = [u for iv in ivs for u in iv["lines"]]
    need(flat == utts, "interviews.json lines differ from utterances.jsonl")
    ikeys = {"interview", "age", "minor", "country", "type", "lookalike", "style", "lines"}
    for iv in ivs:
        need(set(iv) == ikeys, f"interview {iv.get('interview')}: keys {sorted(iv)}")
        n_lines = len(iv["lines"])
        need(21 <= n_lines <= 22, f"interview {iv['interview']}: {n_lines} lines")
        need(iv["minor"] == (iv["age"] < 18), f"interview {iv['interview']}: age/minor mismatch")
        if iv["minor"]:
            need(13 <= iv["age"] <= 17, f"interview {iv['interview']}: minor age {iv['age']}")
        need(all(u["minor_context"] == iv["minor"] for u in iv["lines"]),
             f"interview {iv['interview']}: minor_context mismatch")
        if iv["style"] == "excellent":
            need(all(u["tone"] != "harmful" for u in iv["lines"]),
                 f"interview {iv['interview']}: harmful line in an excellent interview")
    nums = [iv["interview"] for iv in ivs]
    need(nums == list(range(1, 26)), f"interview numbers {nums}")
    minors = sum(iv["minor"] for iv in ivs)
    need(minors == 12, f"{minors} minor interviews, expected 12")
    looks = sum(iv["lookalike"] for iv in ivs)
    need(looks == 3, f"{looks} look-alikes, expected 3")
    countries = {iv["country"] for iv in ivs}
    need(len(countries) >= 12, f"only {len(countries)} countries")
    styles = Counter("excellent" if iv["style"] == "excellent" else
                     "poor" if iv["style"] == "poor" else
                     "mixed" if iv["style"].startswith("mixed") else iv["style"] for iv in ivs)
    need(styles == Counter({"excellent": 5, "poor": 7, "mixed": 13}), f"styles {dict(styles)}")
    total = len(utts)
    need(530 <= total <= 550, f"{total} utterances, expected 530-550")

    # label figures
    harmful = [u for u in utts if u["tone"] == "harmful"]
    need(len(harmful) >= 140, f"only {len(harmful)} harmful lines")
    har_qt = Counter(u["question_type"] for u in harmful)
    for q in QTS:
        need(har_qt[q] > 0, f"no harmful {q} line")
    restricted = [u["text"] for u in harmful if RESTRICTED.search(u["text"])]
    need(len(restricted) <= MAX_RESTRICTED_HARMFUL,
         f"{len(restricted)} harmful lines with restricted words (max {MAX_RESTRICTED_HARMFUL})")
    kinds = Counter(u["kind"] for u in utts)
    missing = [k for k in REQUIRED_KINDS if k not in kinds]
    need(not missing, f"missing required kinds: {missing}")
    for p in REQUIRED_PREFIXES:
        need(any(k.startswith(p) for k in kinds), f"no kind starting {p}")
    chit = sum(c for k, c in kinds.items() if k.startswith("chit_chat_"))
    meta = sum(c for k, c in kinds.items() if k.startswith("meta_"))
    need(10 <= chit <= 18, f"{chit} chit-chat lines, expected about 14")
    need(8 <= meta <= 14, f"{meta} meta lines, expected about 11")

    # figures
    def share(c):
        return f"{c:4d} ({100 * c / total:5.1f}%)"
    print(f"interviews: {len(ivs)} (minor {minors}, adult {len(ivs) - minors}, look-alike {looks}, "
          f"countries {len(countries)}); styles {dict(styles)}")
    print(f"utterances: {total}  (minor_context true {sum(u['minor_context'] for u in utts)})")
    print("question_type:")
    for q in QTS:
        print(f"  {q:14s} {share(sum(u['question_type'] == q for u in utts))}")
    print("tone:")
    for t in TONES:
        print(f"  {t:14s} {share(sum(u['tone'] == t for u in utts))}")
    rec = sum(u["recommended"] for u in utts)
    print(f"recommended:\n  true           {share(rec)}\n  false          {share(total - rec)}")
    print("harmful by question_type: " + ", ".join(f"{q} {har_qt[q]}" for q in QTS))
    print("recommended by question_type: " + ", ".join(
        f"{q} {sum(u['recommended'] and u['question_type'] == q for u in utts)}" for q in QTS))
    print(f"chit-chat lines {chit}, meta lines {meta}, distinct kinds {len(kinds)}")
    all_restricted = [u for u in utts if RESTRICTED.search(u["text"])]
    print(f"restricted-word lines: harmful {len(restricted)} (max {MAX_RESTRICTED_HARMFUL}), "
          f"all {len(all_restricted)}")
    print(f"required kinds present: {len(REQUIRED_KINDS) - len(missing)}/{len(REQUIRED_KINDS)} "
          f"+ prefixes {REQUIRED_PREFIXES}")

    if fails:
        print("\nFAILED:")
        for f in fails:
            print("  - " + f)
        sys.exit(1)
    print("\nALL CHECKS PASSED")


if __name__ == "__main__":
    main()
