#!/usr/bin/env python3
"""Validate the blind evaluation set and print figures per label. Exit 1 on any failure."""
import collections, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTYPES = ["invitation", "directive", "option_posing", "suggestive", "statement"]
TONES = ["supportive", "neutral", "harmful"]
NEVER_REC_KINDS = {"bare_admin", "false_promise", "over_identification"}
NEVER_REC_PREFIXES = ("chit_chat_", "meta_")
OPT_REC_KINDS = {"offer_break", "offer_interpreter", "offer_support", "offer_choice",
                 "offer_questions", "summary_check"}
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
RESTRICTED = re.compile(
    r"\b(prisons?|prisoners?|imprison\w*|jail\w*|liars?|lie|lies|lied|lying|arrest\w*|deport\w*|"
    r"prostitut\w*|whores?|stupid\w*|idiot\w*|sluts?|illegal\w*)\b", re.I)

fails = []


def fail(msg):
    fails.append(msg)


def main():
    utts = [json.loads(l) for l in open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") if l.strip()]
    ivs = json.load(open(os.path.join(HERE, "interviews.json"), encoding="utf-8"))

    # per-line checks
    for i, u in enumerate(utts, 1):
        tag = f"line {i} ({u.get('text', '')[:40]!r})"
        if set(u) != KEYS:
            fail(f"{tag}: keys {sorted(u)}")
            continue
        if u["question_type"] not in QTYPES:
            fail(f"{tag}: question_type {u['question_type']}")
        if u["tone"] not in TONES:
            fail(f"{tag}: tone {u['tone']}")
        if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
            fail(f"{tag}: recommended/minor_context must be booleans")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"]):
            fail(f"{tag}: kind not snake_case")
        if not u["text"].strip():
            fail(f"{tag}: empty text")
        if u["tone"] == "harmful" and u["recommended"]:
            fail(f"{tag}: harmful and recommended")
        if u["recommended"] and (u["kind"] in NEVER_REC_KINDS or u["kind"].startswith(NEVER_REC_PREFIXES)):
            fail(f"{tag}: kind {u['kind']} is never recommended")
        if u["recommended"] and u["question_type"] == "suggestive":
            fail(f"{tag}: suggestive line recommended")
        if u["recommended"] and u["question_type"] == "option_posing" and u["kind"] not in OPT_REC_KINDS:
            fail(f"{tag}: option-posing recommended but not a process offer/summary check")
        if u["kind"].startswith(NEVER_REC_PREFIXES) and u["question_type"] != "statement":
            fail(f"{tag}: chit-chat/meta lines must be statements")

    # duplicates
    seen = collections.Counter(re.sub(r"\s+", " ", u["text"].strip().lower()) for u in utts)
    for t, c in seen.items():
        if c > 1:
            fail(f"duplicate text x{c}: {t[:60]!r}")

    # interview-level checks
    if len(ivs) != 25:
        fail(f"{len(ivs)} interviews, need 25")
    if sum(len(iv["lines"]) for iv in ivs) != len(utts):
        fail("interviews.json and utterances.jsonl disagree")
    for iv in ivs:
        n = len(iv["lines"])
        if not 21 <= n <= 22:
            fail(f"interview {iv['interview']}: {n} lines, need 21-22")
        if iv["minor"] != (iv["age"] < 18):
            fail(f"interview {iv['interview']}: minor flag does not match age")
        if iv["minor"] and not 13 <= iv["age"] <= 17:
            fail(f"interview {iv['interview']}: minor age outside 13-17")
        if any(u["minor_context"] != iv["minor"] for u in iv["lines"]):
            fail(f"interview {iv['interview']}: minor_context mismatch")
        if iv["style"].startswith("excellent") and any(u["tone"] == "harmful" for u in iv["lines"]):
            fail(f"interview {iv['interview']}: excellent style with a harmful line")
    minors = sum(iv["minor"] for iv in ivs)
    looks = sum(iv["lookalike"] for iv in ivs)
    countries = {iv["country"] for iv in ivs}
    styles = collections.Counter(iv["style"].split(":")[0].split()[0] for iv in ivs)
    if minors != 12:
        fail(f"{minors} minor interviews, need 12")
    if len(ivs) - minors != 13:
        fail(f"{len(ivs) - minors} adult interviews, need 13")
    if looks != 3:
        fail(f"{looks} look-alikes, need 3")
    if len(countries) < 12:
        fail(f"{len(countries)} countries, need >= 12")
    if not (4 <= styles["excellent"] <= 6 and 6 <= styles["poor"] <= 8 and 12 <= styles["mixed"] <= 14):
        fail(f"style mix {dict(styles)}")
    if not 530 <= len(utts) <= 550:
        fail(f"{len(utts)} lines, need 530-550")

    harmful = [u for u in utts if u["tone"] == "harmful"]
    if len(harmful) < 140:
        fail(f"{len(harmful)} harmful lines, need >= 140")
    restricted = [u for u in harmful if RESTRICTED.search(u["text"])]
    if len(restricted) > 6:
        fail(f"{len(restricted)} harmful lines with restricted words, max 6")
    harm_by_q = collections.Counter(u["question_type"] for u in harmful)
    for q in QTYPES:
        if harm_by_q[q] < 5:
            fail(f"only {harm_by_q[q]} harmful {q} lines, need >= 5")
    chit = [u for u in utts if u["kind"].startswith("chit_chat_")]
    meta = [u for u in utts if u["kind"].startswith("meta_")]
    if not 12 <= len(chit) <= 16:
        fail(f"{len(chit)} chit-chat lines, want about 14")
    if not 9 <= len(meta) <= 13:
        fail(f"{len(meta)} meta lines, want about 11")
    kinds = collections.Counter(u["kind"] for u in utts)
    for k in REQUIRED_KINDS:
        if k.endswith("*"):
            if not any(x.startswith(k[:-1]) for x in kinds):
                fail(f"missing kind {k}")
        elif k not in kinds:
            fail(f"missing kind {k}")

    # figures
    N = len(utts)
    pct = lambda c: f"{c:4d} ({100 * c / N:5.1f}%)"
    print(f"interviews: {len(ivs)}  lines: {N}  minors: {minors}  adults: {len(ivs) - minors}  "
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
    print("harmful by question_type: " + ", ".join(f"{q} {harm_by_q[q]}" for q in QTYPES))
    print("recommended by question_type: " + ", ".join(
        f"{q} {sum(u['recommended'] and u['question_type'] == q for u in utts)}" for q in QTYPES))
    print(f"harmful with restricted words: {len(restricted)}  chit-chat: {len(chit)}  meta: {len(meta)}  "
          f"distinct kinds: {len(kinds)}")
    if fails:
        print(f"\nFAILED ({len(fails)}):")
        for f in fails:
            print("  - " + f)
        sys.exit(1)
    print("\nALL CHECKS PASSED")


if __name__ == "__main__":
    main()
