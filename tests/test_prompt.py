"""The prompt carries the persona's voice and only the facts the engine released."""

from fixtures.engine_fakes import small_persona

from simulator.prompt import Exchange, PromptParams, build_messages, system_prompt

PERSONA = small_persona()


def all_text(messages):
    return "\n".join(message["content"] for message in messages)


def test_locked_facts_ground_truth_and_instructor_text_never_appear():
    released = PERSONA.fact("job")
    known = PERSONA.fact("hours")
    text = all_text(
        build_messages(
            PERSONA, "partial_disclosure", "Tell me about your work.", [], say=[released], known=[known]
        )
    )
    assert released.disclosure in text and known.disclosure in text
    for fact in PERSONA.facts:
        if fact.id not in ("job", "hours"):
            assert fact.disclosure not in text and fact.content not in text
    assert PERSONA.instructor_summary not in text
    assert PERSONA.ground_truth.explanation not in text


def test_stable_part_first_and_turn_instruction_last():
    history = [Exchange(officer="Hello, my name is Sam.", reply="Hello.")]
    guarded = build_messages(PERSONA, "guarded", "How are you?", history)
    opened = build_messages(PERSONA, "open_disclosure", "How are you?", history)
    assert guarded[0] == opened[0] == {"role": "system", "content": system_prompt(PERSONA)}
    assert guarded[:-1] == opened[:-1]  # only the final message changes with the mode
    final = opened[-1]["content"]
    assert final.startswith("Officer: How are you?")
    assert "Reply as Lan in 1-2 short sentences" in final
    assert PERSONA.example_lines["open_disclosure"][0] in final


def test_compliant_yes_instruction():
    final = build_messages(PERSONA, "guarded", "He hit you, didn't he?", [], compliant_yes=True)[-1][
        "content"
    ]
    assert "agree" in final.lower()


def test_history_is_trimmed_to_the_budget_keeping_the_latest_turns():
    history = [
        Exchange(officer=f"Question number {i}? " + "words " * 40, reply=f"Answer {i}.") for i in range(50)
    ]
    messages = build_messages(
        PERSONA, "guarded", "And then?", history, params=PromptParams(context_tokens=700)
    )
    assert sum(len(m["content"]) for m in messages) // 4 <= 700
    assert "Answer 49." in all_text(messages)
    assert "Answer 0." not in all_text(messages)
    assert [m["role"] for m in messages[1:-1]] == ["user", "assistant"] * ((len(messages) - 2) // 2)


def test_a_growing_history_keeps_the_prompt_start_for_several_turns():
    """Old exchanges go several at a time, so most turns extend the previous prompt (KV-cache reuse)."""
    params = PromptParams(context_tokens=700, history_drop=4)
    history = [Exchange(officer=f"Question {i}? " + "words " * 20, reply=f"Answer {i}.") for i in range(40)]
    prompts = [
        build_messages(PERSONA, "guarded", "And then?", history[:n], params=params)[:-1] for n in range(41)
    ]
    extended = sum(new[: len(old)] == old for old, new in zip(prompts, prompts[1:], strict=False))
    assert extended >= 30  # one in four turns drops a block of 4 exchanges once the budget is full
    assert all(sum(len(m["content"]) for m in p) // 4 <= 700 for p in prompts)
