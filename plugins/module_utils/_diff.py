# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Desired-vs-current comparison (for changed, check mode and --diff) and SDK model to dict.

Only the fields the user set are compared: an option left out means "leave it as it is",
never "reset it to a default".

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict


def text(value):
    """The wire value of an SDK enum (a str subclass whose str() is "Class.MEMBER"); other values unchanged."""
    return value.value if isinstance(value, Enum) else value


def ci(value):
    """Normaliser for case-insensitive values (enums, resource ids): lower-cases strings,
    recursively, and ignores a trailing slash on ids."""
    if isinstance(value, str):
        return value.rstrip("/").lower() if value.startswith("/") else value.lower()
    if isinstance(value, (list, tuple)):
        return [ci(v) for v in value]
    if isinstance(value, dict):
        return {k: ci(v) for k, v in value.items()}
    return value


def unordered(normaliser=None):
    """Normaliser factory for lists whose order does not matter (compared as sorted lists)."""
    def _normalise(value):
        items = [normaliser(v) if normaliser else v for v in (value or [])]
        return sorted(items, key=repr)
    return _normalise


@dataclass
class Difference:
    """Result of compare(): which user-set fields differ, and before/after of the user-set fields."""

    changed_keys: list = field(default_factory=list)
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.changed_keys)

    def as_diff(self) -> dict:
        return {"before": self.before, "after": self.after}


def compare(desired, current, normalisers=None) -> Difference:
    """Compare ``desired`` (only fields the user set; None values are ignored) with ``current``
    (a dict, or None when the resource does not exist yet).

    ``normalisers`` maps a field to a function applied to both sides before comparing,
    e.g. ``{"private_endpoint_network_policies": ci}``.
    """
    normalisers = normalisers or {}
    current = current or {}
    result = Difference()
    for key in sorted(desired):
        want = desired[key]
        if want is None:
            continue
        have = current.get(key)
        norm = normalisers.get(key, _identity)
        result.before[key] = have
        result.after[key] = want
        if norm(want) != norm(have):
            result.changed_keys.append(key)
    return result


def _identity(value):
    return value


def as_dict(model, ignore=("tags",)):
    """Turn an SDK model (or a list of them) into plain snake_case dicts for return values.

    New (TypeSpec) SDK models serialise to the wire form with a ``properties`` envelope;
    older (msrest) ones to flat snake_case. Both come out flat and snake_case here. Keys
    under ``ignore`` (user data such as tags) keep their spelling.
    """
    if model is None:
        return None
    if isinstance(model, (list, tuple)):
        return [as_dict(m, ignore) for m in model]
    raw = model.as_dict() if hasattr(model, "as_dict") else dict(model)
    return camel_dict_to_snake_dict(_flatten(raw, ignore), ignore_list=list(ignore))


def _flatten(value, ignore):
    """Lift every nested ``properties`` envelope into its parent, as the SDK attributes do."""
    if isinstance(value, list):
        return [_flatten(v, ignore) for v in value]
    if not isinstance(value, dict):
        return value
    flat = {k: (v if k in ignore else _flatten(v, ignore)) for k, v in value.items() if k != "properties"}
    props = value.get("properties")
    if isinstance(props, dict):
        for k, v in _flatten(props, ignore).items():
            flat.setdefault(k, v)
    return flat
