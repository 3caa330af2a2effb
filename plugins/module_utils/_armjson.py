# -*- coding: utf-8 -*-
# Copyright: privnet.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure Resource Manager's JSON: the api-versions the collection sends for Azure's own types, and the helpers that
read and copy a resource as ARM answers it.

Nothing here imports an Azure SDK: the filter plugins use these on the controller, where ansible-core loads every
filter file of the collection in each worker process that templates one of them, so what they import is paid per
task and host (bench/README.md). ``_arm`` sends the requests.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Optional

# The api-versions of Azure's own types that this collection reads and writes through ArmResources rather than an
# azure-mgmt-* client (importing those clients is most of a module run's CPU: azure-mgmt-network alone is a 6 MB
# module). Each is the version the SDK release of constraints-dev.txt sends, so the requests are the ones the SDK
# clients made, and the emulator's contract tables are held to these same versions (emulator/privnet_emulator/
# contract/versions.py).
NETWORK_API = "2026-03-01"  # Microsoft.Network (NRP): azure-mgmt-network 33.1.0
PRIVATE_DNS_API = "2024-06-01"  # Microsoft.Network/privateDnsZones: azure-mgmt-privatedns 2.0.0 (and 1.2.0)
CONTAINER_REGISTRY_API = "2025-11-01"  # Microsoft.ContainerRegistry: azure-mgmt-containerregistry 15.0.0


def properties(resource: Any) -> dict:
    """A resource's ``properties`` object ({} when it has none, or for None)."""
    value = resource.get("properties") if isinstance(resource, Mapping) else None
    return value if isinstance(value, dict) else {}


def ref(value: Any) -> Optional[str]:
    """The id of a reference to another resource (``{"id": ...}``), or None."""
    return value.get("id") if isinstance(value, Mapping) else None


def writable(resource: Mapping, read_only: Iterable[str] = (), read_only_properties: Iterable[str] = ()) -> dict:
    """A copy of ``resource`` (as read) to send back in a PUT: without the top-level members ``read_only`` and
    the ``properties`` members ``read_only_properties``, which Azure sets and ignores in a request (what an SDK
    model leaves out when it serializes; the lists are the readOnly members of Microsoft's OpenAPI files)."""
    body = {k: v for k, v in json.loads(json.dumps(resource)).items() if k not in set(read_only)}
    if isinstance(body.get("properties"), dict):
        body["properties"] = {k: v for k, v in body["properties"].items() if k not in set(read_only_properties)}
    return body
