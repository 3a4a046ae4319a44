"""Users, roles and permissions, enforced on the server.

UI handlers call these pure functions before showing or changing anything: hiding a button is not
access control. Transcripts are assessment records, so a trainee sees only their own sessions.

Roles:
- trainee: practises and sees only their own sessions and progress.
- assessor: reviews every session, overrides labels, writes comments, exports.
- instructor: everything an assessor may do (they read transcripts to tune personas and rubrics),
  plus editing personas and rubrics.

With no user accounts the app runs in single-user local mode: one user, "local", holding every
role, and the server may only listen on the loopback interface.
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict

LOCAL_USER_NAME = "local"
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # argon2 would hash megabytes happily; a login form should not let it
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class Role(StrEnum):
    TRAINEE = "trainee"
    INSTRUCTOR = "instructor"
    ASSESSOR = "assessor"


class User(BaseModel):
    """A signed-in person. Accounts hold one role; the single-user local user holds them all."""

    model_config = ConfigDict(frozen=True)

    name: str
    roles: frozenset[Role]

    @classmethod
    def with_role(cls, name: str, role: Role | str) -> User:
        return cls(name=name, roles=frozenset({Role(role)}))

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def roles_label(self) -> str:
        return ", ".join(sorted(self.roles))


LOCAL_USER = User(name=LOCAL_USER_NAME, roles=frozenset(Role))


class OwnedSession(Protocol):
    """Anything with the trainee who owns it (storage's session record)."""

    trainee: str


class PermissionDenied(Exception):
    """The signed-in user may not do this; the message says who, and what was refused."""


class UnsafeBindError(ValueError):
    """Refuses to expose the app beyond this machine while anyone could use it unauthenticated."""


def can_view_trainee(user: User, trainee: str) -> bool:
    """A trainee sees their own records; reviewers (assessors, instructors) see everyone's."""
    return can_review(user) or user.name == trainee


def can_view_session(user: User, session: OwnedSession) -> bool:
    return can_view_trainee(user, session.trainee)


def can_review(user: User) -> bool:
    """Review transcripts: read all sessions, override labels, comment, rescore, export."""
    return user.has_role(Role.ASSESSOR, Role.INSTRUCTOR)


def can_edit_personas(user: User) -> bool:
    """Edit personas and rubrics (the instructor studio)."""
    return user.has_role(Role.INSTRUCTOR)


def can_manage_courses(user: User) -> bool:
    """Write courses and cohorts and assign them (instructors); assessors read them, trainees their own."""
    return user.has_role(Role.INSTRUCTOR)


def require(permitted: bool, user: User, action: str) -> None:
    """Raise PermissionDenied unless `permitted`; `action` completes "is not allowed to ..."."""
    if not permitted:
        raise PermissionDenied(f"User '{user.name}' ({user.roles_label}) is not allowed to {action}.")


def check_user_name(name: str) -> str:
    if not isinstance(name, str) or not USER_NAME.match(name):
        raise ValueError(
            f"invalid user name {name!r}: use 1-64 letters, digits, '.', '-' or '_', "
            "starting with a letter or digit"
        )
    if name == LOCAL_USER_NAME:
        raise ValueError(f"the user name '{LOCAL_USER_NAME}' is reserved for single-user local mode")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password too short: use at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"password too long: use at most {MAX_PASSWORD_LENGTH} characters")
    return password


_hasher = PasswordHasher()  # argon2id, random salt per hash, the library's current cost parameters
# Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return _hasher.hash(check_password(password))


def verify_password(password_hash: str | None, password: str) -> tuple[bool, str | None]:
    """Check a password; return (ok, new_hash) where new_hash is set when the cost parameters
    changed since the hash was made, so the caller can store the stronger hash."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False, None
    try:
        _hasher.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False, None
    if password_hash is None:
        return False, None
    return True, (_hasher.hash(password) if _hasher.check_needs_rehash(password_hash) else None)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # any other host name may resolve to a public interface


def check_bind_allowed(host: str, share: bool, has_users: bool) -> None:
    """Without accounts anyone who can reach the app could read every transcript, so it must stay
    on this machine: no non-loopback address, no public share link."""
    if has_users:
        return
    if share:
        raise UnsafeBindError(
            "refusing to create a public share link: no user accounts exist, so anyone with the link "
            "could read every transcript. Add users first: interview-sim users add NAME --role ROLE"
        )
    if not is_loopback(host):
        raise UnsafeBindError(
            f"refusing to listen on {host!r}: no user accounts exist, so anyone on the network could "
            "read every transcript. Listen on 127.0.0.1, or add users first: "
            "interview-sim users add NAME --role ROLE"
        )
