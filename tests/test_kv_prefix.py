"""KV reuse never changes a result: warm and cold calls make the same forward passes, in each dtype."""

from __future__ import annotations

import pytest
import torch

from simulator.llm.kv_prefix import KVPrefix


@pytest.fixture(scope="module")
def tiny_llama():
    """A small random Llama: big enough that splitting a sequence differently changes the rounding."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=300, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512)
    return LlamaForCausalLM(config).eval()


def prompts(seed: int) -> tuple[list[int], list[int]]:
    """A first prompt and a later one that extends it with a 'reply' and a new message."""
    generator = torch.Generator().manual_seed(seed)
    first = torch.randint(0, 300, (75,), generator=generator).tolist()
    later = first + torch.randint(0, 300, (41,), generator=generator).tolist()
    return first, later


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=["float32", "bfloat16"])
def test_a_warm_prefill_gives_bit_identical_logits_to_a_cold_one(tiny_llama, dtype):
    model = tiny_llama.to(dtype)
    first, later = prompts(1)
    with torch.inference_mode():
        kv = KVPrefix(model, torch.device("cpu"))
        kv.prefill(first)
        for token in later[len(first):len(first) + 9]:  # as decoding does, one token at a time
            kv.step([token])
        warm = kv.prefill(later)
        assert kv.last_prefilled == len(later) - 64  # reused the two whole pieces of the first prompt
        cold = KVPrefix(model, torch.device("cpu")).prefill(later)
        assert torch.equal(warm, cold)
        kv.warm(later[:100])  # ahead of a call: only whole pieces are computed
        assert kv.reusable == 96
        assert torch.equal(kv.prefill(later), cold)
        assert kv.last_prefilled == len(later) - 96


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=["float32", "bfloat16"])
def test_the_same_prompt_again_recomputes_its_partial_piece(tiny_llama, dtype):
    model = tiny_llama.to(dtype)
    first, _ = prompts(2)
    with torch.inference_mode():
        kv = KVPrefix(model, torch.device("cpu"))
        once = kv.prefill(first)
        assert torch.equal(kv.prefill(first), once)
        assert kv.last_prefilled == len(first) - 64


def test_unaligned_reuse_would_change_the_rounding(tiny_llama):
    """Why the pieces are aligned: prefilling a prompt in one pass or in two gives other bits."""
    model = tiny_llama.to(torch.bfloat16)
    _, later = prompts(3)
    with torch.inference_mode():
        whole = KVPrefix(model, torch.device("cpu"), chunk=len(later)).prefill(later)
        split = KVPrefix(model, torch.device("cpu"), chunk=7).prefill(later)
    assert not torch.equal(whole, split)
