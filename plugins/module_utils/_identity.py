# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""azure-identity's credential classes, each built (and azure-identity imported) when it is first used.

A module run whose tokens come from the token broker (_token_broker) never uses its own credential, yet importing
azure-identity (with msal and cryptography) cost it a tenth to a fifth of its CPU. Each name here
takes the arguments of the azure-identity class of the same name and returns a DeferredCredential: the real
credential is built on the first use of any of its attributes (``get_token`` in the broker's daemon, or in a run
without a broker), once. A credential that cannot be built (an invalid tenant id, an unreadable certificate) raises
ClientAuthenticationError at that point, naming the cause as AzureModule.credential did.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any, Optional

try:
    HAS_AZURE_IDENTITY = importlib.util.find_spec("azure.identity") is not None
except ImportError:  # no azure namespace package at all
    HAS_AZURE_IDENTITY = False


class DeferredCredential:
    """An azure-identity credential, built on first use from the class name and arguments it was given."""

    def __init__(self, class_name: str, args: tuple, kwargs: dict) -> None:
        self._class_name = class_name
        self._args = args
        self._kwargs = kwargs
        self._credential: Optional[Any] = None

    def built(self) -> Any:
        """The azure-identity credential, built now if it was not yet."""
        if self._credential is None:
            identity = importlib.import_module("azure.identity")
            try:
                self._credential = getattr(identity, self._class_name)(*self._args, **self._kwargs)
            except (ValueError, OSError) as exc:
                from azure.core.exceptions import ClientAuthenticationError
                raise ClientAuthenticationError(message=f"cannot set up Azure credentials: {exc}") from exc
        return self._credential

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        return self.built().get_token(*scopes, **kwargs)

    def __getattr__(self, name: str) -> Any:
        # Only for what this class does not define (get_token_info, close, ...): a private name is not looked
        # up in the credential (copy and pickle probe some before __init__ ran).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.built(), name)

    def __repr__(self) -> str:
        return f"DeferredCredential({self._class_name})"


def _deferred(class_name: str) -> Any:
    def build(*args: Any, **kwargs: Any) -> DeferredCredential:
        return DeferredCredential(class_name, args, kwargs)
    build.__name__ = class_name
    return build


AzureCliCredential = _deferred("AzureCliCredential")
CertificateCredential = _deferred("CertificateCredential")
ChainedTokenCredential = _deferred("ChainedTokenCredential")
ClientSecretCredential = _deferred("ClientSecretCredential")
ManagedIdentityCredential = _deferred("ManagedIdentityCredential")
UsernamePasswordCredential = _deferred("UsernamePasswordCredential")
WorkloadIdentityCredential = _deferred("WorkloadIdentityCredential")
