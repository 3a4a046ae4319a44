"""The persona's emotional state and how one officer turn moves it.

Pure and deterministic (given the rng): the engine, not the model, decides how the persona feels,
so the role-play cannot drift into instant cooperation after one kind sentence or stay angry for ever.
Fear rises fast and decays slowly; trust gains are small, capped per turn and damped while fear is
high; harmful words cost a share of the trust there is. Both are graded (fear approaches 1, trust
approaches 0, neither in one turn), and the persona's temperament scales each step.

Hostility also leaves *hurt*, which damps later trust gains and heals slowly: much faster after a
sincere repair (an apology, an explanation, a break or an interpreter) than after ordinary turns, so
the way back after hostility is visible but longer than the way down (hysteresis).
"""

from __future__ import annotations

import random

from pydantic import BaseModel, Field

from simulator.labels import Assessment
from simulator.language import is_english
from simulator.personas import Mode, Persona, Trigger
from simulator.repair import is_hostile, is_repair
from simulator.temperament import Temperament

# Trust change per question type: open invitations build trust, suggestion erodes it.
QUESTION_TRUST = {
    "invitation": 0.05,
    "directive": 0.02,
    "option_posing": -0.01,
    "suggestive": -0.04,
    "statement": 0.01,
}
TONE_TRUST = {"supportive": 0.04, "neutral": 0.0, "harmful": -0.15}
TONE_FEAR = {"supportive": 0.0, "neutral": 0.0, "harmful": 0.15}
FLAG_TRUST = {
    "explains_process": 0.03,
    "offer_of_choice": 0.03,
    "acknowledges_feelings": 0.03,
    "blame": -0.08,
    "threat": -0.12,
    "disbelief": -0.08,
    "pressure": -0.05,
    "jargon": -0.02,
    "tag_question": -0.02,
    "leading": -0.03,
    "either_or": -0.01,
    "multiple_questions": -0.01,
    "too_long": -0.01,
}
FLAG_FEAR = {
    "threat": 0.25,
    "blame": 0.12,
    "pressure": 0.08,
    "disbelief": 0.08,
    "multiple_questions": 0.02,
    "jargon": 0.02,
}


class StateParams(BaseModel):
    """Tunable dynamics (instructors may tune them per deployment)."""

    max_trust_gain: float = Field(default=0.08, ge=0.0, le=1.0)  # per turn
    fear_damping: float = Field(default=0.7, ge=0.0, le=1.0)  # share of a trust gain lost at fear 1.0
    streak_bonus: float = Field(default=0.01, ge=0.0, le=0.1)  # per consecutive good turn, capped at 3
    fear_decay_calm: float = Field(default=0.03, ge=0.0, le=1.0)  # per neutral turn without harm
    fear_decay_reassured: float = Field(default=0.06, ge=0.0, le=1.0)  # per supportive/reassuring turn
    fear_floor: float = Field(default=0.1, ge=0.0, le=1.0)  # some wariness remains however kind the officer
    criteria_weight: float = Field(
        default=0.04, ge=0.0, le=1.0
    )  # trust per unit of mean criterion above 0.5
    trigger_fear_scale: float = Field(default=0.5, ge=0.0, le=2.0)
    shut_down_fear: float = Field(default=0.85, ge=0.0, le=1.0)
    shut_down_exit_fear: float = Field(default=0.7, ge=0.0, le=1.0)  # hysteresis: stay shut down above this
    distressed_fear: float = Field(default=0.65, ge=0.0, le=1.0)
    open_trust: float = Field(default=0.65, ge=0.0, le=1.0)
    partial_trust: float = Field(default=0.45, ge=0.0, le=1.0)
    testing_trust: float = Field(default=0.3, ge=0.0, le=1.0)
    disclosure_max_fear: float = Field(default=0.55, ge=0.0, le=1.0)
    max_trust_loss_share: float = Field(default=0.8, ge=0.0, le=1.0)  # of the trust there is, per turn
    hurt_per_hostile_turn: float = Field(default=0.4, ge=0.0, le=1.0)  # share of the way to 1
    repair_heal: float = Field(default=0.4, ge=0.0, le=1.0)  # share of hurt healed by a sincere repair
    calm_heal: float = Field(default=0.1, ge=0.0, le=1.0)  # share healed by any other non-hostile turn
    repair_trust: float = Field(default=0.03, ge=0.0, le=0.2)  # trust asked for by a repair while hurt
    wear: float = Field(default=0.1, ge=0.0, le=1.0)  # withdrawal weight added per hostile turn in a row


class PersonaState(BaseModel):
    trust: float = Field(ge=0.0, le=1.0)
    fear: float = Field(ge=0.0, le=1.0)
    mode: Mode = "guarded"
    turn: int = Field(default=0, ge=0)
    rapport_streak: int = Field(default=0, ge=0)  # consecutive turns that built trust
    harm_streak: int = Field(default=0, ge=0)  # consecutive turns that raised fear
    hurt: float = Field(default=0.0, ge=0.0, le=1.0)  # left by hostility; damps trust gains until healed

    @classmethod
    def initial(cls, persona: Persona) -> PersonaState:
        return cls(trust=persona.initial_trust, fear=persona.initial_fear, mode="guarded")


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def trust_delta(assessment: Assessment, params: StateParams) -> float:
    """The raw trust change the officer's words ask for, before momentum and caps."""
    delta = QUESTION_TRUST[assessment.question_type] + TONE_TRUST[assessment.tone]
    delta += sum(FLAG_TRUST.get(flag, 0.0) for flag in set(assessment.flags))
    if assessment.criteria:
        delta += params.criteria_weight * (
            sum(assessment.criteria.values()) / len(assessment.criteria) - 0.5
        )
    return delta


def fear_rise(assessment: Assessment, triggers_hit: list[Trigger], params: StateParams) -> float:
    rise = TONE_FEAR[assessment.tone] + sum(FLAG_FEAR.get(flag, 0.0) for flag in set(assessment.flags))
    rise += params.trigger_fear_scale * sum(trigger.fear for trigger in triggers_hit)
    return rise


def update_state(
    state: PersonaState,
    assessment: Assessment,
    triggers_hit: list[Trigger],
    persona: Persona,
    rng: random.Random,
    params: StateParams | None = None,
) -> PersonaState:
    """The state after one officer turn.

    With T the persona's temperament, a gain g (capped, with the rapport streak) lands as
    g * (0.5 + T.police_trust) * (1 - fear_damping * fear) * (1 - hurt); a loss l takes the share
    min(max_trust_loss_share, l * (0.5 + T.volatility)) of the trust there is; a fear rise r lands as
    r * (1.5 - T.resilience) * (1 - fear); fear decay and healing are scaled by 0.5 + T.recovery.
    """
    params = params or StateParams()
    temper = persona.temperament
    hostile, repair = is_hostile(assessment), is_repair(assessment)
    raw_trust = trust_delta(assessment, params) - sum(trigger.trust_loss for trigger in triggers_hit)
    if repair and state.hurt > 0:
        raw_trust += params.repair_trust
    rise = fear_rise(assessment, triggers_hit, params)
    if not is_english(assessment.text):  # words the persona cannot follow neither win nor cost anything
        hostile = repair = False
        raw_trust = rise = 0.0

    if raw_trust > 0:
        streak = state.rapport_streak + 1
        gain = min(raw_trust + params.streak_bonus * min(state.rapport_streak, 3), params.max_trust_gain)
        gain *= (0.5 + temper.police_trust) * (1.0 - params.fear_damping * state.fear) * (1.0 - state.hurt)
        trust = state.trust + gain
    else:
        streak = 0
        share = min(params.max_trust_loss_share, -raw_trust * (0.5 + temper.volatility))
        trust = state.trust * (1.0 - share)
    if rise > 0:
        fear = state.fear + rise * (1.5 - temper.resilience) * (1.0 - state.fear)
        harm_streak = state.harm_streak + 1
    else:
        reassured = repair or assessment.tone == "supportive"
        decay = params.fear_decay_reassured if reassured else params.fear_decay_calm
        decay *= 0.5 + temper.recovery
        resting = min(persona.initial_fear, params.fear_floor)
        fear = max(state.fear - decay, min(state.fear, resting))
        harm_streak = 0
    if hostile:
        hurt = state.hurt + (1.0 - state.hurt) * params.hurt_per_hostile_turn * (0.5 + temper.volatility)
    else:
        heal = params.repair_heal if repair else params.calm_heal
        hurt = state.hurt * (1.0 - min(1.0, heal * (0.5 + temper.recovery)))

    trust, fear = _clamp(trust), _clamp(fear)
    if hostile:
        mode = react_to_hostility(fear, temper, harm_streak, rng, params)
    else:
        mode = choose_mode(state.mode, trust, fear, assessment, rise > 0, rng, params)
    return PersonaState(
        trust=round(trust, 4),
        fear=round(fear, 4),
        mode=mode,
        turn=state.turn + 1,
        rapport_streak=streak,
        harm_streak=harm_streak,
        hurt=round(_clamp(hurt), 4),
    )


def react_to_hostility(fear: float, temper: Temperament, harm_streak: int, rng: random.Random,
                       params: StateParams) -> Mode:
    """A hostile turn draws one of three reactions, weighted by temperament: withdrawing (shut down,
    distressed or guarded, by fear; weight 1 - resilience, plus `wear` per hostile turn in a row: it
    wears down even the resilient), pushing back (deflecting: defiance, asking to leave; weight
    volatility) or placating (minimising, and a compliant yes; weight suggestibility). So a hostile
    interview shows more than one reaction, and personas differ in which."""
    if fear >= params.shut_down_fear:
        withdrawn: Mode = "shut_down"
    elif fear >= params.distressed_fear:
        withdrawn = "distressed"
    else:
        withdrawn = "guarded"
    reactions: tuple[Mode, ...] = (withdrawn, "deflecting", "minimising")
    weights = (1.0 - temper.resilience + params.wear * harm_streak, temper.volatility, temper.suggestibility)
    if sum(weights) <= 0:
        return withdrawn
    return rng.choices(reactions, weights=weights)[0]


def choose_mode(
    previous: Mode,
    trust: float,
    fear: float,
    assessment: Assessment,
    frightened_now: bool,
    rng: random.Random,
    params: StateParams,
) -> Mode:
    """Map the state onto a mode; the only stochastic choice (minimising vs deflecting) uses `rng`."""
    if fear >= params.shut_down_fear or (previous == "shut_down" and fear >= params.shut_down_exit_fear):
        return "shut_down"
    if fear >= params.distressed_fear and (frightened_now or previous == "distressed"):
        return "distressed"
    if fear < params.disclosure_max_fear:
        if trust >= params.open_trust:
            return "open_disclosure"
        if trust >= params.partial_trust:
            return "partial_disclosure"
    if trust >= params.testing_trust and not frightened_now:
        return "testing"
    probing = assessment.question_type in ("directive", "option_posing", "suggestive")
    if fear >= 0.4 and (probing or frightened_now):
        return rng.choice(("minimising", "deflecting"))
    return "guarded"
