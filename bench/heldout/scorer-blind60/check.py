#!/usr/bin/env python3
"""Validate utterances.jsonl and interviews.json against LABELS.md and the brief; print figures.
Exits 1 on any failure (standard library only)."""
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

# kinds that may never be recommended
NEVER_REC_KINDS = {"bare_admin", "false_promise", "over_identification", "yes_no_question",
                   "either_or_question", "tag_question", "others_said_claim", "leading_question"}
NEVER_REC_PREFIXES = ("chit_chat_", "meta_")
# option-posing lines may be recommended only for these process offers / summary checks
OPT_PROCESS_KINDS = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
                     "offer_questions", "summary_check"}
# warm but poor practice: supportive, never recommended
WARM_POOR = {"false_promise", "over_identification"}
# kinds that are harmful by definition
ALWAYS_HARMFUL = {"contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure",
                  "rushing_as_thanks", "implicit_blame", "disbelief_as_curiosity", "bargaining",
                  "conditional_help", "family_pressure", "moralising", "over_familiar_offer",
                  "talking_about_absent", "graphic_detail_request", "sexual_detail_request",
                  "sexualising_question", "accent_mockery", "cultural_mockery",
                  "implied_consequence", "minimising", "shaming_threat"}

RESTRICTED = re.compile(
    r"\b(prisons?|imprison\w*|jails?|jailed|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|"
    r"prostitut\w*|whores?|stupid\w*|idiots?|idiotic|sluts?|slutty|illegal\w*)\b", re.I)
MAX_RESTRICTED_HARMFUL = 6

failures = []


def fail(msg):
    failures.append(msg)


def norm(t):
    return re.sub(r"[^a-z0-9]+", " ", t.lower()).strip()


def main():
    utts = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                utts.append(json.loads(line))
            except json.JSONDecodeError as e:
                fail("utterances.jsonl:%d not JSON (%s)" % (n, e))
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        ivs = json.load(fh)

    # --- per-utterance checks -------------------------------------------------
    for i, u in enumerate(utts, 1):
        w = "utterance %d (%s...)" % (i, u.get("text", "")[:40])
        if set(u) != KEYS:
            fail("%s: keys %s" % (w, sorted(u)))
            continue
        if u["question_type"] not in QTYPES:
            fail("%s: question_type %r" % (w, u["question_type"]))
        if u["tone"] not in TONES:
            fail("%s: tone %r" % (w, u["tone"]))
        if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
            fail("%s: recommended/minor_context must be booleans" % w)
        if not isinstance(u["text"], str) or not u["text"].strip():
            fail("%s: empty text" % w)
        k = u["kind"]
        if not re.fullmatch(r"[a-z][a-z0-9_]*", k or ""):
            fail("%s: kind not snake_case %r" % (w, k))
        if u["tone"] == "harmful" and u["recommended"]:
            fail("%s: harmful and recommended" % w)
        if u["recommended"] and (k in NEVER_REC_KINDS or k.startswith(NEVER_REC_PREFIXES)):
            fail("%s: kind %s must not be recommended" % (w, k))
        if u["recommended"] and u["question_type"] == "suggestive":
            fail("%s: suggestive line recommended" % w)
        if u["recommended"] and u["question_type"] == "option_posing" and k not in OPT_PROCESS_KINDS:
            fail("%s: substantive option-posing line recommended" % w)
        if k.startswith(NEVER_REC_PREFIXES) and u["question_type"] != "statement":
            fail("%s: chit-chat/meta line must be a statement" % w)
        if k in WARM_POOR and u["tone"] != "supportive":
            fail("%s: %s should be supportive" % (w, k))
        if k in ALWAYS_HARMFUL and u["tone"] != "harmful":
            fail("%s: %s should be harmful" % (w, k))
        if k == "summary_check" and u["question_type"] != "option_posing":
            fail("%s: summary_check should be option_posing" % w)

    # duplicates
    seen = {}
    for u in utts:
        t = norm(u["text"])
        if t in seen:
            fail("duplicate text: %r" % u["text"])
        seen[t] = 1

    # --- interview-level checks ----------------------------------------------
    if len(ivs) != 25:
        fail("expected 25 interviews, got %d" % len(ivs))
    ids = [iv["interview"] for iv in ivs]
    if ids != list(range(1, len(ivs) + 1)):
        fail("interview numbers not 1..N in order: %s" % ids)
    flat = [u for iv in ivs for u in iv["lines"]]
    if flat != utts:
        fail("interviews.json and utterances.jsonl disagree")
    styles = collections.Counter()
    for iv in ivs:
        w = "interview %02d" % iv["interview"]
        n = len(iv["lines"])
        if not 21 <= n <= 22:
            fail("%s: %d turns (need 21-22)" % (w, n))
        if iv["minor"] != (iv["age"] < 18):
            fail("%s: minor flag vs age %d" % (w, iv["age"]))
        if iv["minor"] and not 13 <= iv["age"] <= 17:
            fail("%s: minor age %d outside 13-17" % (w, iv["age"]))
        if any(u["minor_context"] != iv["minor"] for u in iv["lines"]):
            fail("%s: minor_context mismatch" % w)
        style = iv["style"].split()[0].lower()
        styles[style] += 1
        harm = sum(u["tone"] == "harmful" for u in iv["lines"])
        if style == "excellent" and harm:
            fail("%s: excellent interview has %d harmful lines" % (w, harm))
        if style == "poor" and harm < n / 2:
            fail("%s: poor interview has only %d harmful lines" % (w, harm))
        if style == "mixed" and not any(u["recommended"] for u in iv["lines"]):
            fail("%s: mixed interview has no recommended lines" % w)
    total = len(utts)
    minors = sum(iv["minor"] for iv in ivs)
    looks = sum(iv["lookalike"] for iv in ivs)
    countries = {iv["country"] for iv in ivs}
    if not 530 <= total <= 550:
        fail("total lines %d outside 530-550" % total)
    if minors != 12:
        fail("minor interviews %d (need 12)" % minors)
    if len(ivs) - minors != 13:
        fail("adult interviews %d (need 13)" % (len(ivs) - minors))
    if looks != 3:
        fail("look-alike interviews %d (need 3)" % looks)
    if len(countries) < 12:
        fail("only %d countries" % len(countries))
    if (styles["excellent"], styles["poor"], styles["mixed"]) != (5, 7, 13):
        fail("styles excellent/poor/mixed = %d/%d/%d (need 5/7/13)"
             % (styles["excellent"], styles["poor"], styles["mixed"]))

    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fail("harmful lines %d (need >= 140)" % len(harmful))
    restricted = [u["text"] for u in harmful if RESTRICTED.search(u["text"])]
    if len(restricted) > MAX_RESTRICTED_HARMFUL:
        fail("%d harmful lines use restricted words (max %d)" % (len(restricted), MAX_RESTRICTED_HARMFUL))
    harm_by_q = collections.Counter(u["question_type"] for u in harmful)
    for q in QTYPES:
        if not harm_by_q[q]:
            fail("no harmful line of type %s" % q)
    chit = [u for u in utts if u["kind"].startswith("chit_chat_")]
    meta = [u for u in utts if u["kind"].startswith("meta_")]
    if not 12 <= len(chit) <= 16:
        fail("chit-chat lines %d (need about 14)" % len(chit))
    if not 9 <= len(meta) <= 13:
        fail("meta lines %d (need about 11)" % len(meta))
    kinds = collections.Counter(u["kind"] for u in utts)
    for k in REQUIRED_KINDS:
        if not kinds[k]:
            fail("required kind missing: %s" % k)
    for p in REQUIRED_PREFIXES:
        if not any(k.startswith(p) for k in kinds):
            fail("required kind prefix missing: %s*" % p)
    if not any(u["kind"] == "bare_admin" for u in utts):
        fail("no bare admin")

    # --- figures -----------------------------------------------------------------
    def pct(n):
        return "%5.1f%%" % (100.0 * n / total)
    print("interviews: %d  utterances: %d  minors: %d  adults: %d  look-alikes: %d  countries: %d"
          % (len(ivs), total, minors, len(ivs) - minors, looks, len(countries)))
    print("styles: " + ", ".join("%s %d" % kv for kv in sorted(styles.items())))
    print("question_type:")
    qc = collections.Counter(u["question_type"] for u in utts)
    for q in QTYPES:
        print("  %-14s %4d %s" % (q, qc[q], pct(qc[q])))
    print("tone:")
    tc = collections.Counter(u["tone"] for u in utts)
    for t in TONES:
        print("  %-14s %4d %s" % (t, tc[t], pct(tc[t])))
    rc = collections.Counter(u["recommended"] for u in utts)
    print("recommended:")
    for r in (True, False):
        print("  %-14s %4d %s" % (r, rc[r], pct(rc[r])))
    mc = collections.Counter(u["minor_context"] for u in utts)
    print("minor_context:")
    for r in (True, False):
        print("  %-14s %4d %s" % (r, mc[r], pct(mc[r])))
    print("harmful by question_type: " + ", ".join("%s %d" % (q, harm_by_q[q]) for q in QTYPES))
    print("harmful lines with restricted words: %d" % len(restricted))
    for t in restricted:
        print("   - " + t)
    print("chit-chat lines: %d  meta lines: %d  distinct kinds: %d" % (len(chit), len(meta), len(kinds)))
    print("kinds: " + ", ".join("%s %d" % kv for kv in sorted(kinds.items())))

    if failures:
        print("\nFAILED (%d):" % len(failures))
        for f in failures:
            print("  - " + f)
        sys.exit(1)
    print("\nALL CHECKS PASSED")


if __name__ == "__main__":
    main()
