"""What every app handler shares: registries, models and the store, loaded once on first use.

Only read-only registries and thread-safe models are shared between users; each interview keeps its
own state. Loading is lazy so the page opens before the models are in memory, and a bad persona file
is kept in `personas().errors` for the studio rather than stopping the app.
"""

from __future__ import annotations

import threading

from simulator.auth import is_loopback
from simulator.embeddings import Embedder
from simulator.head_training import head_for
from simulator.llm.base import ChatModel
from simulator.personas import Persona, load_personas
from simulator.registry import Registry
from simulator.rubric import Rubric, load_rubrics
from simulator.scoring import Scorer
from simulator.settings import Settings
from simulator.storage import Store
from simulator.ui.downloads import Downloads


class Services:
    def __init__(self, settings: Settings, *, chat_model: ChatModel | None = None,
                 embedder: Embedder | None = None, store: Store | None = None):
        self.settings = settings
        self._chat_model = chat_model
        self._embedder = embedder
        self._store = store
        self._personas: Registry[Persona] | None = None
        self._rubrics: Registry[Rubric] | None = None
        self._scorers: dict[tuple[str, str], Scorer] = {}
        self._single_user: bool | None = None
        self.downloads = Downloads()  # files handed out, and who may fetch each
        self._lock = threading.RLock()

    def single_user(self) -> bool:
        """Single-user local mode (everyone is the all-roles user `local`), decided once: from the
        accounts that exist when the app starts, and never on a server bound beyond loopback. Deciding
        it per request would hand every role to any open page once the last account is removed."""
        with self._lock:
            if self._single_user is None:
                settings = self.settings
                self._single_user = (is_loopback(settings.host) and not settings.share
                                     and not self.store().has_users())
            return self._single_user

    def personas(self) -> Registry[Persona]:
        with self._lock:
            if self._personas is None:
                self._personas = load_personas(self.settings.personas_dir)
            return self._personas

    def reload_personas(self) -> Registry[Persona]:
        """Called after a studio edit; running interviews keep the Persona object they started with."""
        with self._lock:
            self._personas = load_personas(self.settings.personas_dir)
            return self._personas

    def rubrics(self) -> Registry[Rubric]:
        with self._lock:
            if self._rubrics is None:
                self._rubrics = load_rubrics(self.settings.rubrics_dir)
            return self._rubrics

    def reload_rubrics(self) -> Registry[Rubric]:
        with self._lock:
            self._rubrics = load_rubrics(self.settings.rubrics_dir)
            return self._rubrics

    def rubric(self, rubric_id: str | None = None) -> Rubric:
        return self.rubrics().get(rubric_id or self.settings.rubric)

    def scorer(self, rubric: Rubric | None = None) -> Scorer:
        """One scorer per rubric version (id and content hash), so an edited rubric gets a fresh one."""
        rubric = rubric or self.rubric()
        key = (rubric.id, rubric.content_hash())
        with self._lock:
            if key not in self._scorers:
                embedder = self.embedder()
                head = head_for(rubric, embedder, self.settings.rubrics_dir, self.settings.cache_dir)
                self._scorers[key] = Scorer(rubric, embedder, head)
            return self._scorers[key]

    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                from simulator.models import load_embedder

                self._embedder = load_embedder(self.settings)
            return self._embedder

    def chat_model(self) -> ChatModel:
        with self._lock:
            if self._chat_model is None:
                from simulator.models import load_chat_model

                self._chat_model = load_chat_model(self.settings)
            return self._chat_model

    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self.settings.data_dir.mkdir(parents=True, exist_ok=True)
                self._store = Store(self.settings.resolved_database_url)
            return self._store
