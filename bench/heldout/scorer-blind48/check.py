#!/usr/bin/env python3
"""Validate the blind evaluation set and print figures per label. Exit 1 on any failure."""
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
    "explain_process", "offer_break", "offer_interpreter", "offer_support",
    "offer_choice", "summary_check", "thanks", "false_promise",
    "over_identification", "bare_admin", "contempt", "sarcasm", "polite_pressure",
    "bureaucratic_pressure", "rushing_as_thanks", "implicit_blame",
    "disbelief_as_curiosity", "bargaining", "conditional_help", "family_pressure",
    "moralising", "over_familiar_offer", "talking_about_absent",
    "graphic_detail_request", "sexual_detail_request", "accent_mockery",
    "cultural_mockery", "implied_consequence", "chit_chat_*", "meta_*",
]
# kinds that describe harm: such lines must be harmful (and so never recommended)
HARM_KINDS = {
    "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure",
    "rushing_as_thanks", "rushing", "implicit_blame", "disbelief_as_curiosity",
    "disbelief", "bargaining", "conditional_help", "family_pressure", "moralising",
    "over_familiar_offer", "talking_about_absent", "graphic_detail_request",
    "sexual_detail_request", "accent_mockery", "cultural_mockery",
    "implied_consequence", "sexualising_remark",
}
# kinds that are never recommended whatever their tone
NEVER_REC_EXACT = {
    "bare_admin", "false_promise", "over_identification", "yes_no_question",
    "either_or_question", "tag_question", "others_said_claim", "leading_question",
    "over_familiar_remark",
} | HARM_KINDS
NEVER_REC_PREFIX = ("chit_chat_", "meta_")
# option-posing lines may be recommended only when they are process offers or summary checks
OPT_REC_OK = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
              "offer_questions", "summary_check"}
WARM_POOR = {"false_promise", "over_identification"}
RESTRICTED = re.compile(
    r"\b(prison\w*|jail\w*|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|"
    r"prostitut\w*|whores?|stupid\w*|idiot\w*|sluts?|illegal\w*)\b", re.I)

failures = []


def fail(msg):
    failures.append(msg)


def load():
    utts = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                utts.append(json.loads(line))
            except ValueError:
                fail("utterances.jsonl:%d not JSON" % n)
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        interviews = json.load(fh)
    return utts, interviews


def pct(a, b):
    return "%5.1f%%" % (100.0 * a / b) if b else "  n/a"


def main():
    utts, interviews = load()
    n = len(utts)

    # per-line checks
    seen = {}
    restricted_hits = []
    for i, u in enumerate(utts, 1):
        tag = "line %d (%s)" % (i, u.get("text", "")[:50])
        if set(u) != KEYS:
            fail("%s: keys %s" % (tag, sorted(u)))
            continue
        if u["question_type"] not in QTYPES:
            fail("%s: question_type %r" % (tag, u["question_type"]))
        if u["tone"] not in TONES:
            fail("%s: tone %r" % (tag, u["tone"]))
        for b in ("recommended", "minor_context"):
            if not isinstance(u[b], bool):
                fail("%s: %s not boolean" % (tag, b))
        if not isinstance(u["text"], str) or not u["text"].strip():
            fail("%s: empty text" % tag)
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"]):
            fail("%s: kind not snake_case %r" % (tag, u["kind"]))
        k, qt, tone, rec = u["kind"], u["question_type"], u["tone"], u["recommended"]
        if tone == "harmful" and rec:
            fail("%s: harmful and recommended" % tag)
        if rec and (k in NEVER_REC_EXACT or k.startswith(NEVER_REC_PREFIX)):
            fail("%s: kind %s must not be recommended" % (tag, k))
        if k in HARM_KINDS and tone != "harmful":
            fail("%s: harm kind %s but tone %s" % (tag, k, tone))
        if qt == "suggestive" and rec:
            fail("%s: suggestive line recommended" % tag)
        if qt == "option_posing" and rec and k not in OPT_REC_OK:
            fail("%s: option-posing recommended but kind %s" % (tag, k))
        if k.startswith(NEVER_REC_PREFIX) and qt != "statement":
            fail("%s: chit-chat/meta must be a statement" % tag)
        if k in WARM_POOR and tone != "supportive":
            fail("%s: warm-but-poor line should be supportive" % tag)
        if k == "bare_admin" and tone == "supportive":
            fail("%s: bare admin should not be supportive" % tag)
        key = re.sub(r"\s+", " ", u["text"].strip().lower())
        if key in seen:
            fail("%s: duplicate of line %d" % (tag, seen[key]))
        seen[key] = i
        if tone == "harmful" and RESTRICTED.search(u["text"]):
            restricted_hits.append(u["text"])

    # interview-level checks
    if len(interviews) != 25:
        fail("%d interviews, expected 25" % len(interviews))
    total_lines = sum(len(iv["lines"]) for iv in interviews)
    if total_lines != n:
        fail("interviews.json has %d lines, utterances.jsonl %d" % (total_lines, n))
    if not 530 <= n <= 550:
        fail("%d utterances, expected 530-550" % n)
    ids = [iv["interview"] for iv in interviews]
    if sorted(ids) != list(range(1, 26)):
        fail("interview numbers not 1..25")
    styles = collections.Counter()
    for iv in interviews:
        need = {"interview", "age", "minor", "country", "type", "lookalike", "style", "lines"}
        if set(iv) != need:
            fail("interview %s keys %s" % (iv.get("interview"), sorted(iv)))
            continue
        if not 21 <= len(iv["lines"]) <= 22:
            fail("interview %d has %d turns" % (iv["interview"], len(iv["lines"])))
        if iv["minor"] and not 13 <= iv["age"] <= 17:
            fail("interview %d minor but age %d" % (iv["interview"], iv["age"]))
        if not iv["minor"] and iv["age"] < 18:
            fail("interview %d adult but age %d" % (iv["interview"], iv["age"]))
        for u in iv["lines"]:
            if u["minor_context"] != iv["minor"]:
                fail("interview %d: minor_context mismatch" % iv["interview"])
        styles[iv["style"].split(":")[0].strip()] += 1
    minors = sum(iv["minor"] for iv in interviews)
    looks = sum(iv["lookalike"] for iv in interviews)
    countries = {iv["country"] for iv in interviews}
    if minors != 12:
        fail("%d minor interviews, expected 12" % minors)
    if looks != 3:
        fail("%d look-alikes, expected 3" % looks)
    if len(countries) < 12:
        fail("only %d countries" % len(countries))
    if styles.get("excellent") != 5 or styles.get("poor") != 7 or styles.get("mixed") != 13:
        fail("style mix %s, expected excellent 5, poor 7, mixed 13" % dict(styles))

    # set-level counts
    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fail("%d harmful lines, expected at least 140" % len(harmful))
    if len(restricted_hits) > 6:
        fail("%d harmful lines use restricted words (max 6)" % len(restricted_hits))
    harm_qt = collections.Counter(u["question_type"] for u in harmful)
    for q in QTYPES:
        if not harm_qt[q]:
            fail("no harmful line of type %s" % q)
    chit = [u for u in utts if u["kind"].startswith("chit_chat_")]
    meta = [u for u in utts if u["kind"].startswith("meta_")]
    if not 12 <= len(chit) <= 16:
        fail("%d chit-chat lines, expected about 14" % len(chit))
    if not 9 <= len(meta) <= 13:
        fail("%d meta lines, expected about 11" % len(meta))
    kinds = collections.Counter(u["kind"] for u in utts)
    for rk in REQUIRED_KINDS:
        if rk.endswith("*"):
            if not any(k.startswith(rk[:-1]) for k in kinds):
                fail("no kind matching %s" % rk)
        elif rk not in kinds:
            fail("required kind %s missing" % rk)

    # figures
    print("interviews: %d   utterances: %d   minors: %d   adults: %d   look-alikes: %d   countries: %d"
          % (len(interviews), n, minors, len(interviews) - minors, looks, len(countries)))
    print("styles: %s" % ", ".join("%s %d" % kv for kv in sorted(styles.items())))
    print("\nquestion_type:")
    for q in QTYPES:
        c = sum(u["question_type"] == q for u in utts)
        print("  %-14s %4d %s" % (q, c, pct(c, n)))
    print("tone:")
    for t in TONES:
        c = sum(u["tone"] == t for u in utts)
        print("  %-14s %4d %s" % (t, c, pct(c, n)))
    print("recommended:")
    for r in (True, False):
        c = sum(u["recommended"] is r for u in utts)
        print("  %-14s %4d %s" % (str(r).lower(), c, pct(c, n)))
    print("minor_context:")
    for r in (True, False):
        c = sum(u["minor_context"] is r for u in utts)
        print("  %-14s %4d %s" % (str(r).lower(), c, pct(c, n)))
    print("harmful by question_type:")
    for q in QTYPES:
        print("  %-14s %4d %s" % (q, harm_qt[q], pct(harm_qt[q], len(harmful))))
    print("question_type x recommended (true/false):")
    for q in QTYPES:
        t = sum(u["question_type"] == q and u["recommended"] for u in utts)
        f = sum(u["question_type"] == q and not u["recommended"] for u in utts)
        print("  %-14s %4d / %d" % (q, t, f))
    print("chit-chat lines: %d   meta lines: %d   harmful lines with restricted words: %d"
          % (len(chit), len(meta), len(restricted_hits)))
    print("distinct kinds: %d" % len(kinds))

    if failures:
        print("\nFAILURES (%d):" % len(failures))
        for f in failures:
            print("  - " + f)
        sys.exit(1)
    print("\nOK: all checks passed")


if __name__ == "__main__":
    main()
