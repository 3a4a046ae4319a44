"""The end-of-interview debrief: what went well, what the person disclosed, and the downloads.

Only here do the persona's facts and ground truth reach the trainee, after their conclusion is stored.
"""

from __future__ import annotations

import html
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from simulator.engine import SessionSummary, Turn
from simulator.personas import ELEMENTS, INDICATORS, Persona
from simulator.reports import SessionReport
from simulator.ui import render
from simulator.ui.charts import line_chart
from simulator.ui.conclusion import Conclusion, ConclusionScore

REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'"  # no scripts, no remote resources
ESTABLISHING_ELEMENTS = tuple(element for element in ELEMENTS if element != "none")


@dataclass(frozen=True)
class Debrief:
    persona: Persona
    mode: str
    turns: list[Turn]
    summary: SessionSummary
    report: SessionReport
    conclusion: Conclusion
    score: ConclusionScore

    @classmethod
    def build(cls, persona: Persona, mode: str, turns: list[Turn], summary: SessionSummary,
              report: SessionReport, conclusion: Conclusion, score: ConclusionScore) -> Debrief:
        return cls(persona, mode, list(turns), summary, report, conclusion, score)

    def elements_established(self) -> dict[str, bool]:
        """Which legal elements (act, means, purpose) the disclosed facts establish."""
        disclosed = {self.persona.fact(fact_id).element for fact_id in self.summary.facts_disclosed}
        return {element: element in disclosed for element in ESTABLISHING_ELEMENTS}

    def curve(self) -> str:
        """Trust and fear at the start and after each question, as an SVG chart."""
        trust, fear = self.summary.trust_curve, self.summary.fear_curve
        labels = ["start", *(str(i) for i in range(1, len(trust)))]
        return line_chart("Trust and fear after each question", labels,
                          {"trust": [round(100 * v) for v in trust], "fear": [round(100 * v) for v in fear]},
                          y_max=100, y_unit="%")

    def markdown(self) -> str:
        return "\n\n".join([
            self._headline(), self._conclusion_md(), self._disclosures_md(), self._questions_md(),
        ])

    def _headline(self) -> str:
        report = self.report
        criteria = " · ".join(f"{render.inert(render.label(name))} {render.percent(value)}"
                              for name, value in report.criterion_averages.items())
        types = " · ".join(f"{render.label(name)} {count}"
                           for name, count in report.type_counts.items() if count)
        first = ("never" if report.first_invitation is None else f"at question {report.first_invitation + 1}")
        halves = (report.trend.first_half_recommended, report.trend.second_half_recommended)
        trend = (f" Recommended in the first half {render.percent(halves[0])}, in the second half "
                 f"{render.percent(halves[1])}." if None not in halves else "")
        return (
            f"## {render.percent(report.recommended_share)} of your questions were recommended\n\n"
            f"{len(self.turns)} questions to {render.inert(self.persona.name)} ({self.mode} mode). "
            f"First open invitation: {first}.{trend}  \n"
            f"**Criteria:** {criteria or 'no questions asked'}  \n**Question types:** {types or 'none'}"
        )

    def _conclusion_md(self) -> str:
        truth, score, conclusion = self.persona.ground_truth, self.score, self.conclusion

        def mark(ok: bool) -> str:
            return "✓" if ok else "✗"

        def names(ids: list[str]) -> str:
            return ", ".join(render.label(i) for i in ids) or "none"

        actual = ("a trafficking victim" if truth.is_trafficking else "not a trafficking victim")
        return "\n".join([
            "### Your conclusion",
            f"- {mark(score.verdict_correct)} You said likely victim: **{conclusion.likely_victim}**; "
            f"the person is {actual}.",
            f"- {mark(score.type_correct)} Type: you said **{render.label(conclusion.type)}**; "
            f"actual **{render.label(truth.type)}**.",
            f"- ✓ Indicators found (claimed and disclosed): {names(score.indicators_supported)}",
            f"- ✗ Claimed but never disclosed in this interview: {names(score.indicators_unsupported)}",
            f"- ✗ Disclosed but not claimed: {names(score.indicators_missed)}",
            f"- Never revealed in this interview (not counted against you): "
            f"{names(score.indicators_never_revealed)}",
            "",
            f"_{render.inert(truth.explanation)}_",
        ])

    def _disclosures_md(self) -> str:
        lines = ["### What the person disclosed"]
        by_turn = {fact_id: turn.index for turn in self.turns for fact_id in turn.disclosed}
        for fact_id in self.summary.facts_disclosed:
            fact = self.persona.fact(fact_id)
            lines.append(f"- Question {by_turn.get(fact_id, 0) + 1}: {render.inert(fact.content)} "
                         f"({render.label(fact.indicator)}; {fact.element})")
        if not self.summary.facts_disclosed:
            lines.append("- Nothing yet: trust grows with open, supportive questions.")
        lines.append("\n**Never disclosed:**")
        for fact_id in self.summary.facts_missed:
            fact = self.persona.fact(fact_id)
            lines.append(f"- {render.inert(fact.content)} ({render.label(fact.indicator)}; needs trust "
                         f"{render.percent(fact.trust_required)})")
        established = self.elements_established()
        lines.append("\n**Elements established:** " + " · ".join(
            f"{element} {'✓' if ok else '—'}" for element, ok in established.items()))
        if self.persona.is_minor:
            lines.append("_The person is under 18: no means element is needed for child trafficking._")
        contaminated = [turn for turn in self.turns if turn.contaminated]
        if contaminated:
            lines.append("\n**Contaminated answers**: the person agreed with what your question suggested, "
                         "so the answer is unreliable as evidence:")
            lines += [f"- Question {turn.index + 1}: “{render.inert(turn.leading_content or turn.officer)}” "
                      f"→ “{render.inert(turn.reply)}”" for turn in contaminated]
        resisted = [turn for turn in self.turns if "resisted_suggestion" in turn.flags]
        if resisted:
            lines.append("\n**Suggestions resisted**: the person did not go along with what your question "
                         "suggested, so nothing was contaminated, but the question risked it:")
            lines += [f"- Question {turn.index + 1}: “{render.inert(turn.leading_content)}”"
                      for turn in resisted]
        return "\n".join(lines)

    def _questions_md(self) -> str:
        lines = ["### Questions to keep and to rephrase"]
        best = [turn for turn in self.turns if turn.assessment.recommended][:3]
        lines += [f"- Keep: “{render.inert(turn.officer)}” ({render.label(turn.assessment.question_type)})"
                  for turn in best]
        for worst in self.report.worst:
            lines.append(f"- Rephrase: “{render.inert(worst.text)}” ({render.label(worst.question_type)}), "
                         f"try: “{render.inert(worst.suggestion)}”")
        return "\n".join(lines)

    # -- downloads --

    def transcript(self) -> dict:
        return {
            "persona": {"id": self.persona.id, "name": self.persona.name, "version": self.persona.version},
            "mode": self.mode,
            "turns": [{"index": t.index, "officer": t.officer, "reply": t.reply,
                       "assessment": t.assessment.public_dict(), "trust": t.trust, "fear": t.fear,
                       "mode": t.mode, "disclosed": t.disclosed, "contaminated": t.contaminated}
                      for t in self.turns],
            "summary": self.summary.model_dump(mode="json"),
            "report": self.report.model_dump(mode="json"),
            "conclusion": self.conclusion.model_dump(mode="json"),
            "conclusion_score": self.score.model_dump(mode="json"),
        }

    def transcript_markdown(self) -> str:
        lines = [f"# Interview with {render.inert(self.persona.name)}", "",
                 f"> {render.inert(self.persona.first_line)}", ""]
        for turn in self.turns:
            a = turn.assessment
            verdict = "recommended" if a.recommended else "not recommended"
            lines += [f"**Officer:** {render.inert(turn.officer)}  ",
                      f"_{render.label(a.question_type)}, {a.tone}, {verdict}_", "",
                      f"**{render.inert(self.persona.name)}:** {render.inert(turn.reply)}", ""]
        return "\n".join(lines) + "\n\n" + self.markdown() + "\n"

    def report_html(self) -> str:
        """A printable, self-contained report: every value escaped, no scripts, no remote resources."""
        e = html.escape
        rows = "".join(
            f"<tr><td>{t.index + 1}</td><td>{e(t.officer)}</td>"
            f"<td>{e(render.label(t.assessment.question_type))}</td>"
            f"<td>{'yes' if t.assessment.recommended else 'no'}</td><td>{e(t.reply)}</td></tr>"
            for t in self.turns)
        score = self.score
        indicator_rows = "".join(
            f"<li>{e(title)}: {e(', '.join(INDICATORS.get(i, i) for i in ids) or 'none')}</li>"
            for title, ids in (("Found (claimed and disclosed)", score.indicators_supported),
                               ("Claimed but never disclosed", score.indicators_unsupported),
                               ("Disclosed but not claimed", score.indicators_missed),
                               ("Never revealed (not counted)", score.indicators_never_revealed)))
        return (
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{REPORT_CSP}\">"
            f"<title>Interview report: {e(self.persona.name)}</title><style>"
            "body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{border:1px solid #ccc;"
            "padding:4px;vertical-align:top}table{border-collapse:collapse}</style></head><body>"
            f"<h1>Interview with {e(self.persona.name)}</h1>"
            f"<p><b>{e(render.percent(self.report.recommended_share))}</b> of questions recommended "
            f"({len(self.turns)} questions, {e(self.mode)} mode).</p>"
            f"<h2>Conclusion</h2><p>Likely victim: {e(self.conclusion.likely_victim)} "
            f"({'correct' if score.verdict_correct else 'incorrect'}); type: {e(self.conclusion.type)} "
            f"({'correct' if score.type_correct else 'incorrect'}).</p><ul>{indicator_rows}</ul>"
            f"<p>{e(self.persona.ground_truth.explanation)}</p>"
            "<h2>Transcript</h2><table><tr><th>#</th><th>Officer</th><th>Type</th><th>Recommended</th>"
            f"<th>Reply</th></tr>{rows}</table></body></html>"
        )

    def write_downloads(self, session_id: str) -> list[Path]:
        """Transcript JSON and Markdown and the HTML report, in a fresh private temp folder."""
        folder = Path(tempfile.mkdtemp(prefix="interview-sim-"))
        files = {
            f"transcript-{session_id}.json": json.dumps(self.transcript(), indent=2, ensure_ascii=False),
            f"transcript-{session_id}.md": self.transcript_markdown(),
            f"report-{session_id}.html": self.report_html(),
        }
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return [folder / name for name in files]
