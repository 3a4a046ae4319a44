#!/usr/bin/env python3
"""Validate utterances.jsonl and interviews.json; print figures per label.

Standard library only. Exits 1 on any failure.
"""
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTS = ["invitation", "directive", "option_posing", "suggestive", "statement"]
TONES = ["supportive", "neutral", "harmful"]
KIND_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
# Restricted words (with simple inflections) that at most 6 harmful lines may contain.
KEYWORD_RE = re.compile(
    r"\b(prisons?|prisoners?|jails?|jailed|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|"
    r"prostitut\w*|whores?|stupid\w*|idiots?|idiotic|sluts?|illegal\w*)\b",
    re.IGNORECASE)

# Kinds that may only be recommended=false.
NEVER_RECOMMENDED_KINDS = {"bare_admin", "false_promise", "over_identification"}
# Option-posing lines may be recommended only for process offers and summary checks.
OPT_RECOMMENDED_KINDS = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
                         "offer_water", "summary_check", "question_invite", "ground_rules_check"}
# Kinds that must occur somewhere in the set (coverage of the brief).
REQUIRED_KINDS = ["open_invitation", "cued_invitation", "clarify_detail", "yes_no_question",
                  "either_or_question", "tag_question", "others_said_claim", "explain_role",
                  "explain_process", "offer_break", "offer_interpreter", "offer_support",
                  "offer_choice", "summary_check", "thanks", "false_promise",
                  "over_identification", "bare_admin", "contempt", "sarcasm",
                  "polite_pressure", "bureaucratic_pressure", "rushing_as_thanks",
                  "implicit_blame", "disbelief_as_curiosity", "bargaining",
                  "conditional_help", "family_pressure", "moralising",
                  "over_familiar_offer", "talking_about_absent", "graphic_detail_request",
                  "sexual_detail_request", "accent_mockery", "cultural_mockery",
                  "implied_consequence"]


def main():
    failures = []

    def fail(msg):
        failures.append(msg)

    try:
        with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
            utts = [json.loads(l) for l in fh if l.strip()]
        with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
            interviews = json.load(fh)
    except (OSError, ValueError) as exc:
        print("FAIL: cannot read outputs (run build.py first):", exc)
        sys.exit(1)

    # --- per-utterance checks
    texts = collections.Counter()
    for i, u in enumerate(utts, 1):
        if set(u) != KEYS:
            fail("line %d: keys %s" % (i, sorted(u)))
            continue
        if u["question_type"] not in QTS:
            fail("line %d: question_type %r" % (i, u["question_type"]))
        if u["tone"] not in TONES:
            fail("line %d: tone %r" % (i, u["tone"]))
        if not isinstance(u["recommended"], bool):
            fail("line %d: recommended not boolean" % i)
        if not isinstance(u["minor_context"], bool):
            fail("line %d: minor_context not boolean" % i)
        if not isinstance(u["text"], str) or not u["text"].strip():
            fail("line %d: empty text" % i)
        if "|" in u["text"]:
            fail("line %d: text contains '|'" % i)
        if not isinstance(u["kind"], str) or not KIND_RE.match(u["kind"]):
            fail("line %d: kind not snake_case: %r" % (i, u["kind"]))
        texts[u["text"]] += 1
        k = u["kind"]
        if u["tone"] == "harmful" and u["recommended"]:
            fail("line %d: harmful and recommended" % i)
        if u["question_type"] == "suggestive" and u["recommended"]:
            fail("line %d: suggestive but recommended" % i)
        if k in NEVER_RECOMMENDED_KINDS and u["recommended"]:
            fail("line %d: %s must not be recommended" % (i, k))
        if u["question_type"] == "option_posing" and u["recommended"] and k not in OPT_RECOMMENDED_KINDS:
            fail("line %d: substantive option-posing recommended (%s)" % (i, k))
        if k.startswith("chit_chat") or k.startswith("meta_"):
            if u["question_type"] != "statement" or u["recommended"]:
                fail("line %d: off-topic/simulator line must be statement, not recommended" % i)
    for t, c in texts.items():
        if c > 1:
            fail("duplicate text x%d: %s" % (c, t[:60]))

    # --- interview-level checks
    if len(interviews) != 25:
        fail("interviews: %d, expected 25" % len(interviews))
    nums = [iv.get("interview") for iv in interviews]
    if nums != list(range(1, len(interviews) + 1)):
        fail("interview numbers not 1..N in order: %s" % nums)
    total_lines = 0
    for iv in interviews:
        for key in ("interview", "age", "minor", "country", "type", "lookalike", "style", "lines"):
            if key not in iv:
                fail("interview %s: missing %s" % (iv.get("interview"), key))
        n = len(iv.get("lines", []))
        total_lines += n
        if not 21 <= n <= 22:
            fail("interview %s: %d lines (want 21-22)" % (iv.get("interview"), n))
        if iv.get("minor") != (iv.get("age", 99) < 18):
            fail("interview %s: minor flag disagrees with age" % iv.get("interview"))
        for ln in iv.get("lines", []):
            if ln.get("minor_context") != iv.get("minor"):
                fail("interview %s: minor_context mismatch" % iv.get("interview"))
    if total_lines != len(utts):
        fail("interviews.json has %d lines, utterances.jsonl %d" % (total_lines, len(utts)))
    minors = sum(1 for iv in interviews if iv.get("minor"))
    looks = sum(1 for iv in interviews if iv.get("lookalike"))
    if minors != 12:
        fail("minor interviews: %d, expected 12" % minors)
    if looks != 3:
        fail("look-alike interviews: %d, expected 3" % looks)

    # --- set-level counts
    n = len(utts)
    if not 530 <= n <= 550:
        fail("total lines %d, expected 530-550" % n)
    harmful = [u for u in utts if u.get("tone") == "harmful"]
    if len(harmful) < 130:
        fail("harmful lines %d, expected >= 130" % len(harmful))
    kw = [u for u in harmful if KEYWORD_RE.search(u["text"])]
    if len(kw) > 6:
        fail("harmful lines with restricted words: %d (max 6)" % len(kw))
    chit = [u for u in utts if u.get("kind", "").startswith("chit_chat")]
    meta = [u for u in utts if u.get("kind", "").startswith("meta_")]
    if not 10 <= len(chit) <= 20:
        fail("chit-chat lines %d, expected 10-20" % len(chit))
    if not 8 <= len(meta) <= 15:
        fail("simulator lines %d, expected 8-15" % len(meta))
    kinds = collections.Counter(u.get("kind") for u in utts)
    for k in REQUIRED_KINDS:
        if kinds[k] == 0:
            fail("required kind missing: %s" % k)
    for qt in QTS:
        if not any(u.get("question_type") == qt for u in utts):
            fail("question_type never used: %s" % qt)

    # --- figures
    def table(title, key, values):
        c = collections.Counter(u.get(key) for u in utts)
        print("%s:" % title)
        for v in values:
            print("  %-14s %4d  %5.1f%%" % (v, c[v], 100.0 * c[v] / n if n else 0))

    print("utterances: %d   interviews: %d   minor interviews: %d   look-alikes: %d"
          % (n, len(interviews), minors, looks))
    table("question_type", "question_type", QTS)
    table("tone", "tone", TONES)
    table("recommended", "recommended", [True, False])
    table("minor_context", "minor_context", [True, False])
    print("harmful lines with restricted words: %d" % len(kw))
    print("chit-chat lines: %d   simulator lines: %d   distinct kinds: %d"
          % (len(chit), len(meta), len(kinds)))
    print("harmful by question_type: %s" % dict(collections.Counter(
        u["question_type"] for u in harmful)))
    print("harmful per interview: %s" % [sum(1 for l in iv["lines"] if l["tone"] == "harmful")
                                         for iv in interviews])

    if failures:
        for f in failures:
            print("FAIL:", f)
        sys.exit(1)
    print("OK: all checks passed")


if __name__ == "__main__":
    main()
