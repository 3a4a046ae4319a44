#!/usr/bin/env python3
"""Validate the blind47 evaluation set and print per-label figures. Exit 1 on failure."""
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTS = ["invitation", "directive", "option_posing", "suggestive", "statement"]
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
# kinds that may never be recommended (prefix match for chit_chat_ / meta_)
NEVER_REC_KINDS = {"bare_admin", "false_promise", "over_identification",
                   "yes_no_question", "either_or_question", "tag_question",
                   "leading_question", "others_said_claim"}
NEVER_REC_PREFIXES = ("chit_chat_", "meta_")
# option-posing lines may be recommended only for these process offers / checks
OPT_REC_KINDS = {"offer_break", "offer_interpreter", "offer_language", "offer_support",
                 "offer_choice", "offer_questions", "summary_check"}
# warm but poor practice: supportive and not recommended
WARM_POOR = {"false_promise", "over_identification"}
RESTRICTED = re.compile(
    r"\b(prison\w*|jail\w*|liars?|lie[sd]?|lying|arrest\w*|deport\w*|prostitut\w*|"
    r"whor\w*|stupid\w*|idiot\w*|slut\w*|illegal\w*)\b", re.I)
MAX_RESTRICTED_HARMFUL = 6


def kind_matches(kind, req):
    return kind.startswith(req[:-1]) if req.endswith("*") else kind == req


def main():
    fails = []
    utts = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            u = json.loads(line)
            utts.append(u)
            where = f"utterance {n}"
            if set(u) != KEYS:
                fails.append(f"{where}: keys {sorted(u)}")
                continue
            if u["question_type"] not in QTS:
                fails.append(f"{where}: question_type {u['question_type']}")
            if u["tone"] not in TONES:
                fails.append(f"{where}: tone {u['tone']}")
            if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
                fails.append(f"{where}: recommended/minor_context must be booleans")
            if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"]):
                fails.append(f"{where}: kind not snake_case: {u['kind']}")
            if not u["text"].strip():
                fails.append(f"{where}: empty text")
            k, rec = u["kind"], u["recommended"]
            if u["tone"] == "harmful" and rec:
                fails.append(f"{where}: harmful and recommended")
            if rec and (k in NEVER_REC_KINDS or k.startswith(NEVER_REC_PREFIXES)):
                fails.append(f"{where}: kind {k} must not be recommended")
            if rec and u["question_type"] == "suggestive":
                fails.append(f"{where}: suggestive line recommended")
            if rec and u["question_type"] == "option_posing" and k not in OPT_REC_KINDS:
                fails.append(f"{where}: substantive option-posing recommended ({k})")
            if k.startswith(NEVER_REC_PREFIXES) and u["question_type"] != "statement":
                fails.append(f"{where}: {k} should be a statement")
            if k in WARM_POOR and (u["tone"] != "supportive" or rec):
                fails.append(f"{where}: {k} should be supportive and not recommended")

    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        interviews = json.load(fh)

    # interview-level checks
    if len(interviews) != 25:
        fails.append(f"{len(interviews)} interviews, expected 25")
    minors = [i for i in interviews if i["minor"]]
    if len(minors) != 12:
        fails.append(f"{len(minors)} minor interviews, expected 12")
    for i in interviews:
        if i["minor"] != (13 <= i["age"] <= 17) or not (13 <= i["age"] <= 80):
            fails.append(f"interview {i['interview']}: age {i['age']} vs minor {i['minor']}")
        if not 21 <= len(i["lines"]) <= 22:
            fails.append(f"interview {i['interview']}: {len(i['lines'])} lines")
        if any(u["minor_context"] != i["minor"] for u in i["lines"]):
            fails.append(f"interview {i['interview']}: minor_context mismatch")
    look = sum(i["lookalike"] for i in interviews)
    if look != 3:
        fails.append(f"{look} lookalikes, expected 3")
    countries = {i["country"] for i in interviews}
    if len(countries) < 12:
        fails.append(f"only {len(countries)} countries")
    styles = collections.Counter(i["style"].split(":")[0] for i in interviews)
    if styles != {"excellent": 5, "poor": 7, "mixed": 13}:
        fails.append(f"styles {dict(styles)}")

    # set-level checks
    total = len(utts)
    if not 530 <= total <= 550:
        fails.append(f"{total} utterances, expected 530-550")
    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fails.append(f"only {len(harmful)} harmful lines")
    restricted = [u["text"] for u in harmful if RESTRICTED.search(u["text"])]
    if len(restricted) > MAX_RESTRICTED_HARMFUL:
        fails.append(f"{len(restricted)} harmful lines with restricted words")
    chit = [u for u in utts if u["kind"].startswith("chit_chat_")]
    meta = [u for u in utts if u["kind"].startswith("meta_")]
    if not 12 <= len(chit) <= 16:
        fails.append(f"{len(chit)} chit-chat lines, expected about 14")
    if not 9 <= len(meta) <= 13:
        fails.append(f"{len(meta)} meta lines, expected about 11")
    harm_qt = collections.Counter(u["question_type"] for u in harmful)
    for qt in QTS:
        if harm_qt[qt] == 0:
            fails.append(f"no harmful {qt} lines")
    kinds = collections.Counter(u["kind"] for u in utts)
    for req in REQUIRED_KINDS:
        if not any(kind_matches(k, req) for k in kinds):
            fails.append(f"required kind missing: {req}")
    norm = collections.Counter(re.sub(r"\W+", " ", u["text"].lower()).strip() for u in utts)
    dups = [t for t, c in norm.items() if c > 1]
    if dups:
        fails.append(f"duplicate texts: {dups}")

    # figures
    def share(c):
        return f"{c:4d} ({100 * c / total:5.1f}%)"
    print(f"interviews: {len(interviews)}  utterances: {total}  "
          f"minor interviews: {len(minors)}  lookalikes: {look}  countries: {len(countries)}")
    print(f"styles: {dict(styles)}")
    print("question_type:")
    for qt in QTS:
        print(f"  {qt:14s} {share(sum(u['question_type'] == qt for u in utts))}")
    print("tone:")
    for t in TONES:
        print(f"  {t:14s} {share(sum(u['tone'] == t for u in utts))}")
    print("recommended:")
    for r in (True, False):
        print(f"  {str(r):14s} {share(sum(u['recommended'] is r for u in utts))}")
    print("minor_context:")
    for r in (True, False):
        print(f"  {str(r):14s} {share(sum(u['minor_context'] is r for u in utts))}")
    print("harmful by question_type: " + ", ".join(f"{qt} {harm_qt[qt]}" for qt in QTS))
    print(f"harmful lines with restricted words: {len(restricted)} (max {MAX_RESTRICTED_HARMFUL})")
    print(f"chit-chat lines: {len(chit)}  meta lines: {len(meta)}  "
          f"bare_admin: {kinds['bare_admin']}  distinct kinds: {len(kinds)}")
    if fails:
        print("\nFAILURES:")
        print("\n".join("  " + f for f in fails))
        sys.exit(1)
    print("\nALL CHECKS PASSED")


if __name__ == "__main__":
    main()
