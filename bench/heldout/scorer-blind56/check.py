#!/usr/bin/env python3
"""Validate utterances.jsonl and interviews.json; print figures per label. Exit 1 on any failure."""
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
    "open_invitation", "cued_invitation", "clarify_detail", "yes_no_question", "either_or_question",
    "tag_question", "others_said_claim", "explain_role", "explain_process", "offer_break",
    "offer_interpreter", "offer_support", "offer_choice", "summary_check", "thanks", "false_promise",
    "over_identification", "bare_admin", "contempt", "sarcasm", "polite_pressure",
    "bureaucratic_pressure", "rushing_as_thanks", "implicit_blame", "disbelief_as_curiosity",
    "bargaining", "conditional_help", "family_pressure", "moralising", "over_familiar_offer",
    "talking_about_absent", "graphic_detail_request", "sexual_detail_request", "accent_mockery",
    "cultural_mockery", "implied_consequence",
]
REQUIRED_PREFIXES = ["chit_chat_", "meta_"]

# kinds that may never be recommended (exact names or prefixes ending in "_")
NEVER_RECOMMENDED = [
    "chit_chat_", "meta_", "bare_admin", "false_promise", "over_identification", "over_familiar_",
    "yes_no_question", "either_or_question", "tag_question", "leading_question", "others_said_claim",
    "sexualising_remark",
]
# option-posing lines may be recommended only for these process offers / summary checks
OPT_RECOMMENDABLE = {"offer_break", "offer_interpreter", "offer_support", "offer_choice", "summary_check"}
# kinds that must be harmful
MUST_BE_HARMFUL = [
    "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure", "rushing_as_thanks",
    "implicit_blame", "disbelief_as_curiosity", "bargaining", "conditional_help", "family_pressure",
    "moralising", "over_familiar_offer", "talking_about_absent", "graphic_detail_request",
    "sexual_detail_request", "accent_mockery", "cultural_mockery", "implied_consequence",
]
RESTRICTED = re.compile(
    r"\b(prisons?|prisoners?|jail\w*|gaol\w*|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|prostitut\w*|"
    r"whor\w*|stupid\w*|idiot\w*|slut\w*|illegal\w*)\b", re.I)
MAX_RESTRICTED_HARMFUL = 6

failures = []


def fail(msg):
    failures.append(msg)


def matches(kind, patterns):
    return any(kind.startswith(p) if p.endswith("_") else kind == p for p in patterns)


def pct(n, d):
    return "%5.1f%%" % (100.0 * n / d) if d else "  n/a"


def main():
    utts = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        for i, raw in enumerate(fh, 1):
            try:
                u = json.loads(raw)
            except ValueError:
                fail("utterances.jsonl line %d: not JSON" % i)
                continue
            utts.append(u)
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        interviews = json.load(fh)

    # ---- per-utterance checks
    for i, u in enumerate(utts, 1):
        where = "utterance %d (%s...)" % (i, str(u.get("text", ""))[:40])
        if set(u) != KEYS:
            fail("%s: keys %s" % (where, sorted(u)))
            continue
        if not isinstance(u["text"], str) or not u["text"].strip():
            fail("%s: empty text" % where)
        if u["question_type"] not in QTYPES:
            fail("%s: bad question_type %r" % (where, u["question_type"]))
        if u["tone"] not in TONES:
            fail("%s: bad tone %r" % (where, u["tone"]))
        if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
            fail("%s: recommended/minor_context must be booleans" % where)
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(u["kind"])):
            fail("%s: kind not snake_case" % where)
        if u["tone"] == "harmful" and u["recommended"]:
            fail("%s: harmful and recommended" % where)
        if u["recommended"] and matches(u["kind"], NEVER_RECOMMENDED):
            fail("%s: kind %s may not be recommended" % (where, u["kind"]))
        if u["recommended"] and u["question_type"] == "suggestive":
            fail("%s: suggestive line recommended" % where)
        if u["recommended"] and u["question_type"] == "option_posing" and u["kind"] not in OPT_RECOMMENDABLE:
            fail("%s: option-posing line recommended but kind %s is not a process offer/summary" % (where, u["kind"]))
        if matches(u["kind"], ["chit_chat_", "meta_"]) and u["question_type"] != "statement":
            fail("%s: off-topic/meta line must be a statement" % where)
        if u["kind"] in MUST_BE_HARMFUL and u["tone"] != "harmful":
            fail("%s: kind %s must be harmful" % (where, u["kind"]))
        if u["kind"] in ("false_promise", "over_identification") and u["tone"] != "supportive":
            fail("%s: warm poor practice should be supportive" % where)

    texts = collections.Counter(u["text"].strip().lower() for u in utts)
    for t, c in texts.items():
        if c > 1:
            fail("duplicate text x%d: %s" % (c, t[:60]))

    restricted_harm = [u for u in utts if u["tone"] == "harmful" and RESTRICTED.search(u["text"])]
    restricted_all = [u for u in utts if RESTRICTED.search(u["text"])]
    if len(restricted_harm) > MAX_RESTRICTED_HARMFUL:
        fail("%d harmful lines contain restricted words (max %d)" % (len(restricted_harm), MAX_RESTRICTED_HARMFUL))

    kinds = collections.Counter(u["kind"] for u in utts)
    for k in REQUIRED_KINDS:
        if k not in kinds:
            fail("required kind missing: %s" % k)
    for p in REQUIRED_PREFIXES:
        if not any(k.startswith(p) for k in kinds):
            fail("required kind family missing: %s*" % p)

    # ---- interview-level checks
    flat = [u for iv in interviews for u in iv["lines"]]
    if flat != utts:
        fail("interviews.json lines do not match utterances.jsonl")
    n_iv = len(interviews)
    if n_iv != 25:
        fail("expected 25 interviews, got %d" % n_iv)
    if sorted(iv["interview"] for iv in interviews) != list(range(1, n_iv + 1)):
        fail("interview numbers not 1..N")
    for iv in interviews:
        n = len(iv["lines"])
        if not 21 <= n <= 22:
            fail("interview %d has %d lines (want 21-22)" % (iv["interview"], n))
        if iv["minor"] != (iv["age"] < 18):
            fail("interview %d: minor flag disagrees with age %d" % (iv["interview"], iv["age"]))
        if iv["minor"] and not 13 <= iv["age"] <= 17:
            fail("interview %d: minor age out of 13-17" % iv["interview"])
        if any(u["minor_context"] != iv["minor"] for u in iv["lines"]):
            fail("interview %d: minor_context mismatch" % iv["interview"])
        harm = sum(u["tone"] == "harmful" for u in iv["lines"])
        if iv["style"].startswith("excellent") and harm:
            fail("interview %d is excellent but has %d harmful lines" % (iv["interview"], harm))
        if iv["style"].startswith("poor") and harm < 12:
            fail("interview %d is poor but has only %d harmful lines" % (iv["interview"], harm))
    total = len(utts)
    if not 530 <= total <= 550:
        fail("total utterances %d not in 530-550" % total)
    minors = sum(iv["minor"] for iv in interviews)
    if minors != 12:
        fail("minor interviews %d (want 12)" % minors)
    looks = sum(iv["lookalike"] for iv in interviews)
    if looks != 3:
        fail("lookalike interviews %d (want 3)" % looks)
    countries = {iv["country"] for iv in interviews}
    if len(countries) < 12:
        fail("only %d countries" % len(countries))
    styles = collections.Counter(iv["style"].split(":")[0].strip() for iv in interviews)
    if styles.get("excellent") != 5 or styles.get("poor") != 7 or styles.get("mixed") != 13:
        fail("style counts %s (want excellent 5, poor 7, mixed 13)" % dict(styles))

    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fail("only %d harmful lines (want >= 140)" % len(harmful))
    harm_qt = collections.Counter(u["question_type"] for u in harmful)
    for q in QTYPES:
        if not harm_qt.get(q):
            fail("no harmful line of question type %s" % q)
    chit = sum(u["kind"].startswith("chit_chat_") for u in utts)
    meta = sum(u["kind"].startswith("meta_") for u in utts)
    if not 12 <= chit <= 16:
        fail("chit-chat lines %d (want about 14)" % chit)
    if not 9 <= meta <= 13:
        fail("meta lines %d (want about 11)" % meta)

    # ---- figures
    print("interviews: %d  utterances: %d  minors: %d interviews / %d lines  lookalikes: %d  countries: %d"
          % (n_iv, total, minors, sum(u["minor_context"] for u in utts), looks, len(countries)))
    print("styles: %s" % dict(styles))
    print("\nquestion_type:")
    for q in QTYPES:
        n = sum(u["question_type"] == q for u in utts)
        print("  %-14s %4d  %s" % (q, n, pct(n, total)))
    print("tone:")
    for t in TONES:
        n = sum(u["tone"] == t for u in utts)
        print("  %-14s %4d  %s" % (t, n, pct(n, total)))
    print("recommended:")
    for r in (True, False):
        n = sum(u["recommended"] == r for u in utts)
        print("  %-14s %4d  %s" % (str(r).lower(), n, pct(n, total)))
    print("harmful lines by question_type:")
    for q in QTYPES:
        print("  %-14s %4d" % (q, harm_qt.get(q, 0)))
    print("question_type x recommended (true/false):")
    for q in QTYPES:
        t = sum(u["question_type"] == q and u["recommended"] for u in utts)
        f = sum(u["question_type"] == q and not u["recommended"] for u in utts)
        print("  %-14s %4d / %4d" % (q, t, f))
    print("harmful in minor interviews: %d, adult: %d"
          % (sum(u["minor_context"] for u in harmful), sum(not u["minor_context"] for u in harmful)))
    print("chit-chat lines: %d  meta lines: %d  bare_admin: %d  false_promise+over_identification: %d"
          % (chit, meta, kinds["bare_admin"], kinds["false_promise"] + kinds["over_identification"]))
    print("lines with restricted words: %d (harmful: %d, max %d)"
          % (len(restricted_all), len(restricted_harm), MAX_RESTRICTED_HARMFUL))
    print("distinct kinds: %d" % len(kinds))
    print("kinds: " + ", ".join("%s=%d" % kv for kv in sorted(kinds.items())))

    if failures:
        print("\nFAILED (%d):" % len(failures))
        for m in failures:
            print("  - " + m)
        sys.exit(1)
    print("\nOK: all checks passed")


if __name__ == "__main__":
    main()
