"""The persona state machine: momentum, asymmetry, temperament, hurt and mode choice (pure, no models).

Exact figures are worked by hand from the formulas in update_state's docstring and StateParams' defaults.
"""

import random

import pytest
from fixtures.engine_fakes import assessment, small_persona

from simulator.personas import MODES
from simulator.state import PersonaState, StateParams, choose_mode, react_to_hostility, update_state
from simulator.temperament import Temperament

PERSONA = small_persona()
AVERAGE = Temperament(resilience=0.5, suggestibility=0.5, volatility=0.5, police_trust=0.5, recovery=0.5)
PLAIN = PERSONA.model_copy(update={"temperament": AVERAGE})  # every multiplier is 1
KIND = assessment(
    "I understand. Take your time. Tell me about your day.",
    "invitation",
    "supportive",
    ("acknowledges_feelings", "offer_of_choice"),
)
THREAT = assessment("Tell the truth or you will be deported.", "directive", "harmful", ("threat",))


def run(state, turns, seed=0, persona=PERSONA):
    rng = random.Random(seed)
    for turn in turns:
        state = update_state(state, turn, [], persona, rng)
    return state


def test_a_kind_turn_by_hand():
    # raw 0.05 + 0.04 + 0.03 + 0.03 = 0.15, capped at 0.08; x 1 x (1 - 0.7 * 0.45) x (1 - 0) = 0.0548
    after = run(PersonaState.initial(PLAIN), [KIND], persona=PLAIN)
    assert (after.trust, after.fear, after.hurt) == (0.2548, 0.39, 0.0)  # fear: 0.45 - 0.06 x 1
    # the default adult temperament trusts police a little less: x 0.9
    assert run(PersonaState.initial(PERSONA), [KIND]).trust == round(0.2 + 0.0548 * 0.9, 4)


def test_a_threat_and_a_repair_by_hand():
    threatened = run(PersonaState.initial(PLAIN), [THREAT], persona=PLAIN)
    # raw 0.02 - 0.15 - 0.12 = -0.25: a quarter of the trust goes; fear rises 0.4 x 1 x (1 - 0.45) = 0.22
    assert (threatened.trust, threatened.fear, threatened.hurt) == (0.15, 0.67, 0.4)
    repaired = run(threatened, [KIND], persona=PLAIN)
    # gain 0.08 (0.15 + 0.03 repair, capped) x (1 - 0.7 * 0.67) x (1 - 0.4 hurt) = 0.025488
    assert (repaired.trust, repaired.fear, repaired.hurt) == (0.1755, 0.61, 0.24)


def test_words_in_another_language_move_nothing_but_the_calm_decay():
    spanish = assessment("¿Su jefe le quitó el pasaporte, verdad?", "suggestive", "harmful",
                         ("tag_question",))
    after = run(PersonaState.initial(PLAIN), [spanish], persona=PLAIN)
    assert (after.trust, after.fear, after.hurt) == (0.2, round(0.45 - 0.03, 4), 0.0)


def test_temperament_scales_each_step():
    def after(turns, **temper):
        persona = PLAIN.model_copy(update={"temperament": AVERAGE.model_copy(update=temper)})
        return run(PersonaState.initial(persona), turns, persona=persona)

    assert after([THREAT], resilience=1.0).fear == round(0.45 + 0.4 * 0.5 * 0.55, 4)  # fear absorbed
    assert after([THREAT], volatility=1.0).trust == round(0.2 * (1 - 0.25 * 1.5), 4)  # hostility lands harder
    assert after([KIND], police_trust=0.0).trust == round(0.2 + 0.0548 * 0.5, 4)  # slower to trust police
    assert after([KIND], recovery=1.0).fear == round(0.45 - 0.06 * 1.5, 4)  # settles faster
    assert after([THREAT, KIND], recovery=1.0).hurt == round(0.4 * (1 - 0.4 * 1.5), 4)  # heals faster


def test_hostility_is_graded_not_an_instant_permanent_shut_down():
    states = [PersonaState.initial(PERSONA)]
    for index in range(6):
        states.append(update_state(states[-1], THREAT, [], PERSONA, random.Random(index)))
    assert 0 < states[2].trust < states[1].trust < states[0].trust  # trust shrinks, never to 0 at once
    assert states[1].fear < states[2].fear < 1.0
    assert len({state.mode for state in states[3:]}) >= 2  # reactions vary after the second hostile turn


def test_react_to_hostility_weighs_temperament():
    params = StateParams()

    def reactions(fear, streak=0, **temper):
        temperament = AVERAGE.model_copy(update=temper)
        return {react_to_hostility(fear, temperament, streak, random.Random(seed), params)
                for seed in range(40)}

    assert reactions(0.9) == {"shut_down", "deflecting", "minimising"}
    assert reactions(0.7) == {"distressed", "deflecting", "minimising"}
    assert reactions(0.3, volatility=0.0, suggestibility=0.0) == {"guarded"}
    assert reactions(0.9, resilience=1.0, suggestibility=0.0) == {"deflecting"}  # irritated, not terrified
    worn_down = reactions(0.9, streak=4, resilience=1.0, suggestibility=0.0)
    assert worn_down == {"deflecting", "shut_down"}


def test_the_way_back_after_hostility_is_slower_than_without_it():
    start = PersonaState(trust=0.4, fear=0.3)
    calm = run(start, [KIND] * 4)
    hurt = run(start.model_copy(update={"hurt": 0.6}), [KIND] * 4)
    assert calm.trust > hurt.trust > start.trust  # repairs rebuild trust, slowly
    assert run(start.model_copy(update={"hurt": 0.6}), [KIND] * 4).hurt < 0.6 * 0.5


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
    after_kindness = run(start, [THREAT, KIND])
    assert after_kindness.fear > start.fear
    assert after_kindness.trust < start.trust


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
    # rise 0.5 x 0.6 x (1.5 - 0.5) x (1 - 0.45) = 0.165; raw 0.05 - 0.2 = -0.15 takes 0.15 x 0.9 of trust
    assert (hit.fear, hit.trust) == (round(0.45 + 0.165, 4), round(0.2 * (1 - 0.135), 4))
    assert miss.fear < hit.fear and miss.trust > hit.trust


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
