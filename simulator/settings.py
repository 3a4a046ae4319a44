"""One settings object for the app, CLI and tests.

Precedence: explicit CLI flags > `INTERVIEW_SIM_*` environment variables > defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "INTERVIEW_SIM_"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    chat_model: str = "smollm2-135m-instruct"
    # Who words a reply that tells no fact (EngineParams.voice): "authored" lines won the blind review on
    # held-out personas (bench/RESULTS.md, Realism); "planned" or "actor" let the chat model word the plan.
    voice: Literal["authored", "planned", "actor", "prompt"] = "authored"
    embedder: str = "all-minilm-l6-v2"
    device: str = "auto"  # auto | cpu | cuda | cuda:N | mps
    # How the embedder runs on CPU: "auto" takes ONNX Runtime where installed (same vectors, ~2x faster on
    # short texts; simulator.onnx_embedder), "torch" keeps sentence-transformers.
    embedder_runtime: Literal["auto", "onnx", "torch"] = "auto"
    personas_dir: Path = REPO_ROOT / "personas"
    rubrics_dir: Path = REPO_ROOT / "rubrics"
    rubric: str = "default"
    models_dir: Path = REPO_ROOT / "models"
    cache_dir: Path = REPO_ROOT / "models" / "cache"
    data_dir: Path = REPO_ROOT / "data"
    database_url: str = ""  # empty: sqlite file in data_dir
    host: str = "127.0.0.1"
    port: int = 7860
    share: bool = False
    show_gauges: bool = False  # instructor setting: show trust/fear gauges to trainees
    max_concurrency: int = 8

    @property
    def manifest_path(self) -> Path:
        return self.models_dir / "manifest.yaml"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'interview-sim.db'}"

    @classmethod
    def load(cls, overrides: dict | None = None, environ: dict | None = None) -> Settings:
        """Build settings from the environment, then apply non-None overrides (CLI flags)."""
        environ = os.environ if environ is None else environ
        values: dict = {}
        for name in cls.model_fields:
            raw = environ.get(ENV_PREFIX + name.upper())
            if raw is not None:
                values[name] = _parse_bool(raw) if cls.model_fields[name].annotation is bool else raw
        values.update({k: v for k, v in (overrides or {}).items() if v is not None})
        return cls(**values)


def _parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected a boolean (true/false), got {raw!r}")
