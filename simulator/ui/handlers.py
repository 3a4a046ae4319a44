"""What every tab's handlers share: who is asking, decided on the server for each request.

Hiding a button is not access control: every handler resolves the user from the request and checks
`simulator.auth` before it reads or changes anything.
"""

from __future__ import annotations

import gradio as gr

from simulator.auth import LOCAL_USER, PermissionDenied, User
from simulator.services import Services
from simulator.storage import Store

MAX_MESSAGE_CHARS = 2000


def current_user(services: Services, request: gr.Request | None) -> User:
    """The signed-in user; the all-roles local user only in single-user mode, fixed at start."""
    if services.single_user():
        return LOCAL_USER
    name = getattr(request, "username", None) if request is not None else None
    if not name:
        raise PermissionDenied("Sign in first: this app has user accounts.")
    user = account_user(services.store(), name)
    if user is None:
        raise PermissionDenied(f"The account '{name}' does not exist or is disabled.")
    return user


def account_user(store: Store, name: str) -> User | None:
    """The enabled account of that name, as a User; None when there is none."""
    record = store.get_user(name)
    return None if record is None or record.disabled else User.with_role(record.name, record.role)


def check_message(text: str) -> str:
    """An officer message worth sending: not blank, not a pasted document."""
    text = (text or "").strip()
    if not text:
        raise ValueError("Type a message first.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValueError(f"That message is {len(text)} characters; keep it under {MAX_MESSAGE_CHARS}.")
    return text
