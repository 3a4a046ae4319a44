#!/usr/bin/env python3
"""Validate the blind evaluation set and print figures per label. Exit 1 on any failure."""
import collections, json, os, re, sys

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
    "cultural_mockery", "implied_consequence", "chit_chat_*", "meta_*",
]
# kinds that are harmful by definition (tone must be harmful)
HARMFUL_KINDS = {
    "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure", "rushing_as_thanks",
    "implicit_blame", "disbelief_as_curiosity", "bargaining", "conditional_help", "family_pressure",
    "moralising", "over_familiar_offer", "talking_about_absent", "graphic_detail_request",
    "sexual_detail_request", "accent_mockery", "cultural_mockery", "implied_consequence",
    "minimising", "victim_blaming", "either_or_pressure", "threat_either_or", "age_disbelief",
    "dismissing_emotion", "sexualising_comment",
}
# kinds that may never be recommended
NEVER_REC = HARMFUL_KINDS | {
    "bare_admin", "false_promise", "over_identification", "yes_no_question", "either_or_question",
    "tag_question", "others_said_claim", "leading_question",
}
NEVER_REC_PREFIX = ("chit_chat_", "meta_")
# option-posing lines may be recommended only when they are process offers or summary checks
OPT_REC_OK = {"offer_break", "offer_interpreter", "offer_support", "offer_choice", "offer_questions",
              "summary_check"}
RESTRICTED = re.compile(
    r"prison|jail|\bliars?\b|\blie[sd]?\b|\blying\b|arrest|deport|prostitut|whore|stupid|idiot|"
    r"\bsluts?\b|illegal", re.I)

failures = []


def fail(msg):
    failures.append(msg)


def main():
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        interviews = json.load(fh)
    utts = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                utts.append(json.loads(line))
            except ValueError:
                fail("utterances.jsonl line %d is not JSON" % n)

    # --- per-line checks
    for i, u in enumerate(utts, 1):
        w = "line %d (%s...)" % (i, str(u.get("text", ""))[:40])
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
            fail("%s: kind not snake_case: %r" % (w, k))
        if u["tone"] == "harmful" and u["recommended"]:
            fail("%s: harmful and recommended" % w)
        if u["recommended"] and (k in NEVER_REC or k.startswith(NEVER_REC_PREFIX)):
            fail("%s: kind %s may never be recommended" % (w, k))
        if k in HARMFUL_KINDS and u["tone"] != "harmful":
            fail("%s: kind %s must be harmful" % (w, k))
        if u["question_type"] == "suggestive" and u["recommended"]:
            fail("%s: suggestive line recommended" % w)
        if u["question_type"] == "option_posing" and u["recommended"] and k not in OPT_REC_OK:
            fail("%s: option-posing recommended but kind %s is not a process offer/summary" % (w, k))
        if k.startswith(NEVER_REC_PREFIX) and u["question_type"] != "statement":
            fail("%s: %s must be a statement" % (w, k))

    # --- duplicates
    seen = collections.Counter(re.sub(r"\s+", " ", u["text"].strip().lower()) for u in utts)
    for t, c in seen.items():
        if c > 1:
            fail("duplicate text x%d: %s" % (c, t[:60]))

    # --- interview-level checks
    total = sum(len(iv["lines"]) for iv in interviews)
    if total != len(utts):
        fail("interviews.json has %d lines, utterances.jsonl %d" % (total, len(utts)))
    if len(interviews) != 25:
        fail("need 25 interviews, got %d" % len(interviews))
    if not 530 <= len(utts) <= 550:
        fail("need 530-550 lines, got %d" % len(utts))
    styles = collections.Counter()
    for iv in interviews:
        n = len(iv["lines"])
        if not 21 <= n <= 22:
            fail("interview %s has %d lines" % (iv["interview"], n))
        if iv["minor"] != (iv["age"] < 18):
            fail("interview %s: minor flag vs age %s" % (iv["interview"], iv["age"]))
        if iv["minor"] and not 13 <= iv["age"] <= 17:
            fail("interview %s: minor age out of 13-17" % iv["interview"])
        if any(u["minor_context"] != iv["minor"] for u in iv["lines"]):
            fail("interview %s: minor_context mismatch" % iv["interview"])
        styles[iv["style"].split()[0].lower()] += 1
    minors = sum(iv["minor"] for iv in interviews)
    looks = sum(iv["lookalike"] for iv in interviews)
    countries = {iv["country"] for iv in interviews}
    if minors != 12:
        fail("need 12 minor interviews, got %d" % minors)
    if looks != 3:
        fail("need 3 look-alike interviews, got %d" % looks)
    if len(countries) < 12:
        fail("need at least 12 countries, got %d" % len(countries))
    if (styles["excellent"], styles["poor"], styles["mixed"]) != (5, 7, 13):
        fail("styles should be 5 excellent / 7 poor / 13 mixed, got %s" % dict(styles))

    # --- label counts
    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fail("need at least 140 harmful lines, got %d" % len(harmful))
    restricted = [u["text"] for u in harmful if RESTRICTED.search(u["text"])]
    if len(restricted) > 6:
        fail("%d harmful lines use restricted words (max 6)" % len(restricted))
    harm_qt = collections.Counter(u["question_type"] for u in harmful)
    for q in QTYPES:
        if harm_qt[q] == 0:
            fail("no harmful line of type %s" % q)
    chit = [u for u in utts if u["kind"].startswith("chit_chat_")]
    meta = [u for u in utts if u["kind"].startswith("meta_")]
    if not 12 <= len(chit) <= 16:
        fail("chit-chat lines should be about 14, got %d" % len(chit))
    if not 9 <= len(meta) <= 13:
        fail("meta lines should be about 11, got %d" % len(meta))
    kinds = collections.Counter(u["kind"] for u in utts)
    for rk in REQUIRED_KINDS:
        if rk.endswith("*"):
            if not any(k.startswith(rk[:-1]) for k in kinds):
                fail("missing required kind family %s" % rk)
        elif rk not in kinds:
            fail("missing required kind %s" % rk)

    # --- figures
    N = len(utts)
    pct = lambda c: "%5.1f%%" % (100.0 * c / N)
    print("interviews: %d (minor %d, adult %d, look-alike %d); countries: %d; styles: %s"
          % (len(interviews), minors, len(interviews) - minors, looks, len(countries), dict(styles)))
    print("utterances: %d (minor_context true %d)" % (N, sum(u["minor_context"] for u in utts)))
    print("question_type:")
    for q in QTYPES:
        c = sum(u["question_type"] == q for u in utts)
        print("  %-14s %4d %s" % (q, c, pct(c)))
    print("tone:")
    for t in TONES:
        c = sum(u["tone"] == t for u in utts)
        print("  %-14s %4d %s" % (t, c, pct(c)))
    rc = sum(u["recommended"] for u in utts)
    print("recommended:\n  %-14s %4d %s\n  %-14s %4d %s" % ("true", rc, pct(rc), "false", N - rc, pct(N - rc)))
    print("harmful by question_type: " + ", ".join("%s %d" % (q, harm_qt[q]) for q in QTYPES))
    print("harmful lines with restricted words: %d" % len(restricted))
    print("chit-chat lines: %d; meta (simulator) lines: %d; bare admin: %d; false promise: %d; "
          "over-identification: %d" % (len(chit), len(meta), kinds["bare_admin"], kinds["false_promise"],
                                        kinds["over_identification"]))
    print("distinct kinds: %d" % len(kinds))
    if failures:
        print("\nFAILURES (%d):" % len(failures))
        for f in failures:
            print("  - " + f)
        sys.exit(1)
    print("\nall checks passed")


if __name__ == "__main__":
    main()
