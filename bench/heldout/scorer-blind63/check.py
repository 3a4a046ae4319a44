#!/usr/bin/env python3
"""Validate utterances.jsonl / interviews.json and print figures per label. Exit 1 on any failure."""
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
    "cultural_mockery", "implied_consequence",
]
REQUIRED_PREFIXES = ["chit_chat_", "meta_"]

# kinds that may never be recommended
NEVER_REC = {"yes_no_question", "either_or_question", "tag_question", "others_said_claim",
             "leading_question", "false_promise", "over_identification", "bare_admin",
             "minimising"}
NEVER_REC_PREFIXES = ("chit_chat_", "meta_")
# harmful kinds: must carry tone harmful
HARM_KINDS = {"contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure",
              "rushing_as_thanks", "implicit_blame", "disbelief_as_curiosity", "bargaining",
              "conditional_help", "family_pressure", "moralising", "over_familiar_offer",
              "talking_about_absent", "graphic_detail_request", "sexual_detail_request",
              "accent_mockery", "cultural_mockery", "implied_consequence", "minimising"}
# option-posing lines may be recommended only for these kinds
REC_OPTION_KINDS = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
                    "offer_questions", "summary_check"}
# warm but poor practice: supportive, not recommended
WARM_POOR = {"false_promise", "over_identification"}

RESTRICTED = re.compile(
    r"\b(prison\w*|jail\w*|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|prostitut\w*|"
    r"whor\w*|stupid\w*|idiot\w*|slut\w*|illegal\w*)\b", re.I)

failures = []


def fail(msg):
    failures.append(msg)


def share(n, d):
    return f"{n:4d} ({100.0 * n / d:5.1f}%)" if d else f"{n:4d}"


def main():
    utts = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                u = json.loads(line)
            except json.JSONDecodeError as e:
                fail(f"utterances.jsonl:{n}: bad JSON ({e})")
                continue
            if set(u) != KEYS:
                fail(f"utterances.jsonl:{n}: keys {sorted(u)}")
                continue
            utts.append(u)
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        ivs = json.load(fh)

    # --- per-utterance checks
    for i, u in enumerate(utts, 1):
        t, k = u["text"], u["kind"]
        where = f"utterance {i} ({t[:40]!r})"
        if u["question_type"] not in QTYPES:
            fail(f"{where}: question_type {u['question_type']!r}")
        if u["tone"] not in TONES:
            fail(f"{where}: tone {u['tone']!r}")
        if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
            fail(f"{where}: recommended/minor_context must be booleans")
        if not isinstance(t, str) or not t.strip():
            fail(f"{where}: empty text")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", k or ""):
            fail(f"{where}: kind not snake_case: {k!r}")
        if u["tone"] == "harmful" and u["recommended"]:
            fail(f"{where}: harmful and recommended")
        if (k in NEVER_REC or k.startswith(NEVER_REC_PREFIXES)) and u["recommended"]:
            fail(f"{where}: kind {k} may not be recommended")
        if k.startswith(NEVER_REC_PREFIXES) and u["question_type"] != "statement":
            fail(f"{where}: {k} must be a statement")
        if k in HARM_KINDS and u["tone"] != "harmful":
            fail(f"{where}: kind {k} should be harmful")
        if k in WARM_POOR and u["tone"] != "supportive":
            fail(f"{where}: kind {k} should be supportive")
        if u["question_type"] == "option_posing" and u["recommended"] and k not in REC_OPTION_KINDS:
            fail(f"{where}: recommended option-posing line of kind {k}")
        if u["question_type"] == "suggestive" and u["recommended"]:
            fail(f"{where}: recommended suggestive line")

    # --- duplicates
    seen = collections.Counter(re.sub(r"\s+", " ", u["text"].strip().lower()) for u in utts)
    for text, c in seen.items():
        if c > 1:
            fail(f"duplicate text x{c}: {text[:60]!r}")

    # --- interviews
    n_lines = sum(len(iv["lines"]) for iv in ivs)
    if n_lines != len(utts):
        fail(f"interviews.json has {n_lines} lines, utterances.jsonl {len(utts)}")
    if len(ivs) != 25:
        fail(f"{len(ivs)} interviews, need 25")
    minors = [iv for iv in ivs if iv["minor"]]
    if len(minors) != 12:
        fail(f"{len(minors)} minor interviews, need 12")
    for iv in ivs:
        tag = f"interview {iv['interview']:02d}"
        if iv["minor"] != (13 <= iv["age"] <= 17):
            fail(f"{tag}: age {iv['age']} does not fit minor={iv['minor']}")
        if not iv["minor"] and iv["age"] < 18:
            fail(f"{tag}: adult under 18")
        if not 21 <= len(iv["lines"]) <= 22:
            fail(f"{tag}: {len(iv['lines'])} lines, need 21-22")
        if any(u["minor_context"] != iv["minor"] for u in iv["lines"]):
            fail(f"{tag}: minor_context disagrees with header")
        if iv["style"] == "excellent" and any(u["tone"] == "harmful" for u in iv["lines"]):
            fail(f"{tag}: excellent interview has harmful lines")
    looks = sum(iv["lookalike"] for iv in ivs)
    if looks != 3:
        fail(f"{looks} look-alike interviews, need 3")
    countries = {iv["country"] for iv in ivs}
    if len(countries) < 12:
        fail(f"{len(countries)} countries, need at least 12")
    styles = collections.Counter(
        "excellent" if iv["style"] == "excellent" else
        "poor" if iv["style"] == "poor" else
        "mixed" if iv["style"].startswith("mixed") else iv["style"] for iv in ivs)
    for s, want in (("excellent", 5), ("poor", 7), ("mixed", 13)):
        if styles[s] != want:
            fail(f"{styles[s]} {s} interviews, want {want}")
    if not 530 <= len(utts) <= 550:
        fail(f"{len(utts)} utterances, need 530-550")

    # --- harm figures
    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fail(f"{len(harmful)} harmful lines, need at least 140")
    restricted = [u for u in harmful if RESTRICTED.search(u["text"])]
    if len(restricted) > 6:
        fail(f"{len(restricted)} harmful lines with restricted words, max 6")
    harm_qt = collections.Counter(u["question_type"] for u in harmful)
    for q in QTYPES:
        if harm_qt[q] < 5:
            fail(f"only {harm_qt[q]} harmful {q} lines, want at least 5")
    chit = [u for u in utts if u["kind"].startswith("chit_chat_")]
    meta = [u for u in utts if u["kind"].startswith("meta_")]
    if not 12 <= len(chit) <= 16:
        fail(f"{len(chit)} chit-chat lines, want about 14")
    if not 9 <= len(meta) <= 13:
        fail(f"{len(meta)} meta lines, want about 11")

    # --- required kinds
    kinds = collections.Counter(u["kind"] for u in utts)
    for k in REQUIRED_KINDS:
        if kinds[k] == 0:
            fail(f"required kind missing: {k}")
    for p in REQUIRED_PREFIXES:
        if not any(k.startswith(p) for k in kinds):
            fail(f"no kind starting with {p}")

    # --- figures
    N = len(utts)
    print(f"interviews: {len(ivs)} (minor {len(minors)}, adult {len(ivs) - len(minors)}, "
          f"look-alike {looks}); countries: {len(countries)}")
    print("styles:", dict(styles))
    print(f"utterances: {N} (minor context {sum(u['minor_context'] for u in utts)})")
    print("question_type:")
    qc = collections.Counter(u["question_type"] for u in utts)
    for q in QTYPES:
        print(f"  {q:14s} {share(qc[q], N)}")
    print("tone:")
    tc = collections.Counter(u["tone"] for u in utts)
    for t in TONES:
        print(f"  {t:14s} {share(tc[t], N)}")
    rc = sum(u["recommended"] for u in utts)
    print(f"recommended: true {share(rc, N)}  false {share(N - rc, N)}")
    print("harmful lines by question type:")
    for q in QTYPES:
        print(f"  {q:14s} {share(harm_qt[q], len(harmful))}")
    print("recommended by question type:")
    for q in QTYPES:
        r = sum(1 for u in utts if u["question_type"] == q and u["recommended"])
        print(f"  {q:14s} {r:4d} of {qc[q]}")
    print(f"harmful in minor interviews: {sum(u['minor_context'] for u in harmful)}; "
          f"in adult interviews: {sum(not u['minor_context'] for u in harmful)}")
    print(f"harmful with restricted words: {len(restricted)}")
    for u in restricted:
        print(f"    {u['text']}")
    print(f"chit-chat lines: {len(chit)}; meta (simulator) lines: {len(meta)}; "
          f"distinct kinds: {len(kinds)}")
    print("kinds:", ", ".join(f"{k} {c}" for k, c in sorted(kinds.items(), key=lambda x: (-x[1], x[0]))))

    if failures:
        print(f"\nFAILED ({len(failures)}):")
        for f in failures:
            print("  -", f)
        sys.exit(1)
    print("\nALL CHECKS PASSED")


if __name__ == "__main__":
    main()
