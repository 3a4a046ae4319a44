#!/usr/bin/env python3
"""Validate utterances.jsonl (and interviews.json) and print the key figures."""
import collections, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = ["text", "question_type", "tone", "recommended", "kind", "minor_context"]
QTS = ["invitation", "directive", "option_posing", "suggestive", "statement"]
TONES = ["supportive", "neutral", "harmful"]
KEYWORD_RE = re.compile(
    r"\b(prisons?|prisoners?|jails?|jailed|liars?|lie|lies|lied|lying|arrest|arrests|arrested|arresting"
    r"|deport|deports|deported|deporting|deportation|deportations|deportee|deportees"
    r"|prostitutes?|prostituted|prostitution|whores?|stupid|stupidity|idiots?|idiotic|sluts?|slutty"
    r"|illegal|illegally|illegals)\b", re.I)

errors = []
def err(msg):
    errors.append(msg)

def in_range(name, value, lo, hi):
    ok = lo <= value <= hi
    if not ok:
        err(f"{name} = {value}, expected {lo}..{hi}")
    return ok

rows = []
with open(os.path.join(HERE, "utterances.jsonl"), encoding="utf-8") as f:
    for i, line in enumerate(f, 1):
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            err(f"line {i}: bad JSON ({e})"); continue
        rows.append(r)
        if list(r.keys()) != KEYS and sorted(r.keys()) != sorted(KEYS):
            err(f"line {i}: keys {list(r.keys())}")
            continue
        if r["question_type"] not in QTS: err(f"line {i}: question_type {r['question_type']!r}")
        if r["tone"] not in TONES: err(f"line {i}: tone {r['tone']!r}")
        if not isinstance(r["recommended"], bool): err(f"line {i}: recommended not bool")
        if not isinstance(r["minor_context"], bool): err(f"line {i}: minor_context not bool")
        if not isinstance(r["text"], str) or len(r["text"].strip()) < 3: err(f"line {i}: empty text")
        if not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", str(r["kind"])): err(f"line {i}: kind {r['kind']!r} not snake_case")
        # label rules from LABELS.md
        if r["tone"] == "harmful" and r["recommended"]: err(f"line {i}: harmful and recommended")
        if r["question_type"] == "suggestive" and r["recommended"]: err(f"line {i}: suggestive but recommended")
        if r["kind"] in ("off_topic_chat", "simulator_request"):
            if r["question_type"] != "statement" or r["recommended"] or r["tone"] == "supportive":
                err(f"line {i}: {r['kind']} must be statement, not supportive, not recommended")
        if r["kind"] in ("option_posing_substantive", "either_or_question"):
            if r["question_type"] != "option_posing" or r["recommended"]:
                err(f"line {i}: substantive option-posing must be option_posing and not recommended")
        if r["kind"] == "summary_check" and (r["question_type"] != "option_posing" or not r["recommended"]):
            err(f"line {i}: summary_check should be option_posing and recommended")
        if r["kind"] in ("false_promise", "over_identification", "over_familiarity"):
            if r["tone"] != "supportive" or r["recommended"]:
                err(f"line {i}: warm-but-poor line must be supportive and not recommended")

texts = collections.Counter(r["text"] for r in rows)
for t, c in texts.items():
    if c > 1: err(f"duplicate text x{c}: {t[:60]}")

# interviews
ivs = json.load(open(os.path.join(HERE, "interviews.json"), encoding="utf-8"))
in_range("interviews", len(ivs), 25, 25)
covered = 0
for iv in ivs:
    n = iv["n_lines"]; covered += n
    if not 21 <= n <= 22: err(f"interview {iv['interview']}: {n} lines")
    seg = rows[iv["first_line"] - 1: iv["last_line"]]
    if any(r["minor_context"] != iv["minor"] for r in seg):
        err(f"interview {iv['interview']}: minor_context inconsistent with header")
    if iv["minor"] and not 11 <= iv["age"] <= 17: err(f"interview {iv['interview']}: minor age {iv['age']}")
    if not iv["minor"] and iv["age"] < 18: err(f"interview {iv['interview']}: adult age {iv['age']}")
if covered != len(rows): err(f"interviews cover {covered} lines, file has {len(rows)}")

N = len(rows)
harm = [r for r in rows if r["tone"] == "harmful"]
kw_harm = [r for r in harm if KEYWORD_RE.search(r["text"])]
kw_all = [r for r in rows if KEYWORD_RE.search(r["text"])]
minors = [iv for iv in ivs if iv["minor"]]
looks = [iv for iv in ivs if iv["lookalike"]]
chit = [r for r in rows if r["kind"] == "off_topic_chat"]
sim = [r for r in rows if r["kind"] == "simulator_request"]
subst_op = [r for r in rows if r["question_type"] == "option_posing" and not r["recommended"]]
warm_poor = [r for r in rows if r["tone"] == "supportive" and not r["recommended"]]
kinds = collections.Counter(r["kind"] for r in rows)
harm_kinds = collections.Counter(r["kind"] for r in harm)

in_range("total lines", N, 525, 550)
in_range("harmful lines", len(harm), 130, N)
if harm and len(kw_harm) / len(harm) > 0.05: err(f"keyword share among harmful {len(kw_harm)}/{len(harm)} > 5%")
in_range("minor interviews", len(minors), 12, 12)
in_range("look-alike interviews", len(looks), 3, 3)
in_range("off-topic chit-chat lines", len(chit), 8, 12)
in_range("simulator lines", len(sim), 5, 9)
in_range("substantive option-posing (not recommended)", len(subst_op), 25, 35)
in_range("warm but poor lines", len(warm_poor), 6, 10)
in_range("distinct kinds", len(kinds), 40, 1000)

def table(title, key):
    c = collections.Counter(key(r) for r in rows)
    print(f"\n{title}")
    for k, v in sorted(c.items(), key=lambda kv: -kv[1]):
        print(f"  {str(k):<16} {v:>4}  {100*v/N:5.1f}%")

print(f"lines: {N}   interviews: {len(ivs)}   lines per interview: "
      f"{min(iv['n_lines'] for iv in ivs)}-{max(iv['n_lines'] for iv in ivs)}")
table("question_type", lambda r: r["question_type"])
table("tone", lambda r: r["tone"])
table("recommended", lambda r: r["recommended"])
table("minor_context", lambda r: r["minor_context"])
print(f"\nharmful: {len(harm)} ({100*len(harm)/N:.1f}%)")
print(f"harmful lines containing a listed keyword: {len(kw_harm)} ({100*len(kw_harm)/max(1,len(harm)):.1f}%)")
for r in kw_harm: print(f"    - {r['text']}")
print(f"all lines containing a listed keyword: {len(kw_all)}")
for r in kw_all:
    if r["tone"] != "harmful": print(f"    - ({r['tone']}) {r['text']}")
print(f"minor interviews: {len(minors)}; ages {sorted(iv['age'] for iv in minors)}")
print(f"look-alike interviews: {[iv['interview'] for iv in looks]}")
print(f"chit-chat lines: {len(chit)}; simulator lines: {len(sim)}")
print(f"substantive option-posing (not recommended): {len(subst_op)}; "
      f"option-posing recommended (process/summary): "
      f"{sum(1 for r in rows if r['question_type']=='option_posing' and r['recommended'])}")
print(f"warm but poor (supportive, not recommended): {len(warm_poor)}")
print(f"exploitation types: {dict(collections.Counter(iv['exploitation'] for iv in ivs))}")
print(f"settings: {sorted(set(iv['setting'] for iv in ivs))}")
print(f"origins: {sorted(set(iv['origin'] for iv in ivs))}")
print(f"distinct kinds: {len(kinds)}; harmful kinds: {len(harm_kinds)}")
print("  harmful kinds: " + ", ".join(f"{k} {v}" for k, v in harm_kinds.most_common()))

print("\ncross-tab question_type x tone (recommended true/false)")
print(f"  {'':<14}" + "".join(f"{t:>18}" for t in TONES) + f"{'total':>8}")
for q in QTS:
    cells = []
    for t in TONES:
        sub = [r for r in rows if r["question_type"] == q and r["tone"] == t]
        cells.append(f"{len(sub):>4} ({sum(r['recommended'] for r in sub):>3}/{sum(not r['recommended'] for r in sub):>3})")
    print(f"  {q:<14}" + "".join(f"{c:>18}" for c in cells) + f"{sum(1 for r in rows if r['question_type']==q):>8}")

print("\nper interview: id age minor lookalike exploitation style lines harmful")
for iv in ivs:
    seg = rows[iv["first_line"] - 1: iv["last_line"]]
    print(f"  {iv['interview']:>2} {iv['age']:>3} {str(iv['minor']):<5} {str(iv['lookalike']):<5} "
          f"{iv['exploitation']:<18} {iv['style']:<32} {iv['n_lines']:>3} {sum(r['tone']=='harmful' for r in seg):>3}")

if errors:
    print(f"\nFAIL: {len(errors)} problem(s)")
    for e in errors: print("  - " + e)
    sys.exit(1)
print("\nPASS")
