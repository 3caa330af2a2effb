# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Azure Resource Manager resource ids: parse, build, compare.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name


@dataclass(frozen=True)
class ResourceId:
    """A parsed ARM id such as
    /subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/V/subnets/SN
    -> subscription=S, resource_group=RG, provider=Microsoft.Network, type=virtualNetworks,
    name=V, children=(("subnets", "SN"),).
    """

    subscription: str
    resource_group: str
    provider: str
    type: str
    name: str
    children: tuple[tuple[str, str], ...] = ()

    @property
    def full_type(self) -> str:
        """e.g. Microsoft.Network/virtualNetworks/subnets."""
        return "/".join([self.provider, self.type] + [t for t, _n in self.children])

    @property
    def leaf_name(self) -> str:
        """Name of the innermost resource (the subnet for a subnet id)."""
        return self.children[-1][1] if self.children else self.name

    @property
    def parent(self) -> "ResourceId":
        """The id one level up; a top-level resource has no parent."""
        if not self.children:
            raise ValueError(f"{self} is a top-level resource and has no parent")
        return ResourceId(self.subscription, self.resource_group, self.provider, self.type, self.name,
                          self.children[:-1])

    def child(self, child_type: str, child_name: str) -> "ResourceId":
        return ResourceId(self.subscription, self.resource_group, self.provider, self.type, self.name,
                          self.children + ((child_type, child_name),))

    def __str__(self) -> str:
        return build_resource_id(self.subscription, self.resource_group, self.provider, self.type, self.name,
                                 *self.children)


def build_resource_id(subscription: str, resource_group: str, provider: str, type_: str, name: str,
                      *children: tuple[str, str]) -> str:
    """Build an ARM id; each child is a ``(type, name)`` pair."""
    parts = ["", "subscriptions", subscription, "resourceGroups", resource_group, "providers", provider, type_, name]
    for child_type, child_name in children:
        parts += [child_type, child_name]
    return "/".join(parts)


def parse_resource_id(value: str | None, option: str = "id") -> ResourceId:
    """Parse an ARM id of a resource inside a resource group.

    Raises ValueError naming ``option`` when ``value`` is not such an id.
    """
    segments = (value or "").strip().strip("/").split("/")
    expected = ("/subscriptions/<subscription>/resourceGroups/<group>/providers/<Namespace>/<type>/<name>"
                "[/<child type>/<child name>...]")
    if (len(segments) < 8 or len(segments) % 2 != 0 or not all(segments)
            or segments[0].lower() != "subscriptions" or segments[2].lower() != "resourcegroups"
            or segments[4].lower() != "providers"):
        raise ValueError(f"{option}: {value!r} is not an Azure resource id; expected {expected}")
    rest = segments[8:]
    children = tuple((rest[i], rest[i + 1]) for i in range(0, len(rest), 2))
    return ResourceId(segments[1], segments[3], segments[5], segments[6], segments[7], children)


def is_resource_id(value: Any) -> bool:
    """True for a value written as a full ARM id (it starts with "/"), False for a bare name or nothing."""
    return isinstance(value, str) and value.startswith("/")


def resolve_resource_id(value: str | None, *, option: str, subscription: str | Callable[[], str] | None,
                        resource_group: str | None, provider: str, type_: str,
                        name_kind: str | None = None) -> ResourceId:
    """Accept either a full id or a bare name; a name is completed with the given defaults.

    This is how options like ``virtual_network`` take "name in this resource group" or a full id
    in any subscription: the one place that tells the two apart. A full id must be of the expected
    type; a bare name must follow Azure's naming rule for ``name_kind`` (a _validate.NAME_RULES key)
    when one is given. ``subscription`` may be a function giving it, called only for a bare name (a
    full id carries its own). Raises ValueError naming ``option``.
    """
    if is_resource_id(value):
        rid = parse_resource_id(value, option)
        if rid.children or rid.full_type.lower() != f"{provider}/{type_}".lower():
            raise ValueError(f"{option}: {value!r} is a {rid.full_type} id; expected a {provider}/{type_} "
                             "id or a name")
        return rid
    if not value:
        raise ValueError(f"{option}: a name or a {provider}/{type_} id is required")
    if name_kind is not None:
        valid_name(name_kind, value, option)
    if not resource_group:
        raise ValueError(f"{option}: {value!r} is a bare name, so resource_group is required (or give a full id)")
    default = subscription() if callable(subscription) else subscription
    if not default:
        raise ValueError(f"{option}: {value!r} is a bare name, so a subscription is required (or give a full id)")
    return ResourceId(default, resource_group, provider, type_, value)


def same_id(a: Any, b: Any) -> bool:
    """ARM ids are case-insensitive; compare them so, ignoring a trailing slash."""
    if a is None or b is None:
        return a is b
    return str(a).rstrip("/").lower() == str(b).rstrip("/").lower()
