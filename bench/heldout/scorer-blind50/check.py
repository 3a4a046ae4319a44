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
    "over_identification", "bare_admin", "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure",
    "rushing_as_thanks", "implicit_blame", "disbelief_as_curiosity", "bargaining", "conditional_help",
    "family_pressure", "moralising", "over_familiar_offer", "talking_about_absent",
    "graphic_detail_request", "sexual_detail_request", "accent_mockery", "cultural_mockery",
    "implied_consequence",
]
REQUIRED_PREFIXES = ["chit_chat_", "meta_"]

# kinds that may never be recommended
NEVER_REC_KINDS = {"bare_admin", "false_promise", "over_identification", "yes_no_question",
                   "either_or_question", "tag_question", "others_said_claim", "leading_must_have",
                   "leading_assumption", "over_familiar_greeting"}
NEVER_REC_PREFIXES = ("chit_chat_", "meta_")
# kinds that are harm by definition: must carry tone harmful
HARMFUL_KINDS = {"contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure", "rushing_as_thanks",
                 "implicit_blame", "disbelief_as_curiosity", "bargaining", "conditional_help",
                 "family_pressure", "moralising", "over_familiar_offer", "talking_about_absent",
                 "graphic_detail_request", "sexual_detail_request", "accent_mockery", "cultural_mockery",
                 "implied_consequence"}
# option-posing lines may be recommended only for these process offers / summary checks
OPT_REC_KINDS = {"offer_break", "offer_interpreter", "offer_support", "offer_choice", "invite_questions",
                 "summary_check"}
# kinds that must be statements
STATEMENT_PREFIXES = ("chit_chat_", "meta_")

RESTRICTED = re.compile(r"\b(prisons?|prisoners?|imprison\w*|jail\w*|gaol\w*|liars?|lie|lies|lied|lying|"
                        r"arrest\w*|deport\w*|prostitut\w*|whores?|stupid\w*|idiot\w*|slut\w*|"
                        r"illegal\w*)\b", re.I)
MAX_RESTRICTED_HARMFUL = 6


def main():
    fails = []

    def fail(msg):
        fails.append(msg)

    utts = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                utts.append(json.loads(line))
            except json.JSONDecodeError as e:
                fail(f"utterances.jsonl:{n}: {e}")
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        ivs = json.load(fh)

    # --- per-utterance checks
    seen = {}
    for i, u in enumerate(utts, 1):
        if set(u) != KEYS:
            fail(f"line {i}: keys {sorted(u)}")
            continue
        if u["question_type"] not in QTYPES:
            fail(f"line {i}: question_type {u['question_type']}")
        if u["tone"] not in TONES:
            fail(f"line {i}: tone {u['tone']}")
        if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
            fail(f"line {i}: booleans")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"]):
            fail(f"line {i}: kind not snake_case {u['kind']!r}")
        if not u["text"].strip():
            fail(f"line {i}: empty text")
        k, rec = u["kind"], u["recommended"]
        if u["tone"] == "harmful" and rec:
            fail(f"line {i}: harmful and recommended")
        if rec and (k in NEVER_REC_KINDS or k.startswith(NEVER_REC_PREFIXES)):
            fail(f"line {i}: kind {k} must not be recommended")
        if k in HARMFUL_KINDS and u["tone"] != "harmful":
            fail(f"line {i}: kind {k} should be harmful")
        if k.startswith(STATEMENT_PREFIXES) and u["question_type"] != "statement":
            fail(f"line {i}: kind {k} should be a statement")
        if u["question_type"] == "option_posing" and rec and k not in OPT_REC_KINDS:
            fail(f"line {i}: option-posing {k} recommended")
        if u["question_type"] == "suggestive" and rec:
            fail(f"line {i}: suggestive recommended")
        key = re.sub(r"\W+", " ", u["text"].lower()).strip()
        if key in seen:
            fail(f"line {i}: duplicate of line {seen[key]}: {u['text']!r}")
        seen[key] = i

    kinds = collections.Counter(u["kind"] for u in utts)
    for k in REQUIRED_KINDS:
        if kinds[k] == 0:
            fail(f"required kind missing: {k}")
    for p in REQUIRED_PREFIXES:
        if not any(k.startswith(p) for k in kinds):
            fail(f"required kind prefix missing: {p}*")

    harmful = [u for u in utts if u["tone"] == "harmful"]
    restricted = [u["text"] for u in harmful if RESTRICTED.search(u["text"])]
    if len(restricted) > MAX_RESTRICTED_HARMFUL:
        fail(f"{len(restricted)} harmful lines use restricted words (max {MAX_RESTRICTED_HARMFUL})")
    if len(harmful) < 140:
        fail(f"only {len(harmful)} harmful lines (need 140)")
    hq = collections.Counter(u["question_type"] for u in harmful)
    for q in QTYPES:
        if hq[q] < 3:
            fail(f"fewer than 3 harmful {q} lines")
    chit = sum(1 for u in utts if u["kind"].startswith("chit_chat_"))
    meta = sum(1 for u in utts if u["kind"].startswith("meta_"))
    if not 10 <= chit <= 18:
        fail(f"chit-chat lines {chit} (want about 14)")
    if not 8 <= meta <= 14:
        fail(f"meta lines {meta} (want about 11)")

    # --- interview-level checks
    if len(ivs) != 25:
        fail(f"{len(ivs)} interviews (need 25)")
    if [iv["interview"] for iv in ivs] != list(range(1, len(ivs) + 1)):
        fail("interview numbers not 1..N in order")
    total = sum(len(iv["lines"]) for iv in ivs)
    if not 530 <= total <= 550:
        fail(f"{total} lines (need 530-550)")
    if total != len(utts):
        fail("interviews.json and utterances.jsonl disagree")
    flat = [u for iv in ivs for u in iv["lines"]]
    if flat != utts:
        fail("interviews.json lines differ from utterances.jsonl")
    styles = collections.Counter()
    for iv in ivs:
        n = iv["interview"]
        if set(iv) != {"interview", "age", "minor", "country", "type", "lookalike", "style", "lines"}:
            fail(f"interview {n}: keys")
        if not 21 <= len(iv["lines"]) <= 22:
            fail(f"interview {n}: {len(iv['lines'])} turns")
        if iv["minor"] != (iv["age"] < 18):
            fail(f"interview {n}: minor flag vs age {iv['age']}")
        if iv["minor"] and not 13 <= iv["age"] <= 17:
            fail(f"interview {n}: minor age {iv['age']}")
        if any(u["minor_context"] != iv["minor"] for u in iv["lines"]):
            fail(f"interview {n}: minor_context mismatch")
        style = iv["style"].split()[0].rstrip(":").lower()
        styles[style] += 1
        nh = sum(u["tone"] == "harmful" for u in iv["lines"])
        if style == "excellent" and (nh or not all(u["recommended"] for u in iv["lines"])):
            fail(f"interview {n}: excellent style but has harmful or non-recommended lines")
        if style == "poor" and nh < 10:
            fail(f"interview {n}: poor style but only {nh} harmful lines")
        if style == "mixed" and nh == 0 and not any(not u["recommended"] for u in iv["lines"]):
            fail(f"interview {n}: mixed style but nothing to fault")
    minors = sum(iv["minor"] for iv in ivs)
    looks = sum(iv["lookalike"] for iv in ivs)
    countries = {iv["country"] for iv in ivs}
    if minors != 12:
        fail(f"{minors} minor interviews (need 12)")
    if looks != 3:
        fail(f"{looks} look-alike interviews (need 3)")
    if len(countries) < 12:
        fail(f"{len(countries)} countries (need 12)")
    if styles != collections.Counter({"excellent": 5, "poor": 7, "mixed": 13}):
        fail(f"styles {dict(styles)} (need 5 excellent, 7 poor, 13 mixed)")

    # --- figures
    N = len(utts)
    pct = lambda x: f"{x:4d} ({100 * x / N:5.1f}%)"
    print(f"interviews: {len(ivs)}  utterances: {N}  minors: {minors}  adults: {len(ivs) - minors}  "
          f"look-alikes: {looks}  countries: {len(countries)}  styles: {dict(styles)}")
    print("question_type:")
    for q in QTYPES:
        print(f"  {q:14s} {pct(sum(u['question_type'] == q for u in utts))}")
    print("tone:")
    for t in TONES:
        print(f"  {t:14s} {pct(sum(u['tone'] == t for u in utts))}")
    print("recommended:")
    for r in (True, False):
        print(f"  {str(r):14s} {pct(sum(u['recommended'] is r for u in utts))}")
    print("minor_context:")
    for r in (True, False):
        print(f"  {str(r):14s} {pct(sum(u['minor_context'] is r for u in utts))}")
    print("harmful by question_type: " + ", ".join(f"{q} {hq[q]}" for q in QTYPES))
    print(f"harmful lines with restricted words: {len(restricted)} (max {MAX_RESTRICTED_HARMFUL})")
    print(f"chit-chat lines: {chit}  meta (simulator) lines: {meta}  "
          f"bare admin: {kinds['bare_admin']}  distinct kinds: {len(kinds)}")
    print("question_type x tone:")
    for q in QTYPES:
        print(f"  {q:14s} " + "  ".join(f"{t[:3]} {sum(u['question_type'] == q and u['tone'] == t for u in utts):3d}" for t in TONES)
              + f"  rec {sum(u['question_type'] == q and u['recommended'] for u in utts):3d}")

    if fails:
        print(f"\nFAILED ({len(fails)}):")
        for f in fails:
            print("  - " + f)
        sys.exit(1)
    print("\nOK: all checks passed")


if __name__ == "__main__":
    main()
