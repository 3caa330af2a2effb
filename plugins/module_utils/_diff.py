# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one difference API of the collection: what a task would change, for ``changed``, check mode and --diff.

A module records each field it manages with ``Difference.add`` (or ``compare`` for a dict of user-set fields,
or ``merge`` for a part computed elsewhere, e.g. one side of a peering) and asks ``has_difference_for`` /
``changed``; ``as_diff`` is the before/after Ansible shows. Only the fields the user set are recorded: an option
left out means "leave it as it is", never "reset it to a default".

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional

Normaliser = Callable[[Any], Any]


class _Absent:
    """A side of a field that does not exist (a record set to be created has no "before"): left out of the diff."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


def ci(value: Any) -> Any:
    """Normaliser for case-insensitive values (enums, resource ids): lower-cases strings,
    recursively, and ignores a trailing slash on ids."""
    if isinstance(value, str):
        return value.rstrip("/").lower() if value.startswith("/") else value.lower()
    if isinstance(value, (list, tuple)):
        return [ci(v) for v in value]
    if isinstance(value, dict):
        return {k: ci(v) for k, v in value.items()}
    return value


def unordered(normaliser: Optional[Normaliser] = None) -> Normaliser:
    """Normaliser factory for lists whose order does not matter (compared as sorted lists)."""
    def _normalise(value: Any) -> list:
        items = [normaliser(v) if normaliser else v for v in (value or [])]
        return sorted(items, key=repr)
    return _normalise


def _identity(value: Any) -> Any:
    return value


@dataclass
class Difference:
    """Before/after of the fields a task manages, and which of them differ.

    Read ``changed_keys``, ``before`` and ``after``; write only through ``add`` and ``merge``."""

    changed_keys: list = field(default_factory=list)
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)

    def add(self, key: str, before: Any, after: Any, normaliser: Optional[Normaliser] = None,
            changed: Optional[bool] = None) -> bool:
        """Record ``key``; it differs when the normalised values differ, or as ``changed`` says when given
        (for a difference the values alone do not show, e.g. a failed resource that a write repairs). A side
        given as ABSENT (the thing does not exist on that side) is left out of that side of the diff.
        Returns whether it differs."""
        norm = normaliser or _identity
        if changed is None:
            changed = before is ABSENT or after is ABSENT or norm(before) != norm(after)
        differs = bool(changed) and not (before is ABSENT and after is ABSENT)
        for side, value in ((self.before, before), (self.after, after)):
            if value is ABSENT:
                side.pop(key, None)
            else:
                side[key] = value
        if differs and key not in self.changed_keys:
            self.changed_keys.append(key)
        elif not differs and key in self.changed_keys:
            self.changed_keys.remove(key)
        return differs

    def merge(self, other: "Difference", prefix: Optional[str] = None) -> "Difference":
        """Take in another Difference's fields, nested under ``prefix`` when given (one key holding its
        before/after, changed when any of its fields is)."""
        if prefix is None:
            for key in dict.fromkeys(list(other.before) + list(other.after)):
                self.add(key, other.before.get(key, ABSENT), other.after.get(key, ABSENT),
                         changed=other.has_difference_for(key))
        else:
            self.add(prefix, dict(other.before), dict(other.after), changed=other.changed)
        return self

    def has_difference_for(self, key: str) -> bool:
        return key in self.changed_keys

    def only(self, keys: Iterable[str]) -> "Difference":
        """A Difference of just these fields (e.g. the immutable ones a task cannot change in place)."""
        part = Difference()
        for key in keys:
            if key in self.before or key in self.after:
                part.add(key, self.before.get(key, ABSENT), self.after.get(key, ABSENT),
                         changed=self.has_difference_for(key))
        return part

    @property
    def changed(self) -> bool:
        return bool(self.changed_keys)

    def as_diff(self) -> dict:
        return {"before": self.before, "after": self.after}


def compare(desired: Mapping, current: Optional[Mapping], normalisers: Optional[Mapping] = None) -> Difference:
    """Compare ``desired`` (only fields the user set; None values are ignored) with ``current``
    (a dict, or None when the resource does not exist yet).

    ``normalisers`` maps a field to a function applied to both sides before comparing,
    e.g. ``{"private_endpoint_network_policies": ci}``.
    """
    normalisers = normalisers or {}
    current = current or {}
    result = Difference()
    for key in sorted(desired):
        if desired[key] is None:
            continue
        result.add(key, current.get(key), desired[key], normalisers.get(key))
    return result
