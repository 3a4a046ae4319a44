"""Registries keyed by name, loaded from a folder of YAML files.

A bad file never stops the others from loading: it is kept in `errors` for the studio and CLI to show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Generic, TypeVar

from simulator.datafiles import DataFileError, check_id

T = TypeVar("T")


class UnknownNameError(KeyError):
    def __init__(self, kind: str, name: str, available: list[str]):
        self.kind, self.name, self.available = kind, name, available
        super().__init__(name)

    def __str__(self) -> str:
        listing = ", ".join(self.available) if self.available else "none"
        return f"Unknown {self.kind} '{self.name}'. Available: {listing}"


class Registry(Generic[T]):
    def __init__(self, kind: str, items: dict[str, T] | None = None, errors: dict[str, str] | None = None):
        self.kind = kind
        self._items: dict[str, T] = dict(items or {})
        self.errors: dict[str, str] = dict(errors or {})

    @classmethod
    def from_folder(
        cls, kind: str, folder: Path, loader: Callable[[Path], T], id_of: Callable[[T], str],
        pattern: str = "*.yaml",
    ) -> Registry[T]:
        registry = cls(kind)
        for path in sorted(Path(folder).glob(pattern)):
            try:
                item = loader(path)
            except DataFileError as exc:
                registry.errors[str(path)] = str(exc)
                continue
            key = id_of(item)
            if key in registry._items:
                registry.errors[str(path)] = f"{path}: field 'id': duplicate {kind} id '{key}'"
                continue
            registry._items[key] = item
        return registry

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except (KeyError, TypeError):
            raise UnknownNameError(self.kind, str(name), self.names()) from None

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(self._items[name] for name in self.names())

    def __len__(self) -> int:
        return len(self._items)


def path_for_id(folder: Path, item_id: str, kind: str, suffix: str = ".yaml") -> Path:
    """The file for a user-supplied id, guaranteed to lie inside `folder`."""
    check_id(item_id, f"{kind} id")
    folder = Path(folder).resolve()
    path = (folder / f"{item_id}{suffix}").resolve()
    if path.parent != folder:
        raise ValueError(f"{kind} id {item_id!r} points outside {folder}")
    return path
