#!/usr/bin/env python3
"""Validate the blind evaluation set and print figures per label. Exit 1 on any failure."""
import collections, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTS = ["invitation", "directive", "option_posing", "suggestive", "statement"]
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
# kinds that are harmful by definition (must be tone harmful, never recommended)
HARM_KINDS = {
    "contempt", "sarcasm", "polite_pressure", "bureaucratic_pressure", "rushing_as_thanks",
    "implicit_blame", "disbelief_as_curiosity", "bargaining", "conditional_help", "family_pressure",
    "moralising", "over_familiar_offer", "talking_about_absent", "graphic_detail_request",
    "sexual_detail_request", "accent_mockery", "cultural_mockery", "implied_consequence",
    "stereotyping", "sexualising_remark",
}
# kinds that are never recommended whatever their tone
NEVER_REC = HARM_KINDS | {
    "bare_admin", "false_promise", "over_identification", "yes_no_question", "either_or_question",
    "tag_question", "others_said_claim", "leading_statement",
}
NEVER_REC_PREFIX = ("chit_chat_", "meta_")
# the only option-posing kinds that may be recommended
PROCESS_OPT = {"offer_break", "offer_interpreter", "offer_support", "offer_choice", "offer_questions",
               "summary_check"}
# kinds that must be recommended (good practice)
ALWAYS_REC = {"open_invitation", "cued_invitation", "closing_invitation", "explain_role", "explain_process",
              "offer_break", "offer_interpreter", "offer_support", "offer_choice", "offer_questions",
              "summary_check", "thanks", "normalising", "empathic_reflection", "honest_next_steps"}
RESTRICTED = re.compile(
    r"\b(prison\w*|jail\w*|liar\w*|lie|lies|lied|lying|arrest\w*|deport\w*|prostitut\w*|whore\w*|"
    r"stupid\w*|idiot\w*|slut\w*|illegal\w*)\b", re.I)

failures = []


def fail(msg):
    failures.append(msg)


def share(n, d):
    return f"{n:4d} ({100.0 * n / d:5.1f}%)" if d else f"{n:4d}"


def main():
    utts = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            try:
                utts.append(json.loads(line))
            except ValueError:
                fail(f"utterances.jsonl:{i} is not JSON")
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        ivs = json.load(fh)

    # ---- per-line checks
    for i, u in enumerate(utts, 1):
        tag = f"line {i} ({u.get('text', '')[:50]!r})"
        if set(u) != KEYS:
            fail(f"{tag}: keys {sorted(u)}")
            continue
        if u["question_type"] not in QTS:
            fail(f"{tag}: question_type {u['question_type']}")
        if u["tone"] not in TONES:
            fail(f"{tag}: tone {u['tone']}")
        if not isinstance(u["recommended"], bool) or not isinstance(u["minor_context"], bool):
            fail(f"{tag}: recommended/minor_context not boolean")
        if not isinstance(u["text"], str) or not u["text"].strip():
            fail(f"{tag}: empty text")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", u["kind"]):
            fail(f"{tag}: kind not snake_case: {u['kind']}")
        k, rec = u["kind"], u["recommended"]
        if u["tone"] == "harmful" and rec:
            fail(f"{tag}: harmful and recommended")
        if (k in NEVER_REC or k.startswith(NEVER_REC_PREFIX)) and rec:
            fail(f"{tag}: kind {k} may never be recommended")
        if k in HARM_KINDS and u["tone"] != "harmful":
            fail(f"{tag}: kind {k} must be harmful")
        if k in ALWAYS_REC and not rec:
            fail(f"{tag}: kind {k} should be recommended")
        if u["question_type"] == "suggestive" and rec:
            fail(f"{tag}: suggestive line recommended")
        if u["question_type"] == "option_posing" and rec and k not in PROCESS_OPT:
            fail(f"{tag}: substantive option-posing line recommended")
        if k.startswith(NEVER_REC_PREFIX) and u["question_type"] != "statement":
            fail(f"{tag}: chit-chat/meta line must be a statement")
        if k in ("false_promise", "over_identification") and u["tone"] != "supportive":
            fail(f"{tag}: {k} should be supportive (warm but poor practice)")

    # ---- duplicates
    seen = collections.Counter(u["text"].strip().lower() for u in utts)
    for t, c in seen.items():
        if c > 1:
            fail(f"duplicate text x{c}: {t[:60]!r}")

    # ---- interviews
    if len(ivs) != 25:
        fail(f"{len(ivs)} interviews, need 25")
    if sorted(iv["interview"] for iv in ivs) != list(range(1, len(ivs) + 1)):
        fail("interview numbers not 1..N")
    flat = []
    for iv in ivs:
        n = len(iv["lines"])
        if not 21 <= n <= 22:
            fail(f"interview {iv['interview']}: {n} lines, need 21-22")
        if iv["minor"] != (iv["age"] < 18):
            fail(f"interview {iv['interview']}: minor flag does not match age {iv['age']}")
        if iv["minor"] and not 13 <= iv["age"] <= 17:
            fail(f"interview {iv['interview']}: minor age {iv['age']} outside 13-17")
        for u in iv["lines"]:
            if u["minor_context"] != iv["minor"]:
                fail(f"interview {iv['interview']}: minor_context mismatch")
        flat.extend(iv["lines"])
    if flat != utts:
        fail("interviews.json lines differ from utterances.jsonl")

    N = len(utts)
    minors = sum(iv["minor"] for iv in ivs)
    looks = sum(iv["lookalike"] for iv in ivs)
    countries = collections.Counter(iv["country"] for iv in ivs)
    styles = collections.Counter(iv["style"].split()[0].rstrip(":") for iv in ivs)
    harmful = [u for u in utts if u["tone"] == "harmful"]
    restricted_h = [u for u in harmful if RESTRICTED.search(u["text"])]
    restricted_all = [u for u in utts if RESTRICTED.search(u["text"])]
    chit = [u for u in utts if u["kind"].startswith("chit_chat_")]
    meta = [u for u in utts if u["kind"].startswith("meta_")]
    kinds = collections.Counter(u["kind"] for u in utts)

    if not 530 <= N <= 550:
        fail(f"{N} lines, need 530-550")
    if minors != 12:
        fail(f"{minors} minor interviews, need 12")
    if looks != 3:
        fail(f"{looks} look-alike interviews, need 3")
    if len(countries) < 12:
        fail(f"{len(countries)} countries, need >= 12")
    if (styles.get("excellent", 0), styles.get("poor", 0), styles.get("mixed", 0)) != (5, 7, 13):
        fail(f"styles {dict(styles)}, need excellent 5 / poor 7 / mixed 13")
    if len(harmful) < 140:
        fail(f"{len(harmful)} harmful lines, need >= 140")
    if len(restricted_h) > 6:
        fail(f"{len(restricted_h)} harmful lines with restricted words, max 6")
    if not 12 <= len(chit) <= 16:
        fail(f"{len(chit)} chit-chat lines, want about 14 (12-16)")
    if not 9 <= len(meta) <= 13:
        fail(f"{len(meta)} simulator-directed lines, want about 11 (9-13)")
    hq = collections.Counter(u["question_type"] for u in harmful)
    for q in QTS:
        if hq.get(q, 0) < 5:
            fail(f"only {hq.get(q, 0)} harmful {q} lines, need >= 5")
    for k in REQUIRED_KINDS:
        if k.endswith("*"):
            if not any(x.startswith(k[:-1]) for x in kinds):
                fail(f"required kind family {k} missing")
        elif k not in kinds:
            fail(f"required kind {k} missing")
    # every harmful-kind listed in the brief: at least one harmful line that is not a statement
    if sum(1 for u in utts if u["kind"] == "false_promise") < 3 or sum(1 for u in utts if u["kind"] == "over_identification") < 3:
        fail("want >= 3 false_promise and >= 3 over_identification lines")

    # ---- figures
    print(f"lines {N} | interviews {len(ivs)} | minor interviews {minors} (lines {sum(u['minor_context'] for u in utts)}) "
          f"| adult interviews {len(ivs) - minors} | look-alikes {looks} | countries {len(countries)}")
    print("styles:", ", ".join(f"{k} {v}" for k, v in sorted(styles.items())))
    print("\nquestion_type:")
    for q in QTS:
        print(f"  {q:14s} {share(sum(u['question_type'] == q for u in utts), N)}")
    print("tone:")
    for t in TONES:
        print(f"  {t:14s} {share(sum(u['tone'] == t for u in utts), N)}")
    print("recommended:")
    for r in (True, False):
        print(f"  {str(r):14s} {share(sum(u['recommended'] is r for u in utts), N)}")
    print("harmful by question_type:")
    for q in QTS:
        print(f"  {q:14s} {share(hq.get(q, 0), len(harmful))}")
    print("recommended by question_type:")
    for q in QTS:
        print(f"  {q:14s} {sum(u['recommended'] for u in utts if u['question_type'] == q):4d} of "
              f"{sum(u['question_type'] == q for u in utts)}")
    print(f"chit-chat lines {len(chit)} | simulator-directed lines {len(meta)} | bare_admin {kinds['bare_admin']} "
          f"| false_promise {kinds['false_promise']} | over_identification {kinds['over_identification']}")
    print(f"harmful lines with restricted words {len(restricted_h)} (all lines {len(restricted_all)})")
    print(f"distinct kinds {len(kinds)}")
    print("kinds:", ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda x: (-x[1], x[0]))))
    print("\nper interview: nr age country style | lines harmful recommended")
    for iv in ivs:
        L = iv["lines"]
        print(f"  {iv['interview']:02d} {iv['age']:2d} {iv['country'][:22]:22s} {iv['style'][:34]:34s}"
              f"{' LA' if iv['lookalike'] else '   '} | {len(L):2d} {sum(u['tone'] == 'harmful' for u in L):3d} "
              f"{sum(u['recommended'] for u in L):3d}")

    if failures:
        print(f"\nFAILED ({len(failures)}):")
        for f in failures:
            print("  -", f)
        sys.exit(1)
    print("\nALL CHECKS PASSED")


if __name__ == "__main__":
    main()
