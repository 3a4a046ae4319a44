from pathlib import Path

import pytest

from simulator.embeddings import HashingEmbedder
from simulator.rubric import load_rubric
from simulator.scoring import Scorer
from simulator.statement_forms import is_statement_form, reflects_back, said_to_someone_else

RUBRIC = Path(__file__).resolve().parent.parent / "rubrics" / "default.yaml"


@pytest.mark.parametrize("text", [
    "(to the interpreter) Ask her whether she wants a break.",
    "(To colleague) Put down that she's vague on dates again. They always are.",
    "(turning to the social worker) Has he eaten today?",
    "  (aside to DC Shah) Did you get the plate number?",
])
def test_a_line_said_to_someone_else(text):
    assert said_to_someone_else(text) and is_statement_form(text)


@pytest.mark.parametrize("text", [
    "It sounds like you felt trapped, because everything went through him.",
    "It sounds as if nobody listened to you for a long time.",
    "It sounds like at first he made you feel special. Later things changed.",
])
def test_a_reflection_that_asks_nothing(text):
    assert reflects_back(text) and is_statement_form(text)


@pytest.mark.parametrize("text", [
    "It sounds like they threatened your son as well?",  # asks back: the head decides
    "So it sounds like you were scared. What happened next?",  # not the opening
    "(laughs) Tell me what happened next.",  # a stage direction, but no other listener
    "Tell me about the flat (the one on Rue Verte).",
    "Did he take your passport?",
])
def test_questions_to_the_person_are_left_alone(text):
    assert not is_statement_form(text)


def test_the_scorer_calls_them_statements():
    scorer = Scorer(load_rubric(RUBRIC), HashingEmbedder(dim=128))
    asked, aside = scorer.assess_many(["Did she sign the contract?",
                                       "(to the interpreter) Did she sign the contract?"])
    assert asked.question_type == "option_posing"
    assert aside.question_type == "statement"
