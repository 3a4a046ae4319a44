"""A local Hugging Face causal LM as a ChatModel, tuned for small CPUs.

Speed comes from choices measured in bench/generation.py:
- a hand-written decode loop under `torch.inference_mode` (no `generate()` bookkeeping per token), whose
  sampling looks at the top few candidates instead of sorting the whole vocabulary every token;
- KV-cache reuse across calls: the last call's token ids and cache are kept, and the next call only
  prefills what follows the longest common prefix (the persona's system prompt and the conversation so
  far stay first, so a later turn costs only its new tokens);
- bfloat16 where this machine measures it faster and faithful (see `dtype_choice`), float32 elsewhere.
  torch's int8 dynamic quantisation (`weights="int8"`, CPU only) changed most greedy next-token choices
  of SmolLM2-135M (replies fell into loops): a faster path that degrades replies is not a win, so it is
  an option, not the default.

Determinism contract: the same messages, parameters and seed give the same tokens from the same model
folder, dtype and thread count, whatever the KV cache held before (warm or cold, after `warm`, after
another conversation): `kv_prefix` reuses the cache only where that cannot change a bit.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from simulator.llm.base import ChatModelError, GenerationParams, Message, resolve_params, stop_filter
from simulator.llm.kv_prefix import KVPrefix, common_prefix

Weights = Literal["native", "int8"]
TOP_K = 64  # sampling candidates; the full vocabulary is sorted only when they miss top_p's mass


class RepeatBan:
    """No-repeat n-grams: the tokens that would complete an n-gram already in `avoid` or in the reply."""

    def __init__(self, n: int, avoid: list[list[int]]):
        self.n = n
        self.reply: list[int] = []
        self.next_tokens: dict[tuple[int, ...], set[int]] = {}
        for ids in avoid if n else []:
            for start in range(len(ids) - n + 1):
                self._add(ids[start:start + n])

    def _add(self, ngram: list[int]) -> None:
        self.next_tokens.setdefault(tuple(ngram[:-1]), set()).add(ngram[-1])

    def push(self, token: int) -> None:
        self.reply.append(token)
        if self.n and len(self.reply) >= self.n:
            self._add(self.reply[-self.n:])

    def banned(self) -> list[int]:
        """Tokens that may not come next."""
        if not self.n or len(self.reply) < self.n - 1:
            return []
        return sorted(self.next_tokens.get(tuple(self.reply[len(self.reply) - self.n + 1:]), ()))


class IncrementalDecoder:
    """Turns token ids into text pieces as they arrive, never splitting a multi-byte character.

    Decoding a window (previous token(s) + new ones) and diffing keeps tokenizer-specific spacing right;
    a trailing U+FFFD means an incomplete UTF-8 sequence, so the piece waits for the next token.
    """

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.ids: list[int] = []
        self.prefix = 0
        self.read = 0

    def _decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)

    def push(self, token_id: int) -> str:
        self.ids.append(token_id)
        seen = self._decode(self.ids[self.prefix:self.read])
        text = self._decode(self.ids[self.prefix:])
        if len(text) <= len(seen) or text.endswith("\ufffd"):
            return ""
        self.prefix, self.read = self.read, len(self.ids)
        return text[len(seen):]


class TransformersChatModel:
    """Chat with a local transformers model; shared by many sessions (one generation at a time).

    A stream holds the model until it is exhausted or closed, so consumers must not abandon one open.
    """

    def __init__(self, path_or_id: str | Path, *, name: str | None = None, device: str = "cpu",
                 dtype: str = "auto", weights: Weights = "native", threads: int | None = None,
                 adapter: Path | None = None):
        """`dtype="auto"` measures this machine (`dtype_choice`); "float32" or "bfloat16" forces one.
        `adapter`: a LoRA folder merged into the weights (the distilled actor), which also means the model
        was trained to voice reply plans in the compact prompt (`voice == "actor"`)."""
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from simulator.llm.dtype_choice import bf16_is_native, choose_cpu_dtype

        self.name = name or Path(str(path_or_id)).name
        self.device = torch.device(device)
        if dtype == "auto" and self.device.type != "cpu":
            dtype = "bfloat16" if bf16_is_native(self.device) else "float32"
        if threads:
            torch.set_num_threads(threads)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(path_or_id), local_files_only=True)
            loaded = getattr(torch, dtype.replace("auto", "float32"))  # "auto" loads float32, then probes
            model = AutoModelForCausalLM.from_pretrained(str(path_or_id), local_files_only=True, dtype=loaded)
        except OSError as exc:
            raise ChatModelError(f"cannot load chat model from {path_or_id}: {exc}") from None
        model.eval()
        if adapter is not None:
            from simulator.llm.lora import merge_lora

            merge_lora(model, Path(adapter))
        self.voice = "actor" if adapter is not None else "instruction"
        if dtype == "auto":
            folder = Path(str(path_or_id)) if Path(str(path_or_id)).is_dir() else None
            dtype = choose_cpu_dtype(model, self.tokenizer, folder)
            model = model.to(getattr(torch, dtype))
        self.dtype = dtype
        if self.tokenizer.chat_template is None:
            raise ChatModelError(f"{path_or_id} has no chat template; use an instruct/chat model")
        model.to(self.device)
        if weights == "int8":
            if self.device.type != "cpu":
                raise ChatModelError("int8 weights are a CPU option; use weights='native' on a GPU")
            from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

            model = quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
        self.weights = weights
        self.model = model
        self.max_context = int(getattr(model.config, "max_position_embeddings", 0) or 1 << 30)
        self.stop_ids = self._stop_token_ids()
        self._lock = threading.Lock()
        self._kv = KVPrefix(model, self.device)

    @property
    def cached_tokens(self) -> int:
        """How many tokens of the last conversation are in the KV cache, ready for reuse."""
        return len(self._kv.ids)

    @property
    def last_prefilled(self) -> int:
        """Prompt tokens the last call computed (the rest came from the cache)."""
        return self._kv.last_prefilled

    def clear_cache(self) -> None:
        """Forget the kept KV cache: the next call prefills its whole prompt."""
        with self._lock:
            self._kv.clear()

    def _stop_token_ids(self) -> set[int]:
        ids = {self.tokenizer.eos_token_id}
        configured = self.model.generation_config.eos_token_id
        ids.update(configured if isinstance(configured, list) else [configured])
        return {i for i in ids if i is not None}

    def encode(self, messages: list[Message]) -> list[int]:
        """The prompt's token ids, through the model's own chat template."""
        encoded = self.tokenizer.apply_chat_template(
            [dict(m) for m in messages], add_generation_prompt=True, tokenize=True, return_dict=True)
        return list(encoded["input_ids"])

    def warm(self, messages: list[Message]) -> None:
        """Prefill the KV cache with a conversation that the next call's prompt will start with, so that
        call computes only its own new tokens: the caller runs this while the user is still typing.

        Only tokens that any continuation shares are computed: those common to the conversation followed by
        a user message and the conversation alone (a template may render a last message differently)."""
        import torch

        ahead = self.encode([*messages, {"role": "user", "content": "…"}])
        alone = self.tokenizer.apply_chat_template(
            [dict(m) for m in messages], add_generation_prompt=False, tokenize=True, return_dict=True)
        shared = common_prefix(ahead, list(alone["input_ids"]))
        with self._lock, torch.inference_mode():
            self._kv.warm(ahead[:shared])

    def generate(self, messages: list[Message], **params) -> str:
        return "".join(self.stream(messages, **params))

    def stream(self, messages: list[Message], **params) -> Iterator[str]:
        opts = resolve_params(params)
        prompt = self.encode(messages)
        if len(prompt) + opts.max_tokens > self.max_context:
            raise ChatModelError(f"prompt of {len(prompt)} tokens + max_tokens {opts.max_tokens} exceeds the "
                                 f"model's context of {self.max_context} tokens")
        return stop_filter(self._pieces(prompt, opts), opts.stop)

    def _pieces(self, prompt: list[int], opts: GenerationParams) -> Iterator[str]:
        """Decoded text pieces; the caller stopping early leaves the cache valid for the next call."""
        import torch

        with self._lock, torch.inference_mode():
            yield from self._decode_loop(prompt, opts)

    def _decode_loop(self, prompt: list[int], opts: GenerationParams) -> Iterator[str]:
        import torch

        generator = torch.Generator()
        generator.manual_seed(opts.seed if opts.seed is not None else torch.seed())
        avoid = [self.tokenizer.encode(text, add_special_tokens=False) for text in opts.avoid]
        ban = RepeatBan(opts.no_repeat_ngram, avoid)
        logits = self._kv.prefill(prompt)
        penalised = torch.zeros(logits.shape[-1], dtype=torch.bool)
        for ids in (prompt if opts.penalty_scope == "prompt" else [], *avoid):
            penalised[torch.tensor(ids, dtype=torch.long)] = True
        decoder = IncrementalDecoder(self.tokenizer)
        for _ in range(opts.max_tokens):
            token = sample(logits, penalised, opts, generator, ban.banned())
            if token in self.stop_ids:
                return
            penalised[token] = True
            ban.push(token)
            if piece := decoder.push(token):
                yield piece
            logits = self._kv.step([token])

def sample(logits, penalised, opts: GenerationParams, generator, banned: list[int] = ()) -> int:
    """Pick the next token: repetition penalty (as in transformers) and banned tokens, then greedy or
    temperature + top-p. Top-p looks at the TOP_K likeliest tokens, which at chat temperatures almost
    always hold its mass; when they do not, it falls back to the whole vocabulary, so the result is exact."""
    import torch

    if opts.repetition_penalty != 1.0 or banned:
        logits = logits.clone()
    if opts.repetition_penalty != 1.0:
        values = logits[penalised]
        logits[penalised] = torch.where(values > 0, values / opts.repetition_penalty,
                                        values * opts.repetition_penalty)
    if banned:
        logits[torch.tensor(banned, dtype=torch.long)] = float("-inf")
    if opts.temperature == 0.0:
        return int(torch.argmax(logits))
    scaled = logits / opts.temperature
    if opts.top_p >= 1.0:
        return int(torch.multinomial(torch.softmax(scaled, dim=-1), 1, generator=generator))
    top_logits, candidates = torch.topk(scaled, min(TOP_K, scaled.numel()))
    probs = torch.exp(top_logits - torch.logsumexp(scaled, dim=-1))  # true probabilities, sorted
    if float(probs.sum()) < opts.top_p:
        probs, candidates = torch.sort(torch.softmax(scaled, dim=-1), descending=True)
    keep = torch.cumsum(probs, dim=-1) - probs < opts.top_p  # always keeps the top token
    return int(candidates[keep][torch.multinomial(probs[keep], 1, generator=generator)])
