"""A local Hugging Face causal LM as a ChatModel, tuned for small CPUs.

Speed comes from choices measured in bench/generation.py:
- a hand-written decode loop under `torch.inference_mode` (no `generate()` bookkeeping per token), whose
  sampling looks at the top few candidates instead of sorting the whole vocabulary every token;
- KV-cache reuse across calls: the last call's token ids and cache are kept, and the next call only
  prefills what follows the longest common prefix (the persona's system prompt and the conversation so
  far stay first, so a later turn costs only its new tokens);
- bfloat16 weights where the hardware computes them natively (CPUs with AVX512-BF16 such as recent EPYC
  and Xeon, CUDA GPUs with bf16): decode is memory-bound, half the bytes decode ~1.6x faster, and the
  greedy replies match float32's (bench/generation.py). float32 elsewhere, where bf16 is emulated.
  torch's int8 dynamic quantisation (`weights="int8"`, CPU only) changed most greedy next-token choices
  of SmolLM2-135M (replies fell into loops): a faster path that degrades replies is not a win, so it is
  an option, not the default.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from simulator.llm.base import ChatModelError, GenerationParams, Message, resolve_params, stop_filter

Weights = Literal["native", "int8"]
TOP_K = 64  # sampling candidates; the full vocabulary is sorted only when they miss top_p's mass


def native_dtype(device) -> str:
    """The fastest dtype that keeps replies as float32 makes them: bfloat16 where computed natively."""
    import torch

    if device.type == "cuda":
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float32"
    if device.type == "cpu":
        # mkldnn's own check also passes on AVX512 CPUs without bf16 instructions, which emulate it.
        native = getattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)()
        if native and torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported():
            return "bfloat16"
    return "float32"


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
                 dtype: str = "auto", weights: Weights = "native", threads: int | None = None):
        """`dtype="auto"` picks `native_dtype(device)`; name one ("float32", "bfloat16") to override."""
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.name = name or Path(str(path_or_id)).name
        self.device = torch.device(device)
        if threads:
            torch.set_num_threads(threads)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(path_or_id), local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(
                str(path_or_id), local_files_only=True,
                dtype=getattr(torch, native_dtype(self.device) if dtype == "auto" else dtype),
            )
        except OSError as exc:
            raise ChatModelError(f"cannot load chat model from {path_or_id}: {exc}") from None
        if self.tokenizer.chat_template is None:
            raise ChatModelError(f"{path_or_id} has no chat template; use an instruct/chat model")
        model.eval().to(self.device)
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
        self._cache = None  # DynamicCache holding the keys/values of `_cached_ids`
        self._cached_ids: list[int] = []
        self.last_prefilled = 0  # prompt tokens the last call computed (the rest came from the cache)

    @property
    def cached_tokens(self) -> int:
        """How many tokens of the last conversation are in the KV cache, ready for reuse."""
        return len(self._cached_ids)

    def clear_cache(self) -> None:
        """Forget the kept KV cache: the next call prefills its whole prompt."""
        with self._lock:
            self._cache, self._cached_ids = None, []

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
        shared = _common_prefix(ahead, list(alone["input_ids"]))
        with self._lock, torch.inference_mode():
            if shared > len(self._cached_ids) or self._cached_ids[:shared] != ahead[:shared]:
                self._prefill(ahead[:shared])

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
        logits = self._prefill(prompt)
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
            logits = self._forward([token])

    def _prefill(self, prompt: list[int]):
        """Logits after `prompt`, computing only the tokens after the prefix already in the cache."""
        from transformers import DynamicCache

        reuse = 0
        if self._cache is not None:  # at least one token must run for logits
            reuse = _common_prefix(prompt[:-1], self._cached_ids)
        if reuse == 0:
            self._cache, self._cached_ids = DynamicCache(config=self.model.config), []
        elif reuse < len(self._cached_ids):
            self._cache.crop(reuse - len(self._cached_ids))
            del self._cached_ids[reuse:]
        self.last_prefilled = len(prompt) - reuse
        return self._forward(prompt[reuse:])

    def _forward(self, ids: list[int]):
        """Run `ids` after the cached tokens; return the float32 CPU logits of the last position."""
        import torch

        input_ids = torch.tensor([ids], dtype=torch.long, device=self.device)
        try:
            out = self.model(input_ids=input_ids, cache=self._cache, use_cache=True, logits_to_keep=1)
        except BaseException:
            self._cache, self._cached_ids = None, []  # some layers may hold the new tokens: never reuse it
            raise
        self._cached_ids.extend(ids)
        return out.logits[0, -1].float().cpu()


def _common_prefix(a: list[int], b: list[int]) -> int:
    length = 0
    while length < min(len(a), len(b)) and a[length] == b[length]:
        length += 1
    return length


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
