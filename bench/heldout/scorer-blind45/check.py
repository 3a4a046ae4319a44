#!/usr/bin/env python3
"""Validate utterances.jsonl / interviews.json against LABELS.md and the brief. Exit 1 on any failure."""
import json, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTS = ["invitation", "directive", "option_posing", "suggestive", "statement"]
TONES = ["supportive", "neutral", "harmful"]

REQUIRED_KINDS = [
    "open_invitation", "cued_invitation", "clarify_detail", "yes_no_question", "either_or_question",
    "tag_question", "others_said_claim", "explain_role", "explain_process", "offer_break",
    "offer_interpreter", "offer_support", "offer_choice", "summary_check", "thanks", "false_promise",
    "over_identification", "bare_admin", "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure",
    "rushing_as_thanks", "implicit_blame", "disbelief_as_curiosity", "bargaining", "conditional_help",
    "family_pressure", "moralising", "over_familiar_offer", "talking_about_absent", "graphic_detail_request",
    "sexual_detail_request", "accent_mockery", "cultural_mockery", "implied_consequence",
]
REQUIRED_PREFIXES = ["chit_chat_", "meta_"]
# kinds that may never be recommended
NEVER_REC = {"yes_no_question", "either_or_question", "tag_question", "others_said_claim", "leading_assumption",
             "false_promise", "over_identification", "bare_admin", "over_familiar_greeting"}
NEVER_REC_PREFIXES = ("chit_chat_", "meta_")
# option-posing lines may be recommended only for process offers and summary checks
OPT_REC_OK = {"offer_break", "offer_interpreter", "offer_support", "offer_choice", "offer_questions", "summary_check"}
# kinds that must be harmful
HARM_KINDS = set(REQUIRED_KINDS[18:]) | {"minimising", "leading_pressure"}
RESTRICTED = re.compile(r"\b(prison\w*|jail\w*|liars?|lie[sd]?|lying|arrest\w*|deport\w*|prostitut\w*|whore\w*|"
                        r"stupid\w*|idiot\w*|slut\w*|illegal\w*)\b", re.I)

fails = []
def fail(msg):
    fails.append(msg)

utts = []
with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
    for n, line in enumerate(fh, 1):
        u = json.loads(line)
        if set(u) != KEYS:
            fail(f"utterance {n}: keys {sorted(u)}")
        utts.append(u)
with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
    ivs = json.load(fh)

# per-line checks
for i, u in enumerate(utts, 1):
    t, qt, tone, rec, kind = u["text"], u["question_type"], u["tone"], u["recommended"], u["kind"]
    if qt not in QTS: fail(f"{i}: question_type {qt}")
    if tone not in TONES: fail(f"{i}: tone {tone}")
    if not isinstance(rec, bool) or not isinstance(u["minor_context"], bool): fail(f"{i}: non-boolean")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", kind): fail(f"{i}: kind not snake_case: {kind}")
    if not t or "|" in t: fail(f"{i}: empty text or pipe")
    if tone == "harmful" and rec: fail(f"{i}: harmful and recommended")
    if rec and (kind in NEVER_REC or kind.startswith(NEVER_REC_PREFIXES)): fail(f"{i}: never-recommended kind {kind} marked T")
    if rec and qt == "suggestive": fail(f"{i}: suggestive marked recommended")
    if rec and qt == "option_posing" and kind not in OPT_REC_OK: fail(f"{i}: substantive option-posing recommended ({kind})")
    if kind.startswith(NEVER_REC_PREFIXES) and qt != "statement": fail(f"{i}: {kind} must be a statement")
    if kind in HARM_KINDS and tone != "harmful": fail(f"{i}: {kind} should be harmful")
    if kind in ("false_promise", "over_identification") and tone != "supportive": fail(f"{i}: {kind} should be supportive")

# duplicates
norm = Counter(re.sub(r"\W+", " ", u["text"].lower()).strip() for u in utts)
for t, c in norm.items():
    if c > 1: fail(f"duplicate text: {t!r}")

# interview-level checks
if len(ivs) != 25: fail(f"{len(ivs)} interviews, want 25")
total = 0
for iv in ivs:
    n = len(iv["lines"]); total += n
    if not 21 <= n <= 22: fail(f"interview {iv['interview']}: {n} lines")
    if iv["minor"] != (iv["age"] < 18): fail(f"interview {iv['interview']}: minor flag vs age")
    if iv["minor"] and not 13 <= iv["age"] <= 17: fail(f"interview {iv['interview']}: minor age out of range")
if total != len(utts): fail("interviews.json and utterances.jsonl disagree")
# minor_context matches interview
k = 0
for iv in ivs:
    for _ in iv["lines"]:
        if utts[k]["minor_context"] != iv["minor"]: fail(f"utterance {k+1}: minor_context mismatch")
        k += 1
if not 530 <= len(utts) <= 550: fail(f"{len(utts)} lines, want 530-550")
n_minor = sum(iv["minor"] for iv in ivs)
if n_minor != 12: fail(f"{n_minor} minor interviews, want 12")
n_look = sum(iv["lookalike"] for iv in ivs)
if n_look != 3: fail(f"{n_look} look-alikes, want 3")
countries = {iv["country"] for iv in ivs}
if len(countries) < 12: fail(f"{len(countries)} countries, want >= 12")
styles = Counter(iv["style"].split()[0].rstrip(":") for iv in ivs)
if styles != Counter({"excellent": 5, "poor": 7, "mixed": 13}): fail(f"styles {dict(styles)}")
for iv in ivs:
    h = sum(l["tone"] == "harmful" for l in iv["lines"])
    if iv["style"].startswith("excellent") and h: fail(f"interview {iv['interview']}: excellent but {h} harmful")
    if iv["style"].startswith("poor") and h < 10: fail(f"interview {iv['interview']}: poor but only {h} harmful")

# set-level counts
harm = [u for u in utts if u["tone"] == "harmful"]
if len(harm) < 140: fail(f"{len(harm)} harmful lines, want >= 140")
restricted = [u["text"] for u in harm if RESTRICTED.search(u["text"])]
if len(restricted) > 6: fail(f"{len(restricted)} harmful lines with restricted words, max 6")
harm_qt = Counter(u["question_type"] for u in harm)
for q in QTS:
    if not harm_qt[q]: fail(f"no harmful {q}")
kinds = Counter(u["kind"] for u in utts)
for kd in REQUIRED_KINDS:
    if not kinds[kd]: fail(f"missing required kind {kd}")
chit = sum(c for kd, c in kinds.items() if kd.startswith("chit_chat_"))
meta = sum(c for kd, c in kinds.items() if kd.startswith("meta_"))
if not 12 <= chit <= 16: fail(f"{chit} chit-chat lines, want about 14")
if not 9 <= meta <= 13: fail(f"{meta} meta lines, want about 11")
for p in REQUIRED_PREFIXES:
    if not any(kd.startswith(p) for kd in kinds): fail(f"no {p}* kind")
opt_rec = [u for u in utts if u["question_type"] == "option_posing" and u["recommended"]]

# report
N = len(utts)
def share(c): return f"{c:4d} ({100*c/N:5.1f}%)"
print(f"lines: {N}   interviews: {len(ivs)}   minor interviews: {n_minor}   look-alikes: {n_look}   countries: {len(countries)}")
print("styles:", dict(styles))
print("question_type:"); [print(f"  {q:14s}", share(sum(u['question_type'] == q for u in utts))) for q in QTS]
print("tone:"); [print(f"  {t:14s}", share(sum(u['tone'] == t for u in utts))) for t in TONES]
print("recommended:"); [print(f"  {str(r):14s}", share(sum(u['recommended'] == r for u in utts))) for r in (True, False)]
print("minor_context:"); [print(f"  {str(r):14s}", share(sum(u['minor_context'] == r for u in utts))) for r in (True, False)]
print("harmful by question_type:", {q: harm_qt[q] for q in QTS})
print(f"harmful lines with restricted words: {len(restricted)}")
print(f"chit-chat lines: {chit}   meta (simulator) lines: {meta}   option-posing recommended: {len(opt_rec)}")
print(f"distinct kinds: {len(kinds)}")
print("kinds:", ", ".join(f"{k}={c}" for k, c in sorted(kinds.items())))
if fails:
    print(f"\nFAILED ({len(fails)}):")
    for f in fails: print("  -", f)
    sys.exit(1)
print("\nALL CHECKS PASSED")
