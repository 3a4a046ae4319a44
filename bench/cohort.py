"""A simulated cohort: synthetic trainees whose interviews get better attempt by attempt, run through the
real engine (fake chat model, the real MiniLM scorer), stored as the app stores them, then the
effectiveness view's figures checked against values worked out from the design, and the view timed.

Each interview asks QUESTIONS questions drawn from three pools whose labels the scorer is first checked
to give (recommended; neither recommended nor harmful; harmful). Trainee t at attempt k asks
good(t, k) recommended and harmful(t, k) harmful questions, so their recommended share is
good(t, k) / QUESTIONS by design, and concludes correctly from attempt correct_from(t) on. An assessor
overrides one label of trainee 0's first interview, so the figures must follow the reviewed labels.
Attempts alternate between a course's two personas.

Run: .venv/bin/python bench/cohort.py [--trainees 50 --attempts 10]   (figures go into bench/RESULTS.md,
"## Cohort effectiveness view"; --no-write only prints them)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

from simulator.courses import CourseItem, CourseSpec
from simulator.engine import EngineParams, Session
from simulator.llm.fake import FakeChatModel
from simulator.reports import session_report
from simulator.services import Services
from simulator.settings import Settings
from simulator.storage import Store
from simulator.ui.courses import CourseHandlers
from simulator.ui.practice import new_turn, persona_hash

PERSONAS = ("lan-nail-salon", "stoyan-farm-worker")  # both adults, labour exploitation
QUESTIONS = 5
GOOD = ["Tell me about your work here.", "Tell me more about where you live.",
        "Tell me about the people you work for.", "Tell me about how you came to this country.",
        "What happens on a normal day?"]
POOR = ["Your boss took your passport, didn't he?", "Did he ever hit you?",
        "Was it your boss or his wife who kept your money?"]  # either/or about substance
HARMFUL = ["Why didn't you just leave?", "You're lying to me, aren't you?", "Stop wasting my time.",
           "You must have known it was illegal."]
VIEW_BUDGET_S = 1.0


def good(trainee: int, attempt: int) -> int:
    """Recommended questions: from 1 or 2 at the first attempt, one more every 2 or 3 attempts."""
    return min(QUESTIONS, 1 + trainee % 2 + (attempt - 1) // (2 + trainee % 3 // 2))


def harmful(trainee: int, attempt: int) -> int:
    """Harmful questions: 2 (even trainees) or 1 at first, one fewer every other attempt."""
    return min(QUESTIONS - good(trainee, attempt), max(0, 2 - trainee % 2 - (attempt - 1) // 2))


def correct_from(trainee: int) -> int:
    return 1 + trainee % 4


def script(trainee: int, attempt: int) -> list[str]:
    g, h = good(trainee, attempt), harmful(trainee, attempt)
    return (GOOD[:g] + HARMFUL[(trainee + attempt) % 2:][:h]
            + [POOR[(i + attempt) % len(POOR)] for i in range(QUESTIONS - g - h)])


def persona_at(attempt: int) -> str:
    return PERSONAS[(attempt - 1) % len(PERSONAS)]


@dataclass
class Cohort:
    services: Services
    course_id: int
    cohort_id: int
    trainees: list[str]
    simulate_s: float


def check_pools(services: Services) -> None:
    """The design holds only if the scorer labels the pools as designed: say which question does not."""
    scorer = services.scorer()
    pools = ((GOOD, True, False), (POOR, False, False), (HARMFUL, False, True))
    for pool, recommended, tone_harmful in pools:
        for question in pool:
            assessment, _ = scorer.assess_detailed(question)
            if assessment.recommended != recommended or (assessment.tone == "harmful") != tone_harmful:
                raise SystemExit(f"the scorer labels {question!r} {assessment.recommended=} "
                                 f"{assessment.tone=}: the cohort's design no longer holds")


def simulate(services: Services, trainees: int, attempts: int) -> Cohort:
    """Every interview through the engine and into the store, as the practice tab does it."""
    store, personas = services.store(), services.personas()
    names = [f"trainee{t:03d}" for t in range(trainees)]
    course = store.create_course(CourseSpec(name="Labour exploitation", refresher_days=90, items=[
        CourseItem(persona_id=p) for p in PERSONAS]), actor="bench")
    cohort = store.save_cohort("Simulated intake", names, actor="bench")
    store.assign_course(course.id, cohort_id=cohort.id, actor="bench")
    rubric, embedder = services.rubric(), services.embedder()
    started = time.perf_counter()
    for attempt in range(1, attempts + 1):
        persona = personas.get(persona_at(attempt))
        scorer = services.scorer(rubric).for_person(persona.is_minor)
        for t, name in enumerate(names):
            session = Session(persona, scorer, services.chat_model(), seed=t * 100 + attempt,
                              embedder=embedder, params=EngineParams(voice=services.settings.voice))
            session.opening()
            record = store.create_session(
                trainee=name, persona_id=persona.id, persona_version=str(persona.version),
                persona_hash=persona_hash(persona), rubric_id=rubric.id, rubric_hash=rubric.content_hash(),
                chat_model="fake", embedder=embedder.name, mode="practice", seed=t * 100 + attempt)
            for question in script(t, attempt):
                store.add_turn(record.id, new_turn(session.officer_turn(question)))
            verdict = "yes" if attempt >= correct_from(t) else "no"
            kind = "labour" if verdict == "yes" else "none"
            report = session_report([turn.assessment for turn in session.turns])
            conclusion = {"likely_victim": verdict, "type": kind, "indicators": []}
            store.end_session(record.id, conclusion=conclusion,
                              summary=session.summary().model_dump(mode="json"),
                              recommended_share=report.recommended_share)
            if t == 0 and attempt == 1:  # the assessor: question 1 was not recommended after all
                first = store.get_turns(record.id)[0]
                store.add_override(first.id, "recommended", False, "leading in context", "assessor")
    return Cohort(services, course.id, cohort.id, names, time.perf_counter() - started)


def expected_share(t: int, attempt: int) -> float:
    overridden = 1 if t == 0 and attempt == 1 else 0
    return round((good(t, attempt) - overridden) / QUESTIONS, 3)  # stored shares have three decimals


def check_figures(cohort: Cohort, trainees: int, attempts: int) -> list[str]:
    """The view's figures against the design, computed here with numpy and scipy's own routines."""
    view = CourseHandlers(cohort.services).effectiveness(cohort.course_id, cohort.cohort_id)
    curves, paired = view.curves(), view.paired()
    problems = []

    def near(what: str, got: float | None, want: float) -> None:
        if got is None or abs(got - want) > 1e-9:
            problems.append(f"{what}: the view says {got}, the design {want}")

    for point in curves["recommended share"]:
        k = point.attempt
        shares = np.array([expected_share(t, k) for t in range(trainees)])
        low, high = stats.t.interval(0.95, len(shares) - 1, loc=shares.mean(), scale=stats.sem(shares))
        near(f"recommended, attempt {k}", point.estimate.mean, shares.mean())
        near(f"recommended interval low, attempt {k}", point.estimate.low, low)
        near(f"recommended interval high, attempt {k}", point.estimate.high, high)
    for point in curves["correct conclusions"]:
        correct = sum(point.attempt >= correct_from(t) for t in range(trainees))
        wilson = stats.binomtest(correct, trainees).proportion_ci(0.95, method="wilson")
        near(f"correct conclusions, attempt {point.attempt}", point.estimate.mean, correct / trainees)
        near(f"correct conclusions low, attempt {point.attempt}", point.estimate.low, wilson.low)
        near(f"correct conclusions high, attempt {point.attempt}", point.estimate.high, wilson.high)
    for point in curves["harmful rate"]:
        near(f"harmful rate, attempt {point.attempt}", point.estimate.mean,
             float(np.mean([harmful(t, point.attempt) / QUESTIONS for t in range(trainees)])))
    if len(curves["recommended share"]) != attempts:
        problems.append(f"{len(curves['recommended share'])} attempt numbers, not {attempts}")
    first = np.array([expected_share(t, 1) for t in range(trainees)])
    latest = np.array([expected_share(t, attempts) for t in range(trainees)])
    test = stats.ttest_rel(latest, first)
    changes = latest - first
    near("paired t", paired.t, float(test.statistic))
    near("paired p", paired.p, float(test.pvalue))
    near("d_z", paired.cohen_dz, float(changes.mean() / changes.std(ddof=1)))
    near("first mean", paired.first_mean, float(first.mean()))
    near("latest mean", paired.latest_mean, float(latest.mean()))
    return problems


def time_view(cohort: Cohort, repeats: int) -> list[float]:
    """Seconds to build what "Show effectiveness" returns: the figures, the tables and the charts."""
    handlers = CourseHandlers(cohort.services)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        view = handlers.effectiveness(cohort.course_id, cohort.cohort_id)
        view.markdown(), view.charts()
        times.append(time.perf_counter() - started)
    return times


def run(trainees: int, attempts: int, database_url: str | None = None, repeats: int = 5) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="interview-sim-cohort-"))
    settings = Settings.load().model_copy(update={"data_dir": folder})
    store = Store(database_url or f"sqlite:///{folder / 'cohort.db'}")
    services = Services(settings, chat_model=FakeChatModel(), store=store)
    check_pools(services)
    cohort = simulate(services, trainees, attempts)
    problems = check_figures(cohort, trainees, attempts)
    times = time_view(cohort, repeats)
    view = CourseHandlers(services).effectiveness(cohort.course_id, cohort.cohort_id)
    store.close()
    return {"trainees": trainees, "attempts": attempts, "interviews": trainees * attempts,
            "questions": trainees * attempts * QUESTIONS, "simulate_s": cohort.simulate_s,
            "view_first_s": times[0], "view_median_s": statistics.median(times), "problems": problems,
            "paired": view.paired(), "curve": view.curves()["recommended share"]}


def section(figures: dict, command: str) -> str:
    paired, curve = figures["paired"], figures["curve"]
    verdict = "all match" if not figures["problems"] else f"{len(figures['problems'])} differ"
    ok = figures["view_median_s"] < VIEW_BUDGET_S
    return (
        "## Cohort effectiveness view\n\n"
        f"`{command}` (2-core CPU, SQLite, fake chat model, MiniLM scorer with its learned head).\n\n"
        f"{figures['trainees']} synthetic trainees x {figures['attempts']} attempts = "
        f"{figures['interviews']} interviews ({figures['questions']} questions) through the engine and the "
        f"store in {figures['simulate_s']:.0f} s. The view (figures, tables and charts of the course and "
        f"cohort) opened in {figures['view_median_s']:.2f} s (median of 5; first "
        f"{figures['view_first_s']:.2f} s; budget {VIEW_BUDGET_S:.0f} s: {'met' if ok else 'missed'}).\n\n"
        f"Figures against the design (means, t intervals, Wilson shares, `scipy.stats.ttest_rel`, d_z): "
        f"{verdict}. Recommended share by attempt: "
        + ", ".join(f"{p.attempt}: {100 * p.estimate.mean:.1f}%" for p in curve)
        + f". First against latest: {100 * paired.first_mean:.1f}% to {100 * paired.latest_mean:.1f}%, "
        f"paired t({paired.df}) = {paired.t:.2f}, p = {paired.p:.2g}, d_z = {paired.cohen_dz:.2f}.\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=50)
    parser.add_argument("--attempts", type=int, default=10)
    parser.add_argument("--database-url", help="another database (default: a new SQLite file)")
    parser.add_argument("--no-write", action="store_true", help="print, do not update bench/RESULTS.md")
    args = parser.parse_args(argv)
    figures = run(args.trainees, args.attempts, args.database_url)
    command = "python bench/cohort.py" + (f" --trainees {args.trainees} --attempts {args.attempts}"
                                          if (args.trainees, args.attempts) != (50, 10) else "")
    text = section(figures, command)
    print(text)
    for problem in figures["problems"]:
        print("MISMATCH:", problem)
    if not args.no_write:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from results import write_section

        write_section("## Cohort effectiveness view", text)
    return 1 if figures["problems"] or figures["view_median_s"] >= VIEW_BUDGET_S else 0


if __name__ == "__main__":
    raise SystemExit(main())
