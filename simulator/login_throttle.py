"""Back-off for failed sign-ins, per account and per client address.

A few typos cost nothing; after that each further failure locks the account (or the address) for
twice as long as the last, up to a cap. While locked, attempts are refused before any password is
hashed, so guessing stops and a flood costs the server almost nothing. Attempts refused during a
lock do not lengthen it: an attacker cannot keep a genuine user out longer by hammering.

The counters live in the memory of one app process; behind a proxy with sticky sessions each
instance counts its own (docs/deployment.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

ACCOUNT_FREE_FAILURES = 5  # failures in a row an account may have before it is locked
ADDRESS_FREE_FAILURES = 30  # higher: a whole academy may sign in from behind one NAT address
FIRST_LOCK_S = 30.0
MAX_LOCK_S = 900.0
FORGET_AFTER_S = 900.0  # a quiet quarter of an hour forgives earlier failures


class Lock(BaseModel):
    """A lock that has just started, for the audit log."""

    model_config = ConfigDict(frozen=True)

    kind: str  # "account" or "address"
    key: str
    failures: int
    seconds: float


@dataclass
class _Counter:
    failures: int = 0
    last_failure: float = 0.0
    locked_until: float = 0.0


class LoginThrottle:
    """Thread-safe failure counters; `clock` is injectable for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._counters: dict[tuple[str, str], _Counter] = {}
        self._lock = threading.Lock()

    def retry_after(self, account: str, address: str) -> float:
        """Seconds until this account may try from this address again; 0 when it may now."""
        now = self._clock()
        with self._lock:
            waits = [counter.locked_until - now for key in self._keys(account, address)
                     if (counter := self._counters.get(key)) is not None]
        return max([0.0, *waits])

    def failed(self, account: str, address: str) -> list[Lock]:
        """Count a wrong password; return the locks this failure starts."""
        now = self._clock()
        started = []
        with self._lock:
            for kind, key in self._keys(account, address):
                counter = self._counters.setdefault((kind, key), _Counter())
                if now - counter.last_failure > FORGET_AFTER_S:
                    counter.failures = 0
                counter.failures += 1
                counter.last_failure = now
                free = ACCOUNT_FREE_FAILURES if kind == "account" else ADDRESS_FREE_FAILURES
                excess = counter.failures - free
                if excess >= 0:
                    seconds = min(MAX_LOCK_S, FIRST_LOCK_S * 2 ** excess)
                    counter.locked_until = now + seconds
                    started.append(Lock(kind=kind, key=key, failures=counter.failures, seconds=seconds))
        return started

    def succeeded(self, account: str) -> None:
        """A right password clears the account's count; the address keeps its own, so one valid
        account cannot be used to reset the guessing budget of an address."""
        with self._lock:
            self._counters.pop(("account", account), None)

    @staticmethod
    def _keys(account: str, address: str) -> list[tuple[str, str]]:
        keys = [("account", account.lower())]
        return keys + [("address", address)] if address else keys
