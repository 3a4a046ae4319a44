#!/usr/bin/env python3
"""Validate utterances.jsonl / interviews.json and print figures per label. Exit 1 on any failure."""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTYPES = ["invitation", "directive", "option_posing", "suggestive", "statement"]
TONES = ["supportive", "neutral", "harmful"]
RESTRICTED = re.compile(
    r"\b(prisons?|prisoners?|jail\w*|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|prostitut\w*|"
    r"whores?|stupid\w*|idiots?|idiotic\w*|sluts?|illegal\w*)\b", re.I)
MAX_RESTRICTED_HARMFUL = 6
# kinds that may never be recommended
NEVER_REC_KINDS = {"bare_admin", "false_promise", "over_identification", "yes_no_question",
                   "either_or_question", "tag_question", "others_said_claim", "leading_question",
                   "multiple_questions"}
NEVER_REC_PREFIXES = ("chit_chat_", "meta_")
# option-posing lines may be recommended only as process offers or summary checks
OPT_REC_KINDS = {"offer_break", "offer_interpreter", "offer_support", "offer_choice", "offer_questions",
                 "summary_check"}
# kinds that must be statements
STATEMENT_KINDS = {"bare_admin", "false_promise", "over_identification", "thanks", "explain_role",
                   "explain_process"}
# kinds whose tone must be harmful
HARMFUL_KINDS = {"contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure", "rushing_as_thanks",
                 "implicit_blame", "disbelief_as_curiosity", "bargaining", "conditional_help",
                 "family_pressure", "moralising", "over_familiar_offer", "talking_about_absent",
                 "graphic_detail_request", "sexual_detail_request", "accent_mockery", "cultural_mockery",
                 "implied_consequence", "age_doubt", "sexualising_remark", "dismissal", "minimising"}
REQUIRED_KINDS = [
    "open_invitation", "cued_invitation", "clarify_detail", "yes_no_question", "either_or_question",
    "tag_question", "others_said_claim", "explain_role", "explain_process", "offer_break",
    "offer_interpreter", "offer_support", "offer_choice", "summary_check", "thanks", "false_promise",
    "over_identification", "bare_admin", "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure",
    "rushing_as_thanks", "implicit_blame", "disbelief_as_curiosity", "bargaining", "conditional_help",
    "family_pressure", "moralising", "over_familiar_offer", "talking_about_absent",
    "graphic_detail_request", "sexual_detail_request", "accent_mockery", "cultural_mockery",
    "implied_consequence",
]
REQUIRED_PREFIXES = ["chit_chat_", "meta_"]

errors = []


def fail(msg):
    errors.append(msg)


def norm(t):
    return re.sub(r"[^a-z0-9]+", " ", t.lower()).strip()


def pct(n, d):
    return f"{100.0 * n / d:5.1f}%" if d else "  n/a"


def main():
    utts = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                utts.append(json.loads(line))
            except json.JSONDecodeError as e:
                fail(f"utterances.jsonl:{n}: bad JSON ({e})")
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        interviews = json.load(fh)

    # --- per line ---
    seen = {}
    restricted_harmful = []
    for i, u in enumerate(utts, 1):
        where = f"line {i}"
        if set(u) != KEYS:
            fail(f"{where}: keys {sorted(u)}")
            continue
        t, q, tone, rec, kind, mc = (u[k] for k in
                                     ("text", "question_type", "tone", "recommended", "kind", "minor_context"))
        if not isinstance(t, str) or not t.strip():
            fail(f"{where}: empty text")
        if q not in QTYPES:
            fail(f"{where}: question_type {q!r}")
        if tone not in TONES:
            fail(f"{where}: tone {tone!r}")
        if not isinstance(rec, bool) or not isinstance(mc, bool):
            fail(f"{where}: recommended/minor_context must be booleans")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", kind or ""):
            fail(f"{where}: kind {kind!r} is not snake_case")
        if tone == "harmful" and rec:
            fail(f"{where}: harmful and recommended: {t}")
        if rec and (kind in NEVER_REC_KINDS or kind.startswith(NEVER_REC_PREFIXES)):
            fail(f"{where}: kind {kind} may not be recommended")
        if q == "suggestive" and rec:
            fail(f"{where}: suggestive line recommended")
        if q == "option_posing" and rec and kind not in OPT_REC_KINDS:
            fail(f"{where}: option-posing recommended but kind {kind} is not a process offer/summary check")
        if kind.startswith(NEVER_REC_PREFIXES) and q != "statement":
            fail(f"{where}: {kind} must be a statement")
        if kind in STATEMENT_KINDS and q != "statement":
            fail(f"{where}: {kind} must be a statement")
        if kind in HARMFUL_KINDS and tone != "harmful":
            fail(f"{where}: kind {kind} should be harmful")
        if kind in ("false_promise", "over_identification") and tone != "supportive":
            fail(f"{where}: {kind} should be supportive")
        if kind == "bare_admin" and tone != "neutral":
            fail(f"{where}: bare_admin should be neutral")
        if tone == "harmful" and RESTRICTED.search(t):
            restricted_harmful.append(t)
        key = norm(t)
        if key in seen:
            fail(f"{where}: duplicate of line {seen[key]}: {t}")
        seen[key] = i

    # --- per interview ---
    if len(interviews) != 25:
        fail(f"{len(interviews)} interviews, expected 25")
    flat = []
    for iv in interviews:
        n = len(iv["lines"])
        if not 21 <= n <= 22:
            fail(f"interview {iv['interview']}: {n} lines, expected 21-22")
        if iv["minor"] != (iv["age"] < 18):
            fail(f"interview {iv['interview']}: minor flag does not match age {iv['age']}")
        if iv["minor"] and not 13 <= iv["age"] <= 17:
            fail(f"interview {iv['interview']}: minor age {iv['age']} outside 13-17")
        for u in iv["lines"]:
            if u["minor_context"] != iv["minor"]:
                fail(f"interview {iv['interview']}: minor_context mismatch: {u['text']}")
        flat += iv["lines"]
    if flat != utts:
        fail("utterances.jsonl does not match interviews.json")
    if sorted(iv["interview"] for iv in interviews) != list(range(1, 26)):
        fail("interview numbers are not 1..25")
    minors = sum(iv["minor"] for iv in interviews)
    if minors != 12:
        fail(f"{minors} minor interviews, expected 12")
    looks = sum(iv["lookalike"] for iv in interviews)
    if looks != 3:
        fail(f"{looks} look-alike interviews, expected 3")
    countries = {iv["country"] for iv in interviews}
    if len(countries) < 12:
        fail(f"only {len(countries)} countries")
    styles = Counter(iv["style"].split()[0].rstrip(":") for iv in interviews)
    for s, lo, hi in (("excellent", 4, 6), ("poor", 6, 8), ("mixed", 12, 14)):
        if not lo <= styles[s] <= hi:
            fail(f"{styles[s]} {s} interviews, expected {lo}-{hi}")
    for iv in interviews:
        s = iv["style"].split()[0].rstrip(":")
        harm = sum(u["tone"] == "harmful" for u in iv["lines"])
        if s == "excellent" and harm:
            fail(f"interview {iv['interview']} is excellent but has {harm} harmful lines")
        if s == "poor" and harm < 12:
            fail(f"interview {iv['interview']} is poor but has only {harm} harmful lines")

    # --- totals ---
    N = len(utts)
    if not 530 <= N <= 550:
        fail(f"{N} utterances, expected 530-550")
    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fail(f"{len(harmful)} harmful lines, expected at least 140")
    if len(restricted_harmful) > MAX_RESTRICTED_HARMFUL:
        fail(f"{len(restricted_harmful)} harmful lines with restricted words (max {MAX_RESTRICTED_HARMFUL})")
    harm_q = Counter(u["question_type"] for u in harmful)
    for q in QTYPES:
        if harm_q[q] < 5:
            fail(f"only {harm_q[q]} harmful {q} lines, expected at least 5")
    kinds = Counter(u["kind"] for u in utts)
    chit = sum(v for k, v in kinds.items() if k.startswith("chit_chat_"))
    meta = sum(v for k, v in kinds.items() if k.startswith("meta_"))
    if not 12 <= chit <= 16:
        fail(f"{chit} chit-chat lines, expected about 14 (12-16)")
    if not 9 <= meta <= 13:
        fail(f"{meta} simulator-directed lines, expected about 11 (9-13)")
    for k in REQUIRED_KINDS:
        if kinds[k] == 0:
            fail(f"required kind {k} missing")
    for p in REQUIRED_PREFIXES:
        if not any(k.startswith(p) for k in kinds):
            fail(f"no kind starting with {p}")

    # --- figures ---
    print(f"interviews: {len(interviews)} (minor {minors}, adult {len(interviews) - minors}, "
          f"look-alike {looks}); countries: {len(countries)}; styles: {dict(styles)}")
    print(f"utterances: {N} (minor context {sum(u['minor_context'] for u in utts)}, "
          f"adult context {sum(not u['minor_context'] for u in utts)})")
    print("question_type:")
    for q in QTYPES:
        c = sum(u["question_type"] == q for u in utts)
        print(f"  {q:14s} {c:4d} {pct(c, N)}")
    print("tone:")
    for t in TONES:
        c = sum(u["tone"] == t for u in utts)
        print(f"  {t:14s} {c:4d} {pct(c, N)}")
    r = sum(u["recommended"] for u in utts)
    print(f"recommended: true {r} {pct(r, N)}, false {N - r} {pct(N - r, N)}")
    print("harmful lines by question_type:")
    for q in QTYPES:
        print(f"  {q:14s} {harm_q[q]:4d} {pct(harm_q[q], len(harmful))}")
    print("question_type x tone (sup/neu/har) and recommended:")
    for q in QTYPES:
        sub = [u for u in utts if u["question_type"] == q]
        tc = Counter(u["tone"] for u in sub)
        print(f"  {q:14s} sup {tc['supportive']:3d}  neu {tc['neutral']:3d}  har {tc['harmful']:3d}"
              f"  rec {sum(u['recommended'] for u in sub):3d}")
    print(f"chit-chat lines: {chit}; simulator-directed (meta) lines: {meta}; "
          f"bare admin: {kinds['bare_admin']}; false promise + over-identification: "
          f"{kinds['false_promise'] + kinds['over_identification']}")
    print(f"harmful lines with restricted words: {len(restricted_harmful)} (max {MAX_RESTRICTED_HARMFUL})")
    for t in restricted_harmful:
        print(f"    - {t}")
    print(f"distinct kinds: {len(kinds)}; required kinds present: "
          f"{sum(kinds[k] > 0 for k in REQUIRED_KINDS)}/{len(REQUIRED_KINDS)}")
    print("kinds:", ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))))

    if errors:
        print(f"\nFAILED ({len(errors)} problems):")
        for e in errors:
            print("  -", e)
        sys.exit(1)
    print("\nOK: all checks passed")


if __name__ == "__main__":
    main()
