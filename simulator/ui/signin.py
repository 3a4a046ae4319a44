"""Gradio's sign-in check, hardened: throttled per account and address, hashing bounded and off the
event loop.

Gradio awaits the check inside its /login route, so a refusal raised here is the HTTP answer: 429 with
Retry-After while an account or address is locked, 503 while the password hashers are all busy. A
check that hashed on the event loop (as a plain function would) lets a flood of wrong passwords stall
every page of the app; here at most `MAX_HASHING` hashes run at once, in worker threads, a few more
wait their turn, and one address cannot take every place.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import os

from fastapi import HTTPException

from simulator.login_throttle import LoginThrottle
from simulator.storage import Store

# One argon2 hash runs four lanes in parallel (argon2-cffi's default), so hashing more than one per
# four cores at once only starves everything else of CPU, the event loop first.
MAX_HASHING = max(1, (os.cpu_count() or 1) // 4)
MAX_WAITING = 16  # sign-ins queued behind them; beyond that the answer is "busy, try again"
MAX_PER_ADDRESS = 8  # places one address may hold (a class behind one NAT address signs in together)

CLIENT_ADDRESS: contextvars.ContextVar[str] = contextvars.ContextVar("client_address", default="")


class ClientAddress:
    """ASGI middleware: remembers the client's address for the sign-in check of this request
    (uvicorn has already applied X-Forwarded-For from a trusted local proxy)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            CLIENT_ADDRESS.set((scope.get("client") or ("",))[0] or "")
        await self.app(scope, receive, send)


class HashGate:
    """At most `slots` password checks at once, `waiting` more queued, the rest turned away. One
    address hashes one password at a time and may hold at most `per_address` places, so a flood from
    one address leaves the other slots, and the queue, to everyone else."""

    def __init__(self, slots: int = MAX_HASHING, waiting: int = MAX_WAITING,
                 per_address: int = MAX_PER_ADDRESS):
        self._slots = asyncio.Semaphore(slots)
        self._room, self._per_address = slots + waiting, per_address
        self._inside: dict[str, int] = {}
        self._lanes: dict[str, asyncio.Lock] = {}

    async def run(self, address: str, fn, *args):
        if sum(self._inside.values()) >= self._room or self._inside.get(address, 0) >= self._per_address:
            raise HTTPException(503, detail="Too many sign-ins at once; try again in a moment.",
                                headers={"Retry-After": "5"})
        self._inside[address] = self._inside.get(address, 0) + 1
        lane = self._lanes.setdefault(address, asyncio.Lock())
        try:
            async with lane, self._slots:
                return await asyncio.to_thread(fn, *args)
        finally:
            self._inside[address] -= 1
            if not self._inside[address]:
                del self._inside[address], self._lanes[address]


def authenticator(store: Store, throttle: LoginThrottle | None = None, gate: HashGate | None = None):
    """The check for `launch(auth=...)`: the user table (argon2 hashes, every attempt audited), with
    back-off and a temporary lock (audited too) after repeated failures."""
    throttle = throttle or LoginThrottle()
    gate = gate or HashGate()

    def refuse_if_locked(name: str, address: str) -> None:
        wait = throttle.retry_after(name, address)
        if wait > 0:
            raise HTTPException(429, detail=f"Too many failed sign-ins; try again in {math.ceil(wait)} s.",
                                headers={"Retry-After": str(math.ceil(wait))})

    def attempt(name: str, password: str, address: str):
        refuse_if_locked(name, address)  # again: a lock may have begun while this attempt queued
        return store.authenticate(name, password)

    async def check(name: str, password: str) -> bool:
        address = CLIENT_ADDRESS.get()
        refuse_if_locked(name, address)
        user = await gate.run(address, attempt, name, password, address)
        if user is not None:
            throttle.succeeded(name)
            return True
        for lock in throttle.failed(name, address):
            detail = {"kind": lock.kind, "failures": lock.failures, "seconds": lock.seconds,
                      "address": address}
            await asyncio.to_thread(store.audit, name[:64], "login_locked", lock.key[:255], detail)
        return False

    return check
