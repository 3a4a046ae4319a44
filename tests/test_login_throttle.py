"""Sign-in back-off: a few typos are free, then locks double up to a cap, per account and address."""

from __future__ import annotations

from simulator.login_throttle import (
    ACCOUNT_FREE_FAILURES,
    ADDRESS_FREE_FAILURES,
    FIRST_LOCK_S,
    FORGET_AFTER_S,
    MAX_LOCK_S,
    LoginThrottle,
)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_account_is_locked_after_repeated_failures_and_each_lock_doubles():
    clock = Clock()
    throttle = LoginThrottle(clock)
    for _ in range(ACCOUNT_FREE_FAILURES - 1):
        assert throttle.failed("tina", "10.0.0.1") == []
    assert throttle.retry_after("tina", "10.0.0.1") == 0
    (lock,) = throttle.failed("tina", "10.0.0.1")
    assert (lock.kind, lock.key, lock.seconds) == ("account", "tina", FIRST_LOCK_S)
    assert throttle.retry_after("TINA", "10.0.0.9") == FIRST_LOCK_S  # names are matched case-blind
    assert throttle.retry_after("tom", "10.0.0.1") == 0
    clock.now += FIRST_LOCK_S
    assert throttle.retry_after("tina", "10.0.0.1") == 0
    (lock,) = throttle.failed("tina", "10.0.0.1")
    assert lock.seconds == 2 * FIRST_LOCK_S
    for _ in range(20):
        clock.now += MAX_LOCK_S
        (lock,) = throttle.failed("tina", "10.0.0.1")
    assert lock.seconds == MAX_LOCK_S


def test_success_clears_the_account_but_not_the_address():
    clock = Clock()
    throttle = LoginThrottle(clock)
    for i in range(ADDRESS_FREE_FAILURES - 1):
        throttle.failed(f"guess{i}", "10.0.0.1")
        throttle.succeeded(f"guess{i}")
    (lock,) = throttle.failed("tina", "10.0.0.1")
    assert lock.kind == "address" and throttle.retry_after("anyone", "10.0.0.1") == FIRST_LOCK_S
    assert throttle.retry_after("anyone", "10.0.0.2") == 0


def test_failures_are_forgiven_after_a_quiet_spell():
    clock = Clock()
    throttle = LoginThrottle(clock)
    for _ in range(ACCOUNT_FREE_FAILURES - 1):
        throttle.failed("tina", "")
    clock.now += FORGET_AFTER_S + 1
    assert throttle.failed("tina", "") == []
