"""Distil the actor: a LoRA adapter that teaches SmolLM2-135M-Instruct to voice reply plans.

    interview-sim actor train [--seed 0] [--epochs 1] [--out models/adapters/smollm2-actor]

The corpus (simulator/actor/corpus/) pairs a persona card, an officer line and a plan with the reply
the persona would say. Training sees the same compact prompt the engine renders (`actor.prompt`), and
learns only the reply and its end-of-turn token, in float32 (bf16 autocast was no faster on a CPU whose
bf16 decode is slower, and started from a higher loss). Two corpus personas are kept out as a validation set:
their loss says whether the adapter learnt the task or the training personas. One command and a seed
give the same adapter on the same machine (shuffle, LoRA initialisation and dropout are seeded); the
adapter (a few MB, float16) and its training log are written to --out.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from pathlib import Path

from simulator.actor.corpus import CORPUS_DIR, Card, Example, load_corpus
from simulator.actor.prompt import actor_messages

VALIDATION_PERSONAS = frozenset({"valdis-chicken-catcher", "houda-adopted-niece"})
TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def encode_example(tokenizer, card: Card, example: Example) -> tuple[list[int], list[int]]:
    """(prompt ids, reply ids): the reply ends with the end-of-turn token, so the actor learns to stop."""
    fields = example.model_dump(include={"mood", "aim", "topic", "topic_status", "feeling", "say"})
    messages = actor_messages(card, fields, example.officer)
    prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True,
                                           return_dict=True)["input_ids"]
    full = tokenizer.apply_chat_template([*messages, {"role": "assistant", "content": example.reply}],
                                         tokenize=True, return_dict=True)["input_ids"]
    if full[:len(prompt)] != list(prompt):
        raise ValueError("the chat template renders the prompt differently with a reply after it")
    end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    return list(prompt), list(full[len(prompt):full.index(end, len(prompt)) + 1])


def batches(encoded: list[tuple[list[int], list[int]]], size: int, rng: random.Random):
    """Shuffled groups of `size` (prompt, reply) pairs: one optimiser step each."""
    order = list(range(len(encoded)))
    rng.shuffle(order)
    for start in range(0, len(order), size):
        yield [encoded[i] for i in order[start:start + size]]


def reply_loss(model, prompt: list[int], reply: list[int]):
    """Summed cross-entropy of the reply tokens given the prompt, and how many there are.

    The prompt runs without gradients (through the current adapter, as at inference) into a KV cache and
    only the reply is differentiated: about a third of the cost of a full backward pass on 2 cores, as
    prompts are eight times longer than replies. The adapter then learns from the reply positions alone,
    which is what it must change. The vocabulary head runs on the reply positions only.
    """
    import torch
    from transformers import DynamicCache

    causal = model.get_base_model()
    cache = DynamicCache(config=causal.config)
    with torch.no_grad():
        before = causal.model(input_ids=torch.tensor([prompt]), cache=cache, use_cache=True)
    hidden = causal.model(input_ids=torch.tensor([reply[:-1]]), cache=cache, use_cache=True).last_hidden_state
    states = torch.cat([before.last_hidden_state[:, -1:], hidden], dim=1)[0]
    logits = causal.lm_head(states).float()
    return torch.nn.functional.cross_entropy(logits, torch.tensor(reply), reduction="sum"), len(reply)


def corpus_digest(folder: Path = CORPUS_DIR) -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(folder).glob("*.jsonl")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train(base: Path, out: Path, seed: int = 0, epochs: int = 1, batch_size: int = 8, rank: int = 8,
          lr: float = 1e-3, threads: int = 1, examples: int | None = None, log=print) -> dict:
    """Train and write the adapter. One thread by default: on a busy 2-core machine two threads were
    5x slower per step (threads spin waiting for a core the other processes hold). `examples`: train on a
    seeded random subset of that many (fewer steps), the rest of the corpus unused."""
    import torch
    from peft import LoraConfig, get_peft_model
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(threads)
    random.seed(seed)
    torch.manual_seed(seed)
    corpus = load_corpus()
    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(base, local_files_only=True, dtype=torch.float32)
    config = LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.05, target_modules=TARGET_MODULES,
                        task_type="CAUSAL_LM")
    model = get_peft_model(model, config)
    train_set, validation = corpus.split(set(VALIDATION_PERSONAS))
    if examples is not None and examples < len(train_set):
        train_set = random.Random(seed).sample(train_set, examples)
    encode = [encode_example(tokenizer, corpus.cards[e.persona], e) for e in train_set]
    held = [encode_example(tokenizer, corpus.cards[e.persona], e) for e in validation]
    steps = epochs * math.ceil(len(encode) / batch_size)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.0)
    warmup = max(1, steps // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / (steps - warmup))))
    rng = random.Random(seed)
    history: list[dict] = []
    log(f"{len(encode)} training and {len(held)} validation examples; {steps} steps of {batch_size}")
    started = time.perf_counter()
    step = 0
    history.append({"step": 0, "validation_loss": evaluate(model, held)})
    for epoch in range(epochs):
        model.train()
        for group in batches(encode, batch_size, rng):
            total = sum(len(reply) for _, reply in group)
            for prompt, reply in group:
                loss, _ = reply_loss(model, prompt, reply)
                (loss / total).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 25 == 0 or step == steps:
                log(f"epoch {epoch + 1} step {step}/{steps} loss {loss.item() / len(reply):.3f} "
                    f"({time.perf_counter() - started:.0f} s)")
                history.append({"step": step, "loss": round(loss.item() / len(reply), 4)})
        history.append({"step": step, "validation_loss": evaluate(model, held)})
        log(f"epoch {epoch + 1}: validation loss {history[-1]['validation_loss']:.3f}")
    seconds = time.perf_counter() - started
    out.mkdir(parents=True, exist_ok=True)
    weights = {name.replace(".default", ""): tensor.detach().to(torch.float16).contiguous()
               for name, tensor in model.state_dict().items() if "lora_" in name}
    save_file(weights, str(out / "adapter_model.safetensors"))
    (out / "adapter_config.json").write_text(json.dumps(
        {"peft_type": "LORA", "r": rank, "lora_alpha": 2 * rank, "target_modules": TARGET_MODULES,
         "base_model": "SmolLM2-135M-Instruct"}, indent=1) + "\n")
    record = {"seed": seed, "epochs": epochs, "examples": examples, "batch_size": batch_size, "rank": rank,
              "lr": lr,
              "corpus_sha256_16": corpus_digest(), "training_examples": len(encode),
              "validation_personas": sorted(VALIDATION_PERSONAS), "steps": steps,
              "seconds": round(seconds), "torch": torch.__version__, "threads": torch.get_num_threads(),
              "history": history}
    (out / "training-log.json").write_text(json.dumps(record, indent=1) + "\n")
    return record


def evaluate(model, encoded) -> float:
    """Mean token loss on the held-out personas' replies."""
    import torch

    if not encoded:
        return float("nan")
    model.eval()
    total, tokens = 0.0, 0
    with torch.inference_mode():
        for prompt, reply in encoded:
            loss, count = reply_loss(model, prompt, reply)
            total += loss.item()
            tokens += count
    model.train()
    return round(total / tokens, 4)
