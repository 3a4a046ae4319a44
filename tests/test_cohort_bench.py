"""bench/cohort.py on a small cohort: the effectiveness view's figures match the design worked out by
hand, and the check notices a figure that moves away from it (a reviewer's later correction)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from simulator.llm.fake import FakeChatModel
from simulator.services import Services
from simulator.settings import Settings
from simulator.storage import Store

BENCH = Path(__file__).resolve().parent.parent / "bench" / "cohort.py"


def bench_cohort():
    spec = importlib.util.spec_from_file_location("bench_cohort", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


cohort = bench_cohort()


def test_the_design_improves_and_stays_within_one_interview():
    for t in range(6):
        shares = [cohort.good(t, k) for k in range(1, 11)]
        assert shares == sorted(shares) and shares[-1] > shares[0]
        harmful = [cohort.harmful(t, k) for k in range(1, 11)]
        assert harmful == sorted(harmful, reverse=True)
        for k in range(1, 11):
            questions = cohort.script(t, k)
            assert len(questions) == cohort.QUESTIONS
            assert sum(q in cohort.GOOD for q in questions) == cohort.good(t, k)
            assert sum(q in cohort.HARMFUL for q in questions) == cohort.harmful(t, k)


@pytest.mark.real_model  # the MiniLM scorer
def test_the_views_figures_match_the_design_and_a_later_correction_is_caught(tmp_path, real_embedder):
    settings = Settings.load(environ={}).model_copy(update={"data_dir": tmp_path})
    with Store(f"sqlite:///{tmp_path / 'cohort.db'}") as store:
        services = Services(settings, chat_model=FakeChatModel(), embedder=real_embedder, store=store)
        cohort.check_pools(services)
        simulated = cohort.simulate(services, trainees=4, attempts=3)
        assert cohort.check_figures(simulated, 4, 3) == []
        assert max(cohort.time_view(simulated, repeats=2)) < cohort.VIEW_BUDGET_S
        session = store.list_sessions(trainee="trainee001")[-2]  # newest first: the second attempt
        first = store.get_turns(session.id)[0]
        store.add_override(first.id, "recommended", False, "a second look", "assessor")
        problems = cohort.check_figures(simulated, 4, 3)
        assert any(problem.startswith("recommended, attempt 2") for problem in problems)
