"""The transformers backend: sampling and incremental decoding (fast), and the embedded model (real_model)."""

from __future__ import annotations

import pytest
import torch

from simulator.llm import dtype_choice
from simulator.llm.base import GenerationParams, stop_filter
from simulator.llm.transformers_backend import TOP_K, IncrementalDecoder, RepeatBan, sample

MESSAGES = [
    {"role": "system", "content": "You are Ana, a shy young woman who works in a restaurant kitchen."},
    {"role": "user", "content": "Hello Ana, how are you today?"},
]


class ByteTokenizer:
    """Each id is one UTF-8 byte: multi-byte characters arrive split over several tokens."""

    def decode(self, ids, **_):
        return bytes(ids).decode("utf-8", errors="replace")


def test_incremental_decoder_never_splits_a_character():
    decoder = IncrementalDecoder(ByteTokenizer())
    pieces = [decoder.push(b) for b in "olá – ok".encode()]
    assert "".join(pieces) == "olá – ok"
    assert all("\ufffd" not in piece for piece in pieces)
    assert "" in pieces  # the first bytes of 'á' and '–' wait for the rest


def test_stop_filter_holds_back_text_that_may_start_a_stop_string():
    assert list(stop_filter(["I am ", "fine\nOff", "icer: hi"], ["\nOfficer:"])) == ["I am ", "fine"]
    assert list(stop_filter(["a\nO", "k then"], ["\nOfficer:"])) == ["a", "\nOk then"]
    assert list(stop_filter(["abc"], [])) == ["abc"]


def test_sample_greedy_and_repetition_penalty():
    logits = torch.tensor([1.0, 3.0, 2.9, -1.0])
    seen = torch.tensor([False, True, False, False])
    greedy = GenerationParams(temperature=0.0, repetition_penalty=1.0)
    assert sample(logits, seen, greedy, torch.Generator()) == 1
    penalised = GenerationParams(temperature=0.0, repetition_penalty=1.5)
    assert sample(logits, seen, penalised, torch.Generator()) == 2


def test_sample_is_seeded_and_top_p_cuts_the_tail():
    logits = torch.log(torch.tensor([0.5, 0.3, 0.15, 0.05]))
    seen = torch.zeros(4, dtype=torch.bool)
    opts = GenerationParams(temperature=1.0, top_p=0.7, repetition_penalty=1.0)
    draws = [sample(logits, seen, opts, torch.Generator().manual_seed(s)) for s in range(200)]
    assert set(draws) == {0, 1}
    again = [sample(logits, seen, opts, torch.Generator().manual_seed(s)) for s in range(200)]
    assert draws == again


def test_top_p_beyond_the_top_candidates_samples_the_whole_vocabulary():
    flat = torch.zeros(TOP_K * 4)  # the top candidates hold a quarter of the mass: top_p needs more
    opts = GenerationParams(temperature=1.0, top_p=0.9, repetition_penalty=1.0)
    draws = {sample(flat, torch.zeros(flat.numel(), dtype=torch.bool), opts, torch.Generator().manual_seed(s))
             for s in range(300)}
    assert max(draws) >= TOP_K


def test_banned_tokens_are_never_picked():
    logits = torch.tensor([5.0, 4.0, 1.0])
    seen = torch.zeros(3, dtype=torch.bool)
    assert sample(logits, seen, GenerationParams(temperature=0.0), torch.Generator(), banned=[0]) == 1
    hot = GenerationParams(temperature=2.0, top_p=1.0, repetition_penalty=1.0)
    draws = {sample(logits, seen, hot, torch.Generator().manual_seed(s), banned=[0, 1]) for s in range(50)}
    assert draws == {2}


def test_repeat_ban_blocks_ngrams_of_earlier_text_and_of_the_reply_itself():
    def banned_after(n, avoid, reply):
        ban = RepeatBan(n, avoid)
        for token in reply:
            ban.push(token)
        return ban.banned()

    assert banned_after(3, [[1, 2, 3, 4]], [9, 1]) == []  # (9, 1) starts no 3-gram of the earlier text
    assert banned_after(3, [[1, 2, 3, 4]], [9, 1, 2]) == [3]
    assert banned_after(3, [], [7, 8, 5, 7, 8]) == [5]  # "7 8 5" already occurs in this reply
    assert banned_after(0, [[1, 2, 3]], [1, 2]) == []


def test_bf16_is_chosen_only_when_measured_faster_and_faithful():
    assert dtype_choice.decide(speedup=1.5, agreement=0.97) == "bfloat16"
    assert dtype_choice.decide(speedup=0.93, agreement=0.97) == "float32"  # slower on this CPU
    assert dtype_choice.decide(speedup=1.5, agreement=0.6) == "float32"  # fast but unfaithful


def test_cpus_that_emulate_bf16_get_float32_without_a_probe(monkeypatch, tmp_path):
    monkeypatch.setattr(dtype_choice, "bf16_is_native", lambda device: False)
    monkeypatch.setattr(dtype_choice, "probe", lambda *a: pytest.fail("no probe where bf16 is emulated"))
    assert dtype_choice.choose_cpu_dtype(None, None, tmp_path) == "float32"


def test_the_probe_runs_once_per_machine_and_its_verdict_is_kept(monkeypatch, tmp_path):
    runs = []
    monkeypatch.setattr(dtype_choice, "bf16_is_native", lambda device: True)
    monkeypatch.setattr(dtype_choice, "probe", lambda *a: runs.append(1) or (1.6, 0.98))
    assert dtype_choice.choose_cpu_dtype(None, None, tmp_path) == "bfloat16"
    assert dtype_choice.choose_cpu_dtype(None, None, tmp_path) == "bfloat16"
    assert len(runs) == 1
    monkeypatch.setattr(dtype_choice, "machine_key", lambda: "another CPU")  # a copied cache folder
    monkeypatch.setattr(dtype_choice, "probe", lambda *a: runs.append(1) or (0.9, 0.98))
    assert dtype_choice.choose_cpu_dtype(None, None, tmp_path) == "float32"
    assert len(runs) == 2


@pytest.fixture(params=["float32", "bfloat16"])
def model_in_each_dtype(request):
    """The embedded chat model in each dtype explicitly, not in whichever this machine would pick."""
    return request.getfixturevalue(f"real_chat_model_{request.param}")


@pytest.mark.real_model
def test_seeded_sampling_is_reproducible(model_in_each_dtype):
    first = model_in_each_dtype.generate(MESSAGES, max_tokens=16, temperature=0.8, seed=42)
    assert first.strip()
    assert model_in_each_dtype.generate(MESSAGES, max_tokens=16, temperature=0.8, seed=42) == first
    model_in_each_dtype.generate([MESSAGES[0], {"role": "user", "content": "Something else."}], max_tokens=8)
    assert model_in_each_dtype.generate(MESSAGES, max_tokens=16, temperature=0.8, seed=42) == first


@pytest.mark.real_model
def test_stream_yields_pieces_that_join_to_the_reply(real_chat_model):
    pieces = list(real_chat_model.stream(MESSAGES, max_tokens=12, temperature=0.0))
    assert len(pieces) > 3
    assert "".join(pieces) == real_chat_model.generate(MESSAGES, max_tokens=12, temperature=0.0)


@pytest.mark.real_model
def test_stop_strings_are_honoured(real_chat_model):
    full = real_chat_model.generate(MESSAGES, max_tokens=24, temperature=0.0)
    word = full.split()[3]
    cut = real_chat_model.generate(MESSAGES, max_tokens=24, temperature=0.0, stop=[word])
    assert word not in cut
    assert full.startswith(cut)


@pytest.mark.real_model
def test_kv_reuse_matches_a_cold_call(model_in_each_dtype):
    model = model_in_each_dtype
    first = model.generate(MESSAGES, max_tokens=16, temperature=0.0)
    later = [*MESSAGES, {"role": "assistant", "content": first},
             {"role": "user", "content": "Where do you live?"}]
    warm = model.generate(later, max_tokens=16, temperature=0.0)
    warm_prefilled = model.last_prefilled
    model.clear_cache()
    cold = model.generate(later, max_tokens=16, temperature=0.0)
    assert model.last_prefilled == len(model.encode(later))
    assert warm_prefilled <= len(model.encode(later)) - 32  # the cache served the earlier whole pieces
    assert warm == cold


@pytest.mark.real_model
def test_a_reply_does_not_copy_the_text_it_must_avoid(real_chat_model):
    first = real_chat_model.generate(MESSAGES, max_tokens=16, temperature=0.0)
    again = real_chat_model.generate(MESSAGES, max_tokens=16, temperature=0.0, avoid=[first],
                                     no_repeat_ngram=4)
    tokens = real_chat_model.tokenizer.encode
    copied = {tuple(tokens(first)[i:i + 4]) for i in range(len(tokens(first)) - 3)}
    reply = tokens(again)
    assert again.strip() and not copied & {tuple(reply[i:i + 4]) for i in range(len(reply) - 3)}


@pytest.mark.real_model
def test_embedder_embeds_normalised_vectors_with_meaning(real_embedder):
    vectors = real_embedder.embed(["Where do you sleep at night?", "Where is your bed?",
                                   "The invoice total is forty dollars."])
    assert vectors.shape == (3, 384) and vectors.dtype == "float32"
    assert abs(float((vectors ** 2).sum(axis=1).max()) - 1.0) < 1e-4
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


@pytest.mark.real_model
def test_warm_prefills_the_conversation_so_far_and_changes_no_reply(real_chat_model_float32):
    so_far = [*MESSAGES, {"role": "assistant", "content": "I am fine, I guess."}]
    later = [*so_far, {"role": "user", "content": "Where do you live?"}]
    real_chat_model_float32.clear_cache()
    cold = real_chat_model_float32.generate(later, max_tokens=16, temperature=0.0)
    real_chat_model_float32.clear_cache()
    real_chat_model_float32.warm(so_far)
    warmed = real_chat_model_float32.cached_tokens
    real_chat_model_float32.warm(so_far)  # nothing new: a no-op
    assert real_chat_model_float32.cached_tokens == warmed
    assert real_chat_model_float32.generate(later, max_tokens=16, temperature=0.0) == cold
    assert warmed > 0 and warmed % 32 == 0  # whole pieces only: what a cold call would compute alike
    assert real_chat_model_float32.last_prefilled == len(real_chat_model_float32.encode(later)) - warmed
    assert real_chat_model_float32.last_prefilled < 32 + 20
