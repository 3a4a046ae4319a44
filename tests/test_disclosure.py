"""Rule-gated disclosure: trust AND topic, question-type adjustments, caps, compliance with suggestions."""

import random

import numpy as np
import pytest
from fixtures.engine_fakes import assessment, small_persona

from simulator.disclosure import CueIndex, decide
from simulator.embeddings import HashingEmbedder
from simulator.state import PersonaState
from simulator.temperament import Temperament

PERSONA = small_persona()
FACT_IDS = [fact.id for fact in PERSONA.facts]


def scores(**by_fact: float) -> np.ndarray:
    return np.array([by_fact.get(fact_id, 0.0) for fact_id in FACT_IDS], dtype=np.float32)


def state(trust: float, fear: float = 0.2, mode: str = "partial_disclosure") -> PersonaState:
    return PersonaState(trust=trust, fear=fear, mode=mode)


def test_a_fact_needs_both_trust_and_topic():
    invitation = assessment("Tell me about your passport.")
    assert (
        decide(state(0.3), invitation, scores(passport=0.9), [], PERSONA, random.Random(0)).released == []
    )
    assert decide(state(0.6), invitation, scores(), [], PERSONA, random.Random(0)).released == []
    assert decide(state(0.6), invitation, scores(passport=0.9), [], PERSONA, random.Random(0)).released == [
        "passport"
    ]


def test_invitations_unlock_more_than_option_posing_questions():
    touched = scores(passport=0.9)
    at = state(0.5)  # passport needs 0.55
    invitation = assessment("Tell me about your documents.", "invitation")
    option = assessment("Do you have your passport?", "option_posing")
    assert decide(at, invitation, touched, [], PERSONA, random.Random(0)).released == ["passport"]
    assert decide(at, option, touched, [], PERSONA, random.Random(0)).released == []
    assert decide(state(0.6), option, touched, [], PERSONA, random.Random(0)).released == []  # 0.6 - 0.1


def test_never_everything_at_once():
    everything = scores(**dict.fromkeys(FACT_IDS, 0.95))
    opened = decide(
        state(1.0, mode="open_disclosure"), assessment(), everything, [], PERSONA, random.Random(0)
    )
    assert len(opened.released) == 2
    assert opened.released[0] == "job"  # equally touched: the least sensitive first
    partial = decide(state(1.0), assessment(), everything, [], PERSONA, random.Random(0))
    assert len(partial.released) == 1


@pytest.mark.parametrize("mode", ["shut_down", "distressed", "deflecting"])
def test_nothing_is_released_in_silent_modes(mode):
    decision = decide(
        state(1.0, fear=0.9, mode=mode), assessment(), scores(job=1.0), [], PERSONA, random.Random(0)
    )
    assert decision.released == []


def test_disclosed_facts_are_recalled_not_released_again():
    decision = decide(
        state(0.6), assessment(), scores(job=0.9, pay=0.8), ["job"], PERSONA, random.Random(0)
    )
    assert decision.released == ["pay"] and decision.recalled == ["job"]


def test_suggestive_questions_release_nothing_and_may_draw_a_compliant_yes():
    leading = assessment(
        "He took your passport, didn't he?", "suggestive", flags=("tag_question", "leading")
    )
    outcomes = [
        decide(state(0.9, fear=0.5), leading, scores(passport=1.0), [], PERSONA, random.Random(seed))
        for seed in range(30)
    ]
    assert all(not outcome.released for outcome in outcomes)
    complies = [outcome for outcome in outcomes if outcome.complies]
    assert 0 < len(complies) < len(outcomes)
    assert all(outcome.leading_content == leading.text for outcome in outcomes)  # resisted ones too


@pytest.mark.parametrize("text", ["¿Su jefe le quitó el pasaporte, verdad?", "ok?", "Hmm, right?"])
def test_a_foreign_or_empty_message_suggests_nothing(text):
    leading = assessment(text, "suggestive", flags=("tag_question",))
    outcomes = [decide(state(0.4, fear=1.0, mode="guarded"), leading, scores(), [], PERSONA, random.Random(s))
                for s in range(20)]
    assert all(not outcome.complies and not outcome.leading_content for outcome in outcomes)


def test_compliance_follows_suggestibility_by_hand():
    leading = assessment("He took your passport, didn't he?", "suggestive", flags=("tag_question",))
    # chance = suggestibility x (0.5 + fear), at most 1: 0.6 x (0.5 + 0.5) = 0.6 and 0.2 x 1.0 = 0.2
    for suggestibility, expected in ((0.6, 0.6), (0.2, 0.2), (1.0, 1.0)):
        persona = PERSONA.model_copy(update={"temperament": Temperament(suggestibility=suggestibility)})
        rate = sum(decide(state(0.4, fear=0.5, mode="guarded"), leading, scores(), [], persona,
                          random.Random(seed)).complies for seed in range(2000)) / 2000
        assert abs(rate - expected) < 0.05  # 2,000 draws: a standard error of about 0.011


def test_compliance_is_likelier_when_afraid():
    leading = assessment("You were scared of him, weren't you?", "suggestive", flags=("tag_question",))

    def rate(fear):
        return sum(
            decide(
                state(0.4, fear=fear, mode="guarded"), leading, scores(), [], PERSONA, random.Random(seed)
            ).complies
            for seed in range(200)
        )

    assert rate(0.8) > rate(0.1)


def test_trigger_cues_match_whole_phrases_or_meaning():
    embedder = HashingEmbedder()
    index = CueIndex([trigger.cues for trigger in PERSONA.triggers], embedder)
    text = "They will deport you."
    assert index.scores(text, embedder.embed([text])[0])[0] == 1.0  # "deport" begins "deport"
    unrelated = "The weather is cold today."
    assert index.scores(unrelated, embedder.embed([unrelated])[0]).max() < 0.6


def test_a_fact_waits_for_the_facts_it_comes_after():
    persona = PERSONA.model_copy(update={"facts": [
        fact.model_copy(update={"after": ["debt"]}) if fact.id == "pay" else fact for fact in PERSONA.facts]})
    open_state = state(1.0, mode="open_disclosure")
    asked_pay = decide(open_state, assessment(), scores(pay=0.9), [], persona, random.Random(0))
    assert asked_pay.released == []  # "the boss keeps my money... what I owe" before the debt is told
    told_debt = decide(open_state, assessment(), scores(pay=0.9), ["debt"], persona, random.Random(0))
    assert told_debt.released == ["pay"]
    both = decide(open_state, assessment(), scores(pay=0.9, debt=0.8), [], persona, random.Random(0))
    assert both.released == ["debt", "pay"]  # pay is closer, but told after the debt
    assert decide(state(1.0), assessment(), scores(pay=0.9, debt=0.8), [], persona,
                  random.Random(0)).released == ["debt"]  # one fact a turn in partial disclosure
