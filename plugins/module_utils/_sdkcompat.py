# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The two generations of azure-mgmt-* models, seen as Azure's JSON.

For the modules that still call an azure-mgmt-* client (vnet_peering, vnet_peering_info: azure-mgmt-network); the
others read and write Azure's JSON through _arm.ArmResources and need none of this.

requirements.txt allows SDK ranges that span two code generators:

- msrest-style models (azure-mgmt-network 28, azure-mgmt-containerregistry 10.3 to 14, what
  azure.azcollection pins): attributes only. A model keeps only the fields its API version
  declares (Azure's ``remoteGateways`` of a peering, a registry's legacy ``virtualNetworkRules``
  are dropped when a response is read), ``as_dict()`` gives snake_case attribute names, and a dict
  body is passed through the model before it is sent, so an undeclared field is dropped from a
  write too - silently.
- TypeSpec models (azure-mgmt-network 33, azure-mgmt-containerregistry 15): mutable mappings over
  the JSON Azure sent, unknown fields kept, ``as_dict()`` is that JSON, a dict body is sent as is.

``wire()`` gives Azure's JSON of a model of either kind (for msrest models, the JSON of the response
it was read from when ``keep_wire`` was given as the read's ``cls``), and ``request_body()`` makes a
JSON body that both kinds send verbatim.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Optional

WIRE_ATTRIBUTE = "_privnet_wire"


def is_msrest(model_or_class: Any) -> bool:
    """True for a model (or model class) of the msrest generation: not a mapping, with an _attribute_map."""
    cls = model_or_class if isinstance(model_or_class, type) else type(model_or_class)
    return not issubclass(cls, Mapping) and hasattr(cls, "_attribute_map")


def wire(model: Any) -> dict:
    """Azure's JSON (camelCase keys, nested ``properties``) for an SDK model of either generation."""
    if model is None:
        return {}
    kept = getattr(model, WIRE_ATTRIBUTE, None) if is_msrest(model) else None
    if isinstance(kept, dict):
        return kept
    if is_msrest(model):
        return model.serialize(keep_readonly=True)
    return model.as_dict()


def _response_json(pipeline_response: Any) -> Any:
    try:
        return json.loads(pipeline_response.http_response.text())
    except (AttributeError, TypeError, ValueError):
        return None


def keep_wire(children: Optional[Mapping[str, tuple[str, ...]]] = None) -> Callable[[Any, Any, Any], Any]:
    """A ``cls=`` hook for an SDK read: returns the model as usual and, for an msrest model, keeps
    the response's JSON on it (and on its child models: ``children`` maps an attribute holding a
    list of models to the path of their JSON list in the response, matched by id), so that wire()
    sees what the model does not declare. TypeSpec models keep it themselves; nothing is added."""
    def hook(pipeline_response: Any, deserialized: Any, _headers: Any) -> Any:
        if deserialized is None or not is_msrest(deserialized):
            return deserialized
        raw = _response_json(pipeline_response)
        if not isinstance(raw, dict):
            return deserialized
        setattr(deserialized, WIRE_ATTRIBUTE, raw)
        for attribute, path in (children or {}).items():
            items: Any = raw
            for key in path:
                items = items.get(key) if isinstance(items, dict) else None
            by_id = {str(item.get("id") or "").lower(): item for item in items or [] if isinstance(item, dict)}
            for child in getattr(deserialized, attribute, None) or []:
                item = by_id.get(str(getattr(child, "id", None) or "").lower())
                if item is not None and is_msrest(child):
                    setattr(child, WIRE_ATTRIBUTE, item)
        return deserialized
    return hook


def read_kwargs(model_class: Optional[type], children: Optional[Mapping[str, tuple[str, ...]]] = None) -> dict:
    """``cls=keep_wire(...)`` when the installed SDK's models are msrest-style, else nothing (the
    call stays as it is with the current SDK)."""
    return {"cls": keep_wire(children)} if model_class is not None and is_msrest(model_class) else {}


def request_body(body: dict, model_class: Optional[type]) -> dict | bytes:
    """A JSON body that the SDK sends as given: the dict for TypeSpec models; for msrest models its
    JSON as bytes, which the SDK does not pass through its (field-dropping) serializer."""
    if model_class is not None and is_msrest(model_class):
        return json.dumps(body).encode("utf-8")
    return body


def sdk_model(package: str, name: str) -> Optional[type]:
    """The model class ``name`` of an installed SDK (``package`` e.g. "azure.mgmt.network"), or None."""
    try:
        return getattr(importlib.import_module(f"{package}.models"), name, None)
    except ImportError:  # AzureModule.client() reports the missing SDK
        return None
