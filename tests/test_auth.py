"""Roles, permissions, password hashing and the bind check (pure functions, no database)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher

from simulator.auth import (
    LOCAL_USER,
    PermissionDenied,
    Role,
    UnsafeBindError,
    User,
    can_edit_personas,
    can_review,
    can_view_session,
    can_view_trainee,
    check_bind_allowed,
    check_password,
    check_user_name,
    hash_password,
    require,
    verify_password,
)

ANA = User.with_role("ana", "trainee")
BEN = User.with_role("ben", Role.TRAINEE)
RITA = User.with_role("rita", Role.ASSESSOR)
IVAN = User.with_role("ivan", Role.INSTRUCTOR)


@dataclass
class Owned:
    trainee: str


@pytest.mark.parametrize(("user", "own", "others", "review", "edit"), [
    (ANA, True, False, False, False),
    (RITA, True, True, True, False),
    (IVAN, True, True, True, True),
    (LOCAL_USER, True, True, True, True),
])
def test_permissions_by_role(user, own, others, review, edit):
    assert can_view_session(user, Owned(trainee=user.name)) is own
    assert can_view_session(user, Owned(trainee="someone-else")) is others
    assert can_view_trainee(user, "someone-else") is others
    assert can_review(user) is review
    assert can_edit_personas(user) is edit


def test_a_trainee_cannot_read_another_trainees_session():
    assert can_view_session(BEN, Owned(trainee="ana")) is False
    with pytest.raises(PermissionDenied, match=r"'ben' \(trainee\) is not allowed to view ana's session"):
        require(can_view_session(BEN, Owned(trainee="ana")), BEN, "view ana's session")
    require(can_view_session(ANA, Owned(trainee="ana")), ANA, "view ana's session")


def test_the_local_user_holds_every_role():
    assert LOCAL_USER.name == "local" and LOCAL_USER.roles == set(Role)


def test_hashes_are_salted_argon2_and_verify():
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("$argon2id$") and first != second
    assert verify_password(first, "correct horse") == (True, None)
    assert verify_password(first, "wrong horse") == (False, None)
    assert verify_password("not a hash", "correct horse") == (False, None)
    assert verify_password(None, "not a real password") == (False, None)  # unknown user never matches


def test_verify_returns_a_stronger_hash_when_the_parameters_changed():
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("correct horse")
    ok, new_hash = verify_password(weak, "correct horse")
    assert ok and new_hash is not None and new_hash != weak
    assert verify_password(new_hash, "correct horse") == (True, None)


def test_password_and_name_rules():
    with pytest.raises(ValueError, match="at least 8"):
        check_password("seven77")
    assert check_password("eight888") == "eight888"
    with pytest.raises(ValueError, match="too long"):
        check_password("x" * 2000)
    assert check_user_name("ana.silva-2") == "ana.silva-2"
    for bad in ("", "-ana", "ana silva", "../etc", "a" * 65):
        with pytest.raises(ValueError, match="invalid user name"):
            check_user_name(bad)
    with pytest.raises(ValueError, match="reserved"):
        check_user_name("local")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_is_allowed_without_users(host):
    check_bind_allowed(host, share=False, has_users=False)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "academy.example.org"])
def test_exposing_the_app_without_users_is_refused(host):
    with pytest.raises(UnsafeBindError, match="no user accounts exist"):
        check_bind_allowed(host, share=False, has_users=False)
    check_bind_allowed(host, share=False, has_users=True)


def test_a_share_link_needs_users():
    with pytest.raises(UnsafeBindError, match="share link"):
        check_bind_allowed("127.0.0.1", share=True, has_users=False)
    check_bind_allowed("127.0.0.1", share=True, has_users=True)
