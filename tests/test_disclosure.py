"""Rule-gated disclosure: trust AND topic, question-type adjustments, caps, contamination."""

import random

import numpy as np
import pytest
from fixtures.engine_fakes import assessment, small_persona

from simulator.disclosure import CueIndex, DisclosureParams, decide
from simulator.embeddings import HashingEmbedder
from simulator.state import PersonaState

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
    borderline = scores(passport=DisclosureParams().similarity_threshold - 0.02)
    assert decide(state(0.9), invitation, borderline, [], PERSONA, random.Random(0)).released == [
        "passport"
    ]
    assert decide(state(0.9), option, borderline, [], PERSONA, random.Random(0)).released == []


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


def test_suggestive_questions_release_nothing_and_may_contaminate():
    leading = assessment(
        "He took your passport, didn't he?", "suggestive", flags=("tag_question", "leading")
    )
    outcomes = [
        decide(state(0.9, fear=0.5), leading, scores(passport=1.0), [], PERSONA, random.Random(seed))
        for seed in range(30)
    ]
    assert all(not outcome.released for outcome in outcomes)
    contaminated = [outcome for outcome in outcomes if outcome.contaminated]
    assert 0 < len(contaminated) < len(outcomes)
    assert contaminated[0].leading_content == leading.text


def test_contamination_is_likelier_when_afraid():
    leading = assessment("You were scared of him, weren't you?", "suggestive", flags=("tag_question",))

    def rate(fear):
        return sum(
            decide(
                state(0.4, fear=fear, mode="guarded"), leading, scores(), [], PERSONA, random.Random(seed)
            ).contaminated
            for seed in range(200)
        )

    assert rate(0.8) > rate(0.1)


def test_cue_index_matches_phrases_and_meaning():
    embedder = HashingEmbedder()
    index = CueIndex([fact.cues for fact in PERSONA.facts], embedder)
    text = "Could we talk about your passport?"
    found = index.scores(text, embedder.embed([text])[0])
    assert found[FACT_IDS.index("passport")] == 1.0  # the cue word appears
    unrelated = "The weather is cold today."
    assert (
        index.scores(unrelated, embedder.embed([unrelated])[0]).max()
        < DisclosureParams().similarity_threshold
    )
