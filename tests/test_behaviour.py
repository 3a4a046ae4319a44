"""Behaviour of every shipped persona under interview scripts (tests/scripts/*.txt).

The fast tier uses the rubric scorer over the hashing embedder and the fake chat model; the
real_model tier uses the embedded MiniLM (topic matching as users get it) and SmolLM2 for replies.
"""

from pathlib import Path

import pytest
from fixtures.engine_fakes import HASHING_DISCLOSURE

from simulator.cli.session import read_script
from simulator.embeddings import HashingEmbedder
from simulator.engine import EngineParams, Session
from simulator.guard import GuardParams
from simulator.llm.base import GenerationParams
from simulator.llm.fake import FakeChatModel
from simulator.personas import load_personas
from simulator.rubric import load_rubrics
from simulator.scoring import Scorer
from simulator.settings import Settings

SCRIPTS = Path(__file__).resolve().parent / "scripts"
KIND_SCRIPTS = ("trauma_informed.txt", "trauma_informed_people.txt")
PERSONAS = list(load_personas(Settings.load().personas_dir))
IDS = [persona.id for persona in PERSONAS]
AVOIDANT_MODES = {"shut_down", "distressed", "deflecting", "minimising"}
OUT_OF_ROLE = ("as an ai", "language model", "officer:", "how can i help", "system prompt", "assistant")


def replay(persona, scorer, embedder, script, model=None, params=None):
    if isinstance(embedder, HashingEmbedder):
        params = (params or EngineParams()).model_copy(update={"disclosure": HASHING_DISCLOSURE})
    session = Session(persona, scorer, model or FakeChatModel(), seed=0, embedder=embedder, params=params)
    for text in read_script(SCRIPTS / script):
        session.officer_turn(text)
    return session


def check_kind(session, within=12):
    """Trust built and fear down whatever the script; returns the share of facts told in `within` turns.
    A script that never asks about the person in a persona's story (the "boyfriend") unlocks little:
    facts told `after` him wait for him, so the best of the two scripts is held to half the facts."""
    summary = session.summary()
    assert summary.final_trust > summary.trust_curve[0] + 0.3
    assert summary.final_fear < summary.fear_curve[0]
    assert summary.modes[-1] in ("partial_disclosure", "open_disclosure")
    return len({f for turn in session.turns[:within] for f in turn.disclosed}) / summary.facts_total


def check_hostile(session):
    summary = session.summary()
    assert summary.final_fear > summary.fear_curve[0]
    assert summary.final_trust < summary.trust_curve[0]
    assert sum(mode in AVOIDANT_MODES for mode in summary.modes) >= len(summary.modes) - 1
    assert len(summary.facts_disclosed) <= 1


def check_replies(session):
    for turn in session.turns:
        locked = [
            f
            for f in session.persona.facts
            if f.id not in session.disclosed[: _disclosed_by(session, turn)]
        ]
        for fact in locked:
            assert fact.disclosure not in turn.reply, (turn.index, fact.id)
        assert not any(marker in turn.reply.lower() for marker in OUT_OF_ROLE), turn.reply


def _disclosed_by(session, turn):
    return sum(len(t.disclosed) for t in session.turns[: turn.index + 1])


@pytest.fixture(scope="module")
def fast_scorer():
    embedder = HashingEmbedder()
    return Scorer(load_rubrics(Settings.load().rubrics_dir).get("default"), embedder), embedder


@pytest.mark.parametrize("persona", PERSONAS, ids=IDS)
def test_fast_kind_interviews_build_trust_and_unlock_most_facts(persona, fast_scorer):
    sessions = [replay(persona, *fast_scorer, script) for script in KIND_SCRIPTS]
    shares = [check_kind(session) for session in sessions]
    assert max(shares) >= 0.5, shares
    for session in sessions:
        check_replies(session)


@pytest.mark.parametrize("persona", PERSONAS, ids=IDS)
def test_fast_hostile_interview_frightens_and_unlocks_at_most_one_fact(persona, fast_scorer):
    session = replay(persona, *fast_scorer, "hostile_leading.txt")
    check_hostile(session)
    check_replies(session)


def check_graded_hostility(session):
    """Not one permanent shut-down: after the second hostile turn the reactions still vary."""
    assert len(set(session.summary().modes[2:])) >= 2, session.summary().modes


def check_repair(session, hostile_turns=3):
    """A sincere repair after hostility rebuilds trust, slowly."""
    trust = session.summary().trust_curve
    assert trust[-1] > trust[hostile_turns] + 0.02, trust


@pytest.mark.parametrize("persona", PERSONAS, ids=IDS)
def test_fast_hostility_is_graded_and_a_repair_rebuilds_trust(persona, fast_scorer):
    check_graded_hostility(replay(persona, *fast_scorer, "hostile_leading.txt"))
    check_repair(replay(persona, *fast_scorer, "hostile_then_repair.txt"))


def test_fast_no_two_personas_share_a_curve(fast_scorer):
    curves = [tuple(replay(persona, *fast_scorer, KIND_SCRIPTS[0]).summary().trust_curve)
              for persona in PERSONAS]
    assert len(set(curves)) == len(curves)


@pytest.fixture(scope="module")
def real_scorer():
    from simulator.models import load_embedder

    embedder = load_embedder(Settings.load())
    return Scorer(load_rubrics(Settings.load().rubrics_dir).get("default"), embedder), embedder


@pytest.mark.real_model
@pytest.mark.parametrize("persona", PERSONAS, ids=IDS)
def test_real_kind_interviews_unlock_most_facts(persona, real_scorer):
    shares = [check_kind(replay(persona, *real_scorer, script)) for script in KIND_SCRIPTS]
    assert max(shares) >= 0.5, shares


@pytest.mark.real_model
@pytest.mark.parametrize("persona", PERSONAS, ids=IDS)
def test_real_hostile_interview_unlocks_at_most_one_fact(persona, real_scorer):
    session = replay(persona, *real_scorer, "hostile_leading.txt")
    check_hostile(session)
    check_graded_hostility(session)
    check_repair(replay(persona, *real_scorer, "hostile_then_repair.txt"))


@pytest.fixture(scope="module")
def chat_model():
    from simulator.models import load_chat_model

    return load_chat_model(Settings.load().model_copy(update={"chat_model": "smollm2-135m-instruct"}))


@pytest.mark.real_model
@pytest.mark.parametrize("persona", PERSONAS, ids=IDS)
def test_real_model_replies_stay_in_character(persona, real_scorer, chat_model):
    quick = EngineParams(
        generation=GenerationParams(
            max_tokens=24, temperature=0.3, repetition_penalty=1.0, stop=["\nOfficer", "Officer:", "\n\n"]
        ),
        guard=GuardParams(max_retries=1),
        voice="actor",  # the model words every reply that tells no fact, from the engine's plan
    )
    session = replay(persona, *real_scorer, "in_character_probe.txt", model=chat_model, params=quick)
    check_replies(session)
    assert all(not turn.disclosed for turn in session.turns[1:])  # injections unlock nothing
