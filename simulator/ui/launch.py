"""Start the app: refuse unsafe binds, size the queue, sign users in, keep everything on this machine."""

from __future__ import annotations

import gradio as gr

from simulator.auth import check_bind_allowed
from simulator.services import Services
from simulator.settings import Settings
from simulator.storage import Store
from simulator.ui.blocks import CSS, build_app

MAX_UPLOAD = "2mb"  # persona cards; nothing else is uploaded


def authenticator(store: Store):
    """Gradio's login check, backed by the user table (argon2 hashes, every attempt audited)."""
    def check(name: str, password: str) -> bool:
        return store.authenticate(name, password) is not None
    return check


def launch(settings: Settings, services: Services | None = None, *, block: bool = True) -> gr.Blocks:
    """Build and serve the app. With `block=False` it returns at once: the running Blocks has
    `local_url` and `close()`."""
    services = services or Services(settings)
    store = services.store()
    has_users = store.has_users()
    check_bind_allowed(settings.host, settings.share, has_users)
    app = build_app(services)
    app.queue(default_concurrency_limit=settings.max_concurrency)
    app.launch(
        server_name=settings.host, server_port=settings.port, share=settings.share,
        auth=authenticator(store) if has_users else None,
        auth_message="Sign in with the account your instructor gave you.",
        prevent_thread_lock=not block, show_error=False, quiet=not block,
        footer_links=[], run_history=False, enable_monitoring=False, mcp_server=False, pwa=False,
        ssr_mode=False, max_file_size=MAX_UPLOAD, css=CSS,
    )
    return app
