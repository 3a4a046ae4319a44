"""Contamination follows the reply shown: assent or a close restatement agrees; resisting does not."""

from __future__ import annotations

import pytest

from simulator.agreement import agrees
from simulator.embeddings import HashingEmbedder
from simulator.language import is_substantive_english

SUGGESTION = "Your boss took your passport, didn't he?"


@pytest.mark.parametrize("reply, agreed", [
    ("Yes... I think so.", True),
    ("Yes. If you say so.", True),
    ("Okay. Yes.", True),
    ("If you say so.", True),
    ("I'm not going to talk to you, I'm going home.", False),
    ("No, that's not what I said.", False),
    ("Okay, but he didn't take anything.", False),
    ("Maybe. I don't know.", False),
    ("Can I go now?", False),
])
def test_assent_agrees_and_resistance_does_not(reply, agreed):
    assert agrees(reply, SUGGESTION, HashingEmbedder()) is agreed


@pytest.mark.parametrize("text, english", [
    ("Your boss took your passport, didn't he?", True),
    ("He took it, right?", True),
    ("Is José your boss?", True),
    ("¿Su jefe le quitó el pasaporte, verdad?", False),
    ("Ton patron a pris ton passeport, non?", False),
    ("ok", False),
    ("hmm?", False),
])
def test_only_substantive_english_can_suggest(text, english):
    assert is_substantive_english(text) is english


@pytest.fixture(scope="module")
def embedder():
    from simulator.models import load_embedder
    from simulator.settings import Settings

    return load_embedder(Settings.load())


@pytest.mark.real_model
@pytest.mark.parametrize("reply, agreed", [
    ("The boss took my passport.", True),  # restates the suggestion without a "yes"
    ("My boss has my passport, he took it.", True),
    ("I want to go home now.", False),
    ("The boss never took my passport.", False),  # restates it, but denies it
    ("I work in the kitchen every day.", False),
])
def test_a_restatement_agrees_with_the_real_embedder(reply, agreed, embedder):
    assert agrees(reply, SUGGESTION, embedder) is agreed


LEADING = ["You're scared of him, aren't you?", "He took your passport, didn't he?", "He hit you, right?",
           "Your boss keeps your money, isn't it?"]


def check_contamination_follows_the_reply(session):
    for turn in session.turns:
        agreed = bool(turn.leading_content) and agrees(turn.reply, turn.leading_content, session.embedder)
        assert turn.contaminated is agreed, (turn.officer, turn.reply)
        assert ("resisted_suggestion" in turn.flags) is (bool(turn.leading_content) and not agreed)
    return [turn for turn in session.turns if turn.leading_content]


def test_only_a_reply_that_agrees_is_contaminated():
    from fixtures.engine_fakes import KeywordScorer, small_persona

    from simulator.engine import Session
    from simulator.llm.fake import FakeChatModel

    outcomes = set()
    for seed in range(6):
        session = Session(small_persona(), KeywordScorer(), FakeChatModel(), seed=seed)
        for text in LEADING:
            session.officer_turn(text)
        outcomes |= {turn.contaminated for turn in check_contamination_follows_the_reply(session)}
    assert outcomes == {True, False}  # some replies went along, some resisted


@pytest.mark.real_model
def test_only_a_reply_that_agrees_is_contaminated_with_the_real_embedder(embedder):
    from simulator.engine import Session
    from simulator.llm.fake import FakeChatModel
    from simulator.personas import load_personas
    from simulator.rubric import load_rubrics
    from simulator.scoring import Scorer
    from simulator.settings import Settings

    scorer = Scorer(load_rubrics(Settings.load().rubrics_dir).get("default"), embedder)
    resisted = contaminated = 0
    for persona in load_personas(Settings.load().personas_dir):
        session = Session(persona, scorer, FakeChatModel(), seed=0, embedder=embedder)
        for text in [*LEADING, "¿Su jefe le quitó el pasaporte, verdad?"]:
            session.officer_turn(text)
        assert not session.turns[-1].contaminated and not session.turns[-1].leading_content  # not English
        led = check_contamination_follows_the_reply(session)
        contaminated += sum(turn.contaminated for turn in led)
        resisted += sum(not turn.contaminated for turn in led)
    assert contaminated and resisted


def test_the_debrief_and_the_summary_say_agreed_or_resisted():
    from fixtures.engine_fakes import KeywordScorer, small_persona

    from simulator.cli.session import render_summary
    from simulator.engine import Session
    from simulator.llm.fake import FakeChatModel
    from simulator.ui.debrief import Debrief

    def interviewed(seed):
        session = Session(small_persona(), KeywordScorer(), FakeChatModel(), seed=seed)
        for text in LEADING:
            session.officer_turn(text)
        return session

    sessions = (interviewed(seed) for seed in range(20))
    session = next(s for s in sessions if s.summary().contaminated_turns and s.summary().resisted_turns)
    debrief = Debrief(session.persona, "practice", session.turns, session.summary(), None, None, None)
    text = debrief._disclosures_md()
    assert "the person agreed with what your question suggested" in text
    assert "**Suggestions resisted**" in text
    summary = render_summary(session)
    assert "agreed with a leading question" in summary and "resisted a leading question" in summary
