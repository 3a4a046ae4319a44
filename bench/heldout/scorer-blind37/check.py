#!/usr/bin/env python3
"""Validate utterances.jsonl (and interviews.json) and print the key figures.
Exit status 0 when every check passes, 1 otherwise.  Standard library only."""
import collections, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = {"text", "question_type", "tone", "recommended", "kind", "minor_context"}
QTS = ["invitation", "directive", "option_posing", "suggestive", "statement"]
TONES = ["supportive", "neutral", "harmful"]
# forbidden-word list from the brief, with the usual inflected forms (whole words)
KEYWORD_RE = re.compile(
    r"\b(prisons?|prisoners?|imprison\w*|jail\w*|gaol\w*|liars?|lie|lies|lied|lying|"
    r"arrest\w*|deport\w*|prostitut\w*|whor\w*|stupid\w*|idiot\w*|slut\w*|illegal\w*)\b",
    re.I)
# a naive substring matcher would also fire on "believe", "earlier", "client" ...
SUBSTRING_RE = re.compile(r"prison|jail|liar|lie|lying|arrest|deport|prostitut|whore|"
                          r"stupid|idiot|slut|illegal", re.I)
WARM_POOR = {"false_promise", "over_identification", "over_familiarity"}
OPT_PROCESS_OK = {"summary_check", "check_language", "check_comfort", "offer_break",
                  "offer_choice", "offer_comfort", "offer_questions", "offer_support",
                  "recording_consent", "ground_rule_practice"}
errors = []


def err(msg):
    errors.append(msg)


def main():
    rows = []
    with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"line {i}: not JSON ({e})")
                continue
            rows.append(r)
            if set(r) != KEYS:
                err(f"line {i}: keys {sorted(r)}")
                continue
            if r["question_type"] not in QTS:
                err(f"line {i}: question_type {r['question_type']!r}")
            if r["tone"] not in TONES:
                err(f"line {i}: tone {r['tone']!r}")
            if not isinstance(r["recommended"], bool):
                err(f"line {i}: recommended not bool")
            if not isinstance(r["minor_context"], bool):
                err(f"line {i}: minor_context not bool")
            if not isinstance(r["text"], str) or len(r["text"].strip()) < 5:
                err(f"line {i}: empty text")
            if not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", r["kind"] or ""):
                err(f"line {i}: kind not snake_case {r['kind']!r}")
            if r["tone"] == "harmful" and r["recommended"]:
                err(f"line {i}: harmful AND recommended")
            if r["question_type"] == "suggestive" and r["recommended"]:
                err(f"line {i}: suggestive but recommended")
            if (r["question_type"] == "option_posing" and r["recommended"]
                    and r["kind"] not in OPT_PROCESS_OK):
                err(f"line {i}: recommended option_posing with kind {r['kind']}")
            k = r["kind"]
            if k.startswith("simulator_") or k == "off_topic_chitchat":
                if r["question_type"] != "statement" or r["recommended"]:
                    err(f"line {i}: {k} must be statement / not recommended")
            if k in WARM_POOR and (r["tone"] != "supportive" or r["recommended"]):
                err(f"line {i}: {k} must be supportive / not recommended")
    N = len(rows)
    texts = collections.Counter(r["text"] for r in rows)
    for t, c in texts.items():
        if c > 1:
            err(f"duplicate text x{c}: {t[:60]}")

    # ---- interview structure ------------------------------------------------
    with open(os.path.join(HERE, "interviews.json"), encoding="utf-8") as fh:
        ivs = json.load(fh)
    if len(ivs) != 25:
        err(f"{len(ivs)} interviews, expected 25")
    if sum(iv["lines"] for iv in ivs) != N:
        err("interview line counts do not add up to the file")
    pos = 0
    for iv in ivs:
        if not 21 <= iv["lines"] <= 22:
            err(f"interview {iv['interview']}: {iv['lines']} lines")
        chunk = rows[pos:pos + iv["lines"]]
        iv["rows"] = chunk
        pos += iv["lines"]
        if any(r.get("minor_context") != iv["minor"] for r in chunk):
            err(f"interview {iv['interview']}: minor_context inconsistent")
        if iv["minor"]:
            age = int(re.match(r"\d+", iv["age"]).group())
            if not 11 <= age <= 17:
                err(f"interview {iv['interview']}: minor age {age}")
    minors = [iv for iv in ivs if iv["minor"]]
    looks = [iv for iv in ivs if iv["lookalike"]]
    if len(minors) != 12:
        err(f"{len(minors)} minor interviews, expected 12")
    if len(looks) != 3:
        err(f"{len(looks)} look-alike interviews, expected 3")
    if not 525 <= N <= 550:
        err(f"{N} lines, expected 525-550")

    # ---- figures -------------------------------------------------------------
    harm = [r for r in rows if r["tone"] == "harmful"]
    kw = [r for r in harm if KEYWORD_RE.search(r["text"])]
    sub = [r for r in harm if SUBSTRING_RE.search(r["text"])]
    chit = [r for r in rows if r["kind"] == "off_topic_chitchat"]
    sim = [r for r in rows if r["kind"].startswith("simulator_")]
    opt_sub = [r for r in rows if r["question_type"] == "option_posing" and not r["recommended"]]
    opt_sub_neutral = [r for r in opt_sub if r["tone"] != "harmful"]
    opt_exc = [r for iv in ivs if iv["style"].startswith("excellent")
               for r in iv["rows"] if r in opt_sub]
    warm = [r for r in rows if r["tone"] == "supportive" and not r["recommended"]]

    if len(harm) < 130:
        err(f"only {len(harm)} harmful lines (need >= 130)")
    if len(kw) > 0.05 * len(harm):
        err(f"keyword share {len(kw)}/{len(harm)} > 5 %")
    if not 8 <= len(chit) <= 12:
        err(f"{len(chit)} chit-chat lines (about 10 wanted)")
    if not 6 <= len(sim) <= 8:
        err(f"{len(sim)} simulator lines (about 7 wanted)")
    if not 26 <= len(opt_sub_neutral) <= 36:
        err(f"{len(opt_sub_neutral)} substantive option-posing (about 30 wanted)")
    if not 6 <= len(warm) <= 10:
        err(f"{len(warm)} warm-but-poor lines (about 8 wanted)")

    out = []
    p = out.append
    p(f"lines: {N}   interviews: {len(ivs)}   minors: {len(minors)}   look-alikes: {len(looks)}")
    p("")
    p("| label | value | n | share |")
    p("|---|---|---:|---:|")
    for q in QTS:
        n = sum(r["question_type"] == q for r in rows)
        p(f"| question_type | {q} | {n} | {n / N:.1%} |")
    for t in TONES:
        n = sum(r["tone"] == t for r in rows)
        p(f"| tone | {t} | {n} | {n / N:.1%} |")
    for v in (True, False):
        n = sum(r["recommended"] is v for r in rows)
        p(f"| recommended | {str(v).lower()} | {n} | {n / N:.1%} |")
    for v in (True, False):
        n = sum(r["minor_context"] is v for r in rows)
        p(f"| minor_context | {str(v).lower()} | {n} | {n / N:.1%} |")
    p("")
    p("| figure | value |")
    p("|---|---|")
    p(f"| harmful lines | {len(harm)} ({len(harm) / N:.1%} of all lines) |")
    p(f"| harmful lines with a listed keyword (whole word) | {len(kw)} ({len(kw) / len(harm):.1%} of harmful) |")
    p(f"| harmful lines matching a naive substring test | {len(sub)} ({len(sub) / len(harm):.1%} of harmful) |")
    p(f"| harmful AND recommended | {sum(r['recommended'] for r in harm)} |")
    p(f"| off-topic chit-chat lines | {len(chit)} |")
    p(f"| lines addressed to the simulator | {len(sim)} |")
    p(f"| substantive option-posing, not recommended (non-harmful / incl. harmful) | {len(opt_sub_neutral)} / {len(opt_sub)} |")
    p(f"| ... of which from excellent officers | {len(opt_exc)} |")
    p(f"| recommended option-posing (summary checks, process) | {sum(r['question_type'] == 'option_posing' and r['recommended'] for r in rows)} |")
    p(f"| warm but poor practice (supportive, not recommended) | {len(warm)} |")
    p(f"| distinct kinds | {len(set(r['kind'] for r in rows))} |")
    p("")
    p("Cross-tab question_type x tone (recommended true / total):")
    p("")
    p("| question_type | " + " | ".join(TONES) + " | total |")
    p("|---|" + "---:|" * (len(TONES) + 1))
    for q in QTS:
        cells = []
        for t in TONES:
            sel = [r for r in rows if r["question_type"] == q and r["tone"] == t]
            cells.append(f"{sum(r['recommended'] for r in sel)} / {len(sel)}")
        sel = [r for r in rows if r["question_type"] == q]
        cells.append(f"{sum(r['recommended'] for r in sel)} / {len(sel)}")
        p(f"| {q} | " + " | ".join(cells) + " |")
    p("")
    p("Per interview:")
    p("")
    p("| # | age | country | exploitation | look-alike | lines | harmful | rec | officer style |")
    p("|---|---|---|---|---|---:|---:|---:|---|")
    for iv in ivs:
        ch = iv["rows"]
        p(f"| {iv['interview']} | {iv['age']} | {iv['country']} | {iv['type']} | "
          f"{'yes' if iv['lookalike'] else 'no'} | {len(ch)} | "
          f"{sum(r['tone'] == 'harmful' for r in ch)} | {sum(r['recommended'] for r in ch)} | {iv['style']} |")
    p("")
    types = collections.Counter(iv["type"].split(" ")[0].rstrip(":") for iv in ivs)
    p("exploitation types: " + ", ".join(f"{k} {v}" for k, v in sorted(types.items())))
    countries = collections.Counter(iv["country"] for iv in ivs)
    p(f"countries ({len(countries)}): " + ", ".join(f"{k} {v}" if v > 1 else k for k, v in sorted(countries.items())))
    p("minor ages: " + ", ".join(f"#{iv['interview']}={iv['age']}" for iv in minors))
    p("")
    hk = collections.Counter(r["kind"] for r in harm)
    p("harmful kinds: " + ", ".join(f"{k} {v}" for k, v in hk.most_common()))
    if "-v" in sys.argv:
        p("")
        p("harmful lines with keyword:")
        for r in kw:
            p("  - " + r["text"])
        p("harmful lines matching substring test only:")
        for r in sub:
            if r not in kw:
                p("  - " + r["text"])
        ak = collections.Counter(r["kind"] for r in rows)
        p("all kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(ak.items())))
    print("\n".join(out))
    print()
    if errors:
        print(f"FAIL: {len(errors)} problem(s)")
        for e in errors:
            print("  - " + e)
        return 1
    print("PASS: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
