"""Who may fetch each file the app hands out, and who may upload one.

Gradio serves every file a handler returns at a `/file=` URL to anyone signed in who has the URL. A
transcript is an assessment record, so each file is granted when it is made: to the trainee whose
session it is and to reviewers, CSV exports to reviewers, persona cards to instructors. A middleware
checks the grant on every file request; files the app did not hand out (uploads, anything else in
Gradio's cache) are refused to everyone. Gradio also takes uploads from anyone signed in, while the
app's only upload is the studio's card import: uploads are refused to all but instructors.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import PlainTextResponse

from simulator.auth import LOCAL_USER, User, can_edit_personas

FILE_ROUTE_MARKERS = ("/file=", "/file/")
UPLOAD_ROUTE = "/upload"

Grant = Callable[[User], bool]


class Downloads:
    """File names handed out, each with who may fetch it. Names are unique per record (they carry the
    session id or a time stamp), and Gradio keeps the name when it copies a file into its cache."""

    def __init__(self) -> None:
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def grant(self, paths: Iterable[Path], may_fetch: Grant) -> None:
        with self._lock:
            for path in paths:
                self._grants[Path(path).name] = may_fetch

    def may_fetch(self, name: str, user: User | None) -> bool:
        with self._lock:
            grant = self._grants.get(name)
        return grant is not None and user is not None and grant(user)


def requested_file(path: str) -> str | None:
    """The file name a `/file=...` request asks for, or None for any other route."""
    for marker in FILE_ROUTE_MARKERS:
        if marker in path:
            return Path(unquote(path.split(marker, 1)[1])).name
    return None


class DownloadGuard:
    """ASGI middleware: a file request is served only to a user its grant admits."""

    def __init__(self, app, downloads: Downloads, resolve_user: Callable[[str | None], User | None]):
        self.app = app
        self.downloads = downloads
        self.resolve_user = resolve_user

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        name = requested_file(path)
        if name is not None and not self.downloads.may_fetch(name, self.resolve_user(signed_in_name(scope))):
            await PlainTextResponse("Not found.", status_code=404)(scope, receive, send)
            return
        if path.rstrip("/").endswith(UPLOAD_ROUTE) and scope.get("method") == "POST":
            user = self.resolve_user(signed_in_name(scope))
            if user is None or not can_edit_personas(user):
                await PlainTextResponse("Uploads are for instructors' card imports only.",
                                        status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def signed_in_name(scope) -> str | None:
    """The account name behind Gradio's sign-in cookie (Gradio keeps the tokens on its app object)."""
    gradio_app = scope.get("app")
    tokens, cookie_id = getattr(gradio_app, "tokens", None), getattr(gradio_app, "cookie_id", None)
    if not tokens or cookie_id is None:
        return None
    cookies = Request(scope).cookies
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    return tokens.get(token) if token else None


def user_resolver(single_user: bool, lookup: Callable[[str], User | None]):
    """Name from the cookie -> User: everyone is `local` in single-user mode, else an enabled account."""
    def resolve(name: str | None) -> User | None:
        if single_user:
            return LOCAL_USER
        return lookup(name) if name else None
    return resolve
