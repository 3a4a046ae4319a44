"""The actor's corpus and adapter: validated records, a trainer that learns, a merge that is exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from simulator.actor.corpus import CorpusError, load_corpus
from simulator.actor.plan import AIMS
from simulator.llm.base import ChatModelError
from simulator.llm.lora import merge_lora
from simulator.personas import MODES, load_persona

HELD_OUT = Path(__file__).resolve().parent.parent / "bench" / "realism" / "heldout" / "personas"


def test_the_corpus_validates_and_covers_every_mood_and_aim():
    corpus = load_corpus()
    assert len(corpus.cards) >= 40 and len(corpus.examples) >= 2000
    assert {e.mood for e in corpus.examples} == set(MODES)
    assert {e.aim for e in corpus.examples} == set(AIMS)


def test_the_held_out_personas_are_not_in_the_corpus():
    corpus = load_corpus()
    held_out = [load_persona(path) for path in HELD_OUT.glob("*.yaml")]
    assert len(held_out) >= 3
    names = {card.name.split()[0].lower() for card in corpus.cards.values()}
    for persona in held_out:
        assert persona.id not in corpus.cards
        assert persona.name.split()[0].lower() not in names


def test_a_bad_line_names_file_line_and_field(tmp_path):
    card = {"type": "persona", "id": "a", "name": "A", "age": 30, "gender": "f", "origin": "X",
            "setting": "s", "voice": "v"}
    good = {"type": "example", "persona": "a", "officer": "Hi.", "mood": "guarded", "aim": "answer",
            "reply": "Hello."}
    cases = [({**good, "mood": "angry"}, "slice.jsonl:2: mood"),
             ({**good, "reply": "I was going to say"}, "full sentence"),
             ({**good, "extra": 1}, "slice.jsonl:2: extra"),
             ({**good, "persona": "b"}, "persona 'b' has no card")]
    for record, message in cases:
        (tmp_path / "slice.jsonl").write_text(json.dumps(card) + "\n" + json.dumps(record) + "\n")
        with pytest.raises(CorpusError, match=message):
            load_corpus(tmp_path)


def tiny_llama():
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1)
    return LlamaForCausalLM(config).eval()


def test_merging_an_adapter_adds_b_times_a_scaled_to_each_layer(tmp_path):
    from safetensors.torch import save_file

    model = tiny_llama()
    before = model.model.layers[0].self_attn.q_proj.weight.detach().clone()
    down, up = torch.randn(4, 32), torch.randn(32, 4)
    prefix = "base_model.model.model.layers.0.self_attn.q_proj"
    save_file({f"{prefix}.lora_A.weight": down, f"{prefix}.lora_B.weight": up},
              str(tmp_path / "adapter_model.safetensors"))
    (tmp_path / "adapter_config.json").write_text(json.dumps({"r": 4, "lora_alpha": 8}))
    assert merge_lora(model, tmp_path) == 1
    assert torch.allclose(model.model.layers[0].self_attn.q_proj.weight, before + 2.0 * up @ down, atol=1e-5)


def test_an_adapter_for_another_model_is_a_clear_error(tmp_path):
    from safetensors.torch import save_file

    prefix = "base_model.model.model.layers.7.mlp.up_proj"
    save_file({f"{prefix}.lora_A.weight": torch.zeros(4, 32), f"{prefix}.lora_B.weight": torch.zeros(64, 4)},
              str(tmp_path / "adapter_model.safetensors"))
    (tmp_path / "adapter_config.json").write_text(json.dumps({"r": 4, "lora_alpha": 8}))
    with pytest.raises(ChatModelError, match="does not fit"):
        merge_lora(tiny_llama(), tmp_path)
    with pytest.raises(ChatModelError, match="cannot read"):
        merge_lora(tiny_llama(), tmp_path / "missing")
