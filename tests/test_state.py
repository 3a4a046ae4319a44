"""The persona state machine: momentum, asymmetry and mode choice (pure, no models)."""

import random

import pytest
from fixtures.engine_fakes import assessment, small_persona

from simulator.personas import MODES
from simulator.state import PersonaState, StateParams, choose_mode, update_state

PERSONA = small_persona()
KIND = assessment(
    "I understand. Take your time. Tell me about your day.",
    "invitation",
    "supportive",
    ("acknowledges_feelings", "offer_of_choice"),
)
THREAT = assessment("Tell the truth or you will be deported.", "directive", "harmful", ("threat",))


def run(state, turns, seed=0):
    rng = random.Random(seed)
    for turn in turns:
        state = update_state(state, turn, [], PERSONA, rng)
    return state


def test_initial_state_comes_from_the_persona():
    state = PersonaState.initial(PERSONA)
    assert (state.trust, state.fear, state.mode, state.turn) == (0.2, 0.45, "guarded", 0)


def test_kind_turns_build_trust_slowly_and_calm_fear():
    start = PersonaState.initial(PERSONA)
    one = run(start, [KIND])
    assert 0 < one.trust - start.trust <= StateParams().max_trust_gain
    assert one.fear < start.fear
    many = run(start, [KIND] * 10)
    assert many.trust > 0.6 and many.mode in ("partial_disclosure", "open_disclosure")


def test_a_threat_is_not_undone_by_one_kind_sentence():
    start = PersonaState.initial(PERSONA)
    threatened = run(start, [THREAT])
    assert threatened.fear - start.fear >= 0.3 and threatened.trust <= start.trust - 0.2
    after_kindness = run(threatened, [KIND])
    assert after_kindness.fear > start.fear
    assert after_kindness.trust < start.trust
    assert after_kindness.mode in ("shut_down", "distressed")


def test_trust_gains_are_damped_while_fear_is_high():
    calm = PersonaState(trust=0.3, fear=0.1)
    scared = PersonaState(trust=0.3, fear=0.9)
    rng = random.Random(0)
    assert (
        update_state(calm, KIND, [], PERSONA, rng).trust
        > update_state(scared, KIND, [], PERSONA, rng).trust
    )


def test_triggers_raise_fear_and_cost_trust():
    start = PersonaState.initial(PERSONA)
    neutral = assessment("Tell me about your visa status.", "invitation", "neutral")
    deportation = PERSONA.triggers[0]
    hit = update_state(start, neutral, [deportation], PERSONA, random.Random(0))
    miss = update_state(start, neutral, [], PERSONA, random.Random(0))
    assert hit.fear > miss.fear + 0.25 and hit.trust < miss.trust


def test_fear_rises_fast_and_decays_slowly():
    start = PersonaState(trust=0.3, fear=0.3)
    rise = run(start, [THREAT]).fear - start.fear
    decay = start.fear - run(start, [KIND]).fear
    assert rise > 3 * decay > 0


def test_shut_down_has_hysteresis():
    params = StateParams()
    calm_question = assessment()
    fear_between = (params.shut_down_exit_fear + params.shut_down_fear) / 2
    rng = random.Random(0)
    assert choose_mode("shut_down", 0.5, fear_between, calm_question, False, rng, params) == "shut_down"
    assert choose_mode("guarded", 0.5, fear_between, calm_question, False, rng, params) != "shut_down"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_state_updates_are_deterministic_for_a_seed(seed):
    turns = [THREAT, KIND, assessment("Did he keep your passport?", "option_posing"), KIND]
    first = run(PersonaState.initial(PERSONA), turns, seed)
    second = run(PersonaState.initial(PERSONA), turns, seed)
    assert first == second and first.mode in MODES


def test_minimising_or_deflecting_is_chosen_by_the_rng():
    probing = assessment("Did he hit you?", "option_posing")
    chosen = {
        choose_mode("guarded", 0.1, 0.5, probing, False, random.Random(seed), StateParams())
        for seed in range(20)
    }
    assert chosen == {"minimising", "deflecting"}
