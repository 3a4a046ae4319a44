"""The reply plan: which aim a turn gets, from hand-picked situations; and the lines that voice it."""

from __future__ import annotations

import random

import pytest
from fixtures.engine_fakes import assessment, small_persona

from simulator.actor.lines import LineBook, generic_lines, normal
from simulator.actor.plan import AIMS, ReplyPlan, make_plan, topic_label
from simulator.actor.prompt import actor_messages, card_for, instruction_messages, plan_text

PERSONA = small_persona()
PASSPORT = PERSONA.fact("passport")
JOB = PERSONA.fact("job")


def plan(mode="guarded", touched=(), released=(), recalled=(), contaminated=False, seed=0, **labels):
    return make_plan(PERSONA, mode, assessment(**labels), list(touched), list(released), list(recalled),
                     contaminated, [], random.Random(seed))


def test_a_released_fact_is_disclosed_in_its_authored_words():
    made = plan("partial_disclosure", touched=[JOB], released=[JOB])
    assert made.aim == "disclose" and made.say == [JOB.disclosure] and made.topic_fact == "job"


def test_a_leading_question_that_drew_a_yes_plans_a_compliant_yes():
    assert plan("guarded", contaminated=True, question_type="suggestive").aim == "comply"


def test_shut_down_goes_quiet_and_refuses_when_pushed():
    assert plan("shut_down").aim == "quiet"
    assert plan("shut_down", flags=("threat",), tone="harmful").aim == "refuse"


@pytest.mark.parametrize("mode, expected", [
    ("deflecting", {"defiant", "refuse"}), ("minimising", {"minimise", "deny"}),
    ("guarded", {"deny", "defiant"}), ("distressed", {"distress", "refuse"})])
def test_hostility_is_answered_by_the_reaction_the_state_chose(mode, expected):
    """simulator/state.py picks the reaction (push back, placate, withdraw) as the mode; the aim follows."""
    aims = {plan(mode, seed=s, tone="harmful", flags=("blame",)).aim for s in range(30)}
    assert aims == expected


@pytest.mark.parametrize("mode, expected", [
    ("guarded", {"deflect", "deny"}), ("testing", {"test", "deflect"}),
    ("minimising", {"minimise", "deflect"}), ("shut_down", {"quiet"}),
    ("partial_disclosure", {"partial", "test"})])
def test_a_locked_topic_is_avoided_in_the_way_of_the_mood(mode, expected):
    made = [plan(mode, touched=[PASSPORT], seed=s) for s in range(30)]
    assert {m.aim for m in made} == expected
    assert all(m.topic == "her passport" and m.topic_status == "locked" for m in made if m.aim != "quiet")


def test_a_topic_told_before_is_talked_about_again():
    made = plan("partial_disclosure", touched=[JOB], recalled=[JOB])
    assert (made.aim, made.topic_status, made.told) == ("partial", "told", [JOB.disclosure])


def test_a_reassuring_officer_is_tested_at_first_and_accepted_later():
    assert plan("guarded", flags=("explains_process",)).aim == "test"
    assert plan("open_disclosure", flags=("offer_of_choice",)).aim == "accept"


def test_a_topic_label_never_carries_the_fact():
    assert topic_label(PASSPORT) == "her passport"
    assert topic_label(JOB) == JOB.cues[0]  # no authored topic: the first cue


def test_the_prompt_carries_the_plan_and_no_fact_that_is_not_released():
    made = plan("guarded", touched=[PASSPORT], seed=1)
    for render in (actor_messages, instruction_messages):
        text = " ".join(m["content"] for m in render(card_for(PERSONA), made, "Where is your passport?"))
        assert "her passport (not ready to tell)" in text and f"Aim: {made.aim}" in text
        assert all(fact.disclosure not in text and fact.content not in text for fact in PERSONA.facts)


def test_the_plan_renders_as_a_corpus_example_does():
    made = ReplyPlan(mode="testing", aim="test", topic="the boss", topic_status="locked", feeling="fear")
    fields = {"mood": "testing", "aim": "test", "topic": "the boss", "topic_status": "locked",
              "feeling": "fear", "say": None}
    assert plan_text(made, "Hi.") == plan_text(fields, "Hi.") == (
        "Officer: Hi.\nMood: testing. Aim: test (ask who they are or what will happen to you).\n"
        "Topic: the boss (not ready to tell).\nFeeling: fear")


def test_every_aim_has_generic_lines_except_disclosure():
    lines = generic_lines()
    assert set(lines) == set(AIMS)
    assert all(lines[aim] for aim in AIMS if aim != "disclose")


def test_lines_come_from_the_topic_first_and_are_never_said_twice():
    book = LineBook(PERSONA)
    locked = ReplyPlan(mode="guarded", aim="deflect", topic="her passport", topic_status="locked",
                       topic_fact="passport")
    said: set[str] = set()
    picked = []
    for seed in range(12):
        line = book.pick(locked, said, random.Random(seed))
        if line is None:
            break
        picked.append(line)
        said.add(normal(line))
    assert set(picked[:2]) == set(PASSPORT.evasions)  # the topic's own lines first
    assert len(picked) == len(set(picked))
    all_said = {normal(e) for e in PASSPORT.evasions}
    assert book.pick(locked, all_said, random.Random(0), topic_only=True) is None


def test_topic_lines_only_when_the_plan_avoids_the_topic():
    book = LineBook(PERSONA)
    open_topic = ReplyPlan(mode="open_disclosure", aim="answer", topic="her passport", topic_status="told",
                           topic_fact="passport")
    assert book.topic_lines(open_topic) == []
