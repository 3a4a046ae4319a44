"""Reviewer overrides: which labels may be corrected, with what values, and the labels that result.

The scorer's assessment is never changed; the effective labels are the original with the latest
override of each field applied on top.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from typing import Any

from simulator.labels import FLAGS, QUESTION_TYPES, TONES
from simulator.storage.records import OverrideRecord

FIELD_PATH = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")


def apply_overrides(original: dict[str, Any], overrides: Sequence[OverrideRecord]) -> dict[str, Any]:
    """Original labels plus, per field, the latest override (overrides arrive oldest first)."""
    effective = copy.deepcopy(original)
    for override in overrides:
        *parents, leaf = override.field.split(".")
        node = effective
        for key in parents:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[leaf] = override.new_value
    return effective


def value_at(data: dict[str, Any], field: str) -> Any:
    """The value at a dotted field path, or None where the path does not exist."""
    node: Any = data
    for key in field.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def check_turn_override(field: str, value: Any) -> Any:
    """Validate an override of a turn's labels against the label vocabulary; return the value to store."""
    _check_path(field)
    if field == "question_type":
        _check_choice(field, value, QUESTION_TYPES)
    elif field == "tone":
        _check_choice(field, value, TONES)
    elif field == "recommended":
        if not isinstance(value, bool):
            raise ValueError(f"recommended must be true or false, got {value!r}")
    elif field == "flags":
        if not isinstance(value, list) or any(flag not in FLAGS for flag in value):
            raise ValueError(f"flags must be a list drawn from: {', '.join(FLAGS)}; got {value!r}")
    elif field.startswith("criteria.") and field.count(".") == 1:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{field} must be a number, got {value!r}")
        value = float(value)
    else:
        raise ValueError(
            f"cannot override {field!r}; choose question_type, tone, recommended, flags or criteria.NAME"
        )
    return value


def check_session_override(field: str, value: Any) -> Any:
    """Validate an override of a field of the session summary (any JSON value)."""
    _check_path(field)
    try:
        json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the new value of {field} is not JSON data: {exc}") from exc
    return value


def _check_path(field: str) -> None:
    if not FIELD_PATH.match(field):
        raise ValueError(f"invalid field {field!r}: use lowercase names joined by dots, e.g. criteria.open")


def _check_choice(field: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{field} must be one of {', '.join(choices)}; got {value!r}")
