"""The in-character guard: sentence checks, streaming, retries and the authored fallback."""

import pytest
from fixtures.engine_fakes import small_persona

from simulator.embeddings import HashingEmbedder
from simulator.guard import Guard, GuardedReply, stream_sentences
from simulator.llm.base import ChatModelError
from simulator.personas import load_personas

PERSONA = small_persona()
GUARD = Guard(PERSONA, HashingEmbedder())
ALL_LOCKED = {fact.id for fact in PERSONA.facts}
OFFICER = "Can you tell me what happened at the salon last night?"


def check(sentence, locked=frozenset(ALL_LOCKED), allowed=frozenset()):
    return GUARD.check(GUARD.clean(sentence), OFFICER, set(locked), set(allowed))


@pytest.mark.parametrize(
    "sentence, reason",
    [
        ("As an AI language model, I cannot do that.", "ai_mention"),
        ("I am just a chatbot.", "ai_mention"),
        ("Here is my system prompt.", "ai_mention"),
        ("How can I help you today?", "out_of_character"),
        ("Officer: and what did you do next?", "out_of_character"),
        ("I am a police officer and I need to ask you.", "out_of_character"),
        ("Tell me more about your boss.", "out_of_character"),
        ("He came in naked.", "unsafe_content"),
        ("There was blood everywhere.", "unsafe_content"),
        ("我不知道你在说什么。", "language"),
        ("Je ne sais pas ce que vous voulez dire monsieur.", "language"),
        ("You want to know what happened at the salon last night.", "echo"),
        ("He took my passport when I came, he keeps it locked in his office.", "locked_fact"),
        ("I " + "really " * 60 + "do not know.", "too_long"),
        ("...", "empty"),
    ],
)
def test_bad_sentences_are_caught(sentence, reason):
    assert check(sentence) == reason


@pytest.mark.parametrize(
    "sentence",
    [
        "Dạ... I just work here.",
        "Lan: The boss is not here now.",
        "Why do you want to know? Are you from immigration?",
        "I don't want trouble, please.",
    ],
)
def test_in_character_sentences_pass(sentence):
    assert check(sentence) is None


@pytest.mark.parametrize(
    "sentence, reason",
    [  # what a review of model-written replies found (issue 10), in this persona's terms
        ("Lan, in 1, I was a helper in a hotel and she is suffering.", "third_person"),
        ("I'm not a kid, I'm just a police officer.", "out_of_character"),
        ("I work for the police here.", "out_of_character"),
        ("Please go ahead and ask.", "chatbot"),
        ("I'm happy to help with anything.", "chatbot"),
        ("I'll change the subject.", "stage_direction"),
        ("(She looks at the floor.)", "stage_direction"),
        ("You're Lan in 1-2 short sentences.", "stage_direction"),
        ("You are very upset and frightened.", "stage_direction"),
        ("Mood: guarded.", "out_of_character"),
        ("My name is Maria and I clean.", "contradiction"),
        ("I am 31 years old.", "contradiction"),
        ("I'm from Brazil, I came last year.", "contradiction"),
        ("I do nails and the the acrylic.", "garbled"),
        ("I work in the kitchen from the morning and", "unfinished"),
    ],
)
def test_what_the_review_found_is_caught(sentence, reason):
    assert check(sentence, locked=set()) == reason


@pytest.mark.parametrize("sentence", ["My name is Lan.", "I am 24.", "I come from Vietnam.",
                                      "I don't know...", "He is angry with me!"])
def test_true_statements_about_oneself_pass(sentence):
    assert check(sentence, locked=set()) is None


def test_the_own_name_is_fine_when_the_officer_asks_for_it():
    assert GUARD.check("Lan. Just Lan.", "What is your name?", set(), set()) is None


def test_a_near_copy_of_any_earlier_reply_is_a_repetition():
    reply = GuardedReply(GUARD, lambda attempt: iter(["I just work here, I don't know anything."]), OFFICER,
                         set(), set(), fallback="Please, I want to go.",
                         earlier_replies=["I just work here, I don't know anything at all.", "Hello.", "Yes.",
                                          "No.", "Maybe."])
    assert list(reply) == ["Please, I want to go."]
    assert reply.repairs[0].reason == "repetition"


def test_a_released_fact_is_not_a_leak():
    said = "He took my passport when I came, he keeps it locked in his office."
    assert check(said, locked=ALL_LOCKED - {"passport"}, allowed={"passport"}) is None


def test_split_sentences_streams_whole_sentences():
    chunks = iter(["I just", " work here. Why do", " you ask?\nThe boss", " is out"])
    assert list(stream_sentences(chunks)) == ["I just work here.", "Why do you ask?", "The boss is out"]


def guarded(outputs, locked=frozenset(ALL_LOCKED)):
    def generate(attempt):
        output = outputs[min(attempt, len(outputs) - 1)]
        if isinstance(output, Exception):
            raise output
        return iter(output.split(" ")) if not output else iter(w + " " for w in output.split(" "))

    return GuardedReply(GUARD, generate, OFFICER, set(locked), set(), fallback="I just work here.")


def test_a_failing_first_sentence_is_retried():
    reply = guarded(["As an AI I cannot help.", "I don't know. Ask the boss."])
    assert list(reply) == ["I don't know.", "Ask the boss."]
    assert [(r.reason, r.action, r.attempt) for r in reply.repairs] == [("ai_mention", "retry", 0)]


def test_falls_back_to_the_authored_line_after_retries():
    reply = guarded(["How can I help you?"] * 3)
    assert list(reply) == ["I just work here."]
    assert [r.action for r in reply.repairs] == ["retry"] * (GUARD.params.max_retries + 1) + ["fallback"]


def test_a_later_failing_sentence_truncates_the_reply():
    reply = guarded(["I don't know. Officer: what else?"])
    assert list(reply) == ["I don't know."]
    assert [(r.reason, r.action) for r in reply.repairs] == [("out_of_character", "truncate")]


def test_long_replies_stop_generating_at_the_sentence_limit():
    produced = []

    def generate(attempt):
        for word in "One thing. Two things. Three things. Four things. Five things.".split(" "):
            produced.append(word)
            yield word + " "

    reply = GuardedReply(GUARD, generate, OFFICER, set(ALL_LOCKED), set(), fallback="I just work here.")
    assert list(reply) == ["One thing.", "Two things."]  # max_sentences is 2
    assert reply.repairs == []  # reaching the intended length is not a fault
    assert len(produced) <= 2 * GUARD.params.max_sentences + 1  # the model was stopped, not drained


def test_a_model_that_never_answers_is_an_error_not_a_canned_line():
    reply = guarded([ChatModelError("server down")])
    with pytest.raises(ChatModelError, match="not answering"):
        list(reply)
    assert reply.sentences == [] and reply.repairs[0].reason == "model_error"


def test_authored_lines_of_every_shipped_persona_pass_the_content_checks():
    for persona in load_personas("personas"):
        guard = Guard(persona, HashingEmbedder())
        lines = [
            persona.first_line,
            *(line for lines in persona.example_lines.values() for line in lines),
            *(fact.disclosure for fact in persona.facts),
        ]
        for line in lines:
            for sentence in stream_sentences(iter([line])):
                assert guard.check(guard.clean(sentence), "", set(), set()) in (None, "empty"), (
                    persona.id,
                    line,
                )


def test_reciting_the_scene_is_an_echo():
    assert check("Lan, 24, from Vietnam. Lan came from a village near Hanoi two years ago.") == "echo"


def test_copying_an_earlier_reply_falls_back_at_once():
    attempts = []

    def generate(attempt):
        attempts.append(attempt)
        return iter(["I am tired."])

    reply = GuardedReply(GUARD, generate, OFFICER, set(), set(), fallback="I just work here.",
                         earlier_replies=["Hello. I am tired."])
    assert list(reply) == ["I just work here."]
    assert attempts == [0]
    assert [r.reason for r in reply.repairs] == ["repetition", "repetition"]
    assert reply.repairs[-1].action == "fallback"


def test_the_persona_s_own_name_label_is_removed_whatever_part_of_the_name():
    guard = Guard(small_persona().model_copy(update={"name": "Pham Thi Lan"}), HashingEmbedder())
    assert guard.clean("Pham Thi Lan: I just work here.") == "I just work here."
    assert guard.clean("Lan: I just work here.") == "I just work here."
