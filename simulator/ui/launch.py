"""Start the app: refuse unsafe binds, size the queue, sign users in, keep everything on this machine."""

from __future__ import annotations

import gradio as gr
from starlette.middleware import Middleware

from simulator.auth import check_bind_allowed
from simulator.services import Services
from simulator.settings import Settings
from simulator.ui.blocks import CSS, build_app
from simulator.ui.downloads import DownloadGuard, user_resolver
from simulator.ui.handlers import account_user
from simulator.ui.signin import ClientAddress, authenticator

MAX_UPLOAD = "2mb"  # persona cards; nothing else is uploaded
AUTH_MESSAGE = ("Sign in with the account your instructor gave you. After five wrong passwords in a row "
                "the account is locked for a while, longer after each further attempt.")
# FastAPI's own schema would list the server's routes to anyone, signed in or not; Gradio already
# turns off /docs and /redoc.
APP_KWARGS = {"openapi_url": None}


def launch(settings: Settings, services: Services | None = None, *, block: bool = True) -> gr.Blocks:
    """Build and serve the app. With `block=False` it returns at once: the running Blocks has
    `local_url` and `close()`."""
    services = services or Services(settings)
    store = services.store()
    has_users = store.has_users()
    check_bind_allowed(settings.host, settings.share, has_users)
    single_user = services.single_user()  # decided now, from the accounts at start; never at runtime
    app = build_app(services)
    app.queue(default_concurrency_limit=settings.max_concurrency)
    app.launch(
        server_name=settings.host, server_port=settings.port, share=settings.share,
        auth=None if single_user else authenticator(store), auth_message=AUTH_MESSAGE,
        app_kwargs={**APP_KWARGS, "middleware": [
            Middleware(ClientAddress),
            Middleware(DownloadGuard, downloads=services.downloads,
                       resolve_user=user_resolver(single_user, lambda name: account_user(store, name))),
        ]},
        prevent_thread_lock=not block, show_error=False, quiet=not block,
        footer_links=[], run_history=False, enable_monitoring=False, mcp_server=False, pwa=False,
        ssr_mode=False, max_file_size=MAX_UPLOAD, css=CSS,
    )
    return app
