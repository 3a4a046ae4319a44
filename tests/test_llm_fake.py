from simulator.llm.base import ChatModel
from simulator.llm.fake import DEFAULT_LINES, FakeChatModel

MESSAGES = [{"role": "user", "content": "Where do you work?"}]


def test_fake_model_is_a_chat_model():
    assert isinstance(FakeChatModel(), ChatModel)


def test_script_is_replayed_in_order_and_cycles():
    model = FakeChatModel(script=["one", "two"])
    assert [model.generate(MESSAGES) for _ in range(3)] == ["one", "two", "one"]
    assert len(model.calls) == 3 and model.calls[0] == MESSAGES


def test_hash_reply_depends_on_prompt_and_seed_only():
    first = FakeChatModel().generate(MESSAGES, seed=3)
    assert first == FakeChatModel().generate(MESSAGES, seed=3)
    assert first in DEFAULT_LINES
    replies = {FakeChatModel().generate(MESSAGES, seed=s) for s in range(20)}
    assert len(replies) > 1


def test_stream_pieces_join_to_generate_and_honour_stop_and_max_tokens():
    model = FakeChatModel(respond=lambda messages: "I am fine. STOP here please")
    pieces = list(model.stream(MESSAGES, stop=["STOP"]))
    assert len(pieces) > 1 and "".join(pieces) == "I am fine. "
    assert model.generate(MESSAGES, max_tokens=2) == "I am"
