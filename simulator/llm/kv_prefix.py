"""A model's KV cache kept across calls, reused only where reuse cannot change a single bit.

Floating-point results depend on how a sequence is split into forward passes (a matrix product over
7 rows rounds differently from one over 300; in bfloat16 enough to flip a greedy choice), so a warm
call that prefilled only the new tokens used to give other tokens than a cold call. Here prefill
always runs in CHUNK-token pieces aligned to absolute positions (the last piece may be shorter), and
the cache is reused only up to the last whole piece a prefill computed: a warm call then makes exactly
the forward passes a cold call makes from that point on. Decoded tokens are never reused, because a
cold call computes them inside a prefill piece; the next turn prefills them (a few dozen tokens).
"""

from __future__ import annotations

CHUNK = 32  # prefill granularity: the unit of reuse


def common_prefix(a: list[int], b: list[int]) -> int:
    length = 0
    while length < min(len(a), len(b)) and a[length] == b[length]:
        length += 1
    return length


class KVPrefix:
    """The token ids in a model's cache and the forward passes that extend it (not thread-safe)."""

    def __init__(self, model, device, chunk: int = CHUNK):
        self.model, self.device, self.chunk = model, device, chunk
        self.cache = None  # DynamicCache holding the keys/values of `ids`
        self.ids: list[int] = []
        self.reusable = 0  # leading cached tokens computed as whole aligned prefill pieces
        self.last_prefilled = 0  # prompt tokens the last prefill computed (the rest came from the cache)

    def clear(self) -> None:
        self.cache, self.ids, self.reusable = None, [], 0

    def prefill(self, prompt: list[int]):
        """Logits after `prompt`, reusing the cache up to the last whole piece it shares with `prompt`."""
        from transformers import DynamicCache

        reuse = min(common_prefix(prompt[:-1], self.ids), self.reusable)  # at least one token must run
        reuse -= reuse % self.chunk
        if reuse == 0:
            self.cache, self.ids = DynamicCache(config=self.model.config), []
        elif reuse < len(self.ids):
            self.cache.crop(reuse - len(self.ids))  # a negative count drops that many tokens
            del self.ids[reuse:]
        self.reusable = reuse
        self.last_prefilled = len(prompt) - reuse
        logits = None
        for start in range(reuse, len(prompt), self.chunk):
            piece = prompt[start:start + self.chunk]
            logits = self.step(piece)
            if len(piece) == self.chunk:
                self.reusable = start + self.chunk
        return logits

    def warm(self, prefix: list[int]) -> None:
        """Compute the whole pieces of `prefix` ahead of a call whose prompt will start with it."""
        whole = prefix[:len(prefix) - len(prefix) % self.chunk]
        if whole and (len(whole) > self.reusable or self.ids[:len(whole)] != whole):
            self.prefill(whole)

    def step(self, ids: list[int]):
        """Run `ids` after the cached tokens; return the float32 CPU logits of the last position."""
        import torch

        input_ids = torch.tensor([ids], dtype=torch.long, device=self.device)
        try:
            out = self.model(input_ids=input_ids, cache=self.cache, use_cache=True, logits_to_keep=1)
        except BaseException:
            self.clear()  # some layers may hold the new tokens: never reuse this cache
            raise
        self.ids.extend(ids)
        return out.logits[0, -1].float().cpu()
