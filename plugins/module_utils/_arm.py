# -*- coding: utf-8 -*-
# Copyright: privnet.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generic Azure Resource Manager requests: Azure's JSON (as Microsoft's OpenAPI files spell it) at an explicit
api-version, for every module but the peering ones (AzureModule.arm()).

A Private Link target can be any of dozens of services (Storage, Key Vault, SQL, Cosmos DB, ...); their
private endpoint connections, private link resources and network rules have the same ARM shapes, so one generic
client serves them, at the api-version the caller names (the table in ``_targets``). This is the approach of
azure-cli's ``az network private-endpoint-connection`` and of azure.azcollection's ``azure_rm_resource``. Subnets,
private endpoints, Private DNS and registries go the same way (the api-versions in ``_armjson``):
their azure-mgmt-* clients cost more CPU to import than the rest of a module run.

The pipeline is azure-mgmt-core's ARMPipelineClient with the same policies the SDK clients get (bearer token with
ARM's challenge handling, auxiliary tenants, azure-core's retries of 408/429/5xx honouring Retry-After, TLS
verified, the collection's user agent); retries of ARM conflicts, waits and error reports are the module's.

Long-running operations follow ARM's asynchronous operations contract (Microsoft Learn,
azure-resource-manager/management/async-operations.md), as azure-mgmt-core's ARMPolling reads it: an answer with
``Azure-AsyncOperation`` is polled until its ``status`` is Succeeded, Failed or Canceled (whatever the first status
code: Key Vault answers a connection's PUT with 200 and the header); a 201 or 202 with only ``Location`` is polled
until that URL stops answering 202; a PUT or PATCH answered 200 or 201 with neither header, whose body's
``provisioningState`` is not final yet (a new key vault answers ``RegisteringDns``), is read again until it is;
``Retry-After`` sets the interval. After a PUT or PATCH the resource is read again for its final state.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, Callable, Optional

from ansible_collections.privnet.azure.plugins.module_utils._azure import POLLING_INTERVAL, USER_AGENT

try:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
    from azure.core.rest import HttpRequest
    from azure.mgmt.core.exceptions import ARMErrorFormat
except ImportError:  # AzureModule reports the missing library
    pass

TERMINAL_STATUSES = ("succeeded", "failed", "canceled", "cancelled")


class Operation:
    """A started ARM long-running operation, with the poller interface AzureModule.begin waits on."""

    def __init__(self, arm: "ArmResources", response: Any, final: Optional[Callable[[], Any]]) -> None:
        self._arm = arm
        self._async: Optional[str] = response.headers.get("Azure-AsyncOperation")
        self._location: Optional[str] = (response.headers.get("Location")
                                         if response.status_code in (201, 202) else None)
        self._retry_after = _retry_after(response)
        self._final = final
        body = _json(response)
        # No operation to poll, but a write whose resource is still being provisioned: poll the resource itself.
        self._body_polling = (final is not None and not (self._async or self._location)
                              and not _provisioning_finished(body))
        self._done = not (self._async or self._location or self._body_polling)
        self._result = body if self._done else None

    def done(self) -> bool:
        return self._done

    def wait(self, timeout: Optional[float] = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else 3600)
        while not self._done:
            interval = self._retry_after or POLLING_INTERVAL
            if time.monotonic() + interval > deadline:
                return
            time.sleep(interval)
            self._poll()

    def result(self) -> Any:
        self.wait()
        return self._result

    def _poll(self) -> None:
        if self._body_polling:
            body = self._final() if self._final else None
            if not _provisioning_finished(body):
                return
            state = str(((body or {}).get("properties") or {}).get("provisioningState", ""))
            if state and state.lower() != "succeeded":
                # What azure-mgmt-core's body polling reports too: the operation failed, the resource says how.
                raise HttpResponseError(message=f"Operation failed or canceled: the resource's provisioningState is "
                                                f"{state}")
            self._done, self._result = True, body
            return
        if self._async:
            response = self._arm.send("GET", self._async)
            self._retry_after = _retry_after(response)
            status = str((_json(response) or {}).get("status", "")).lower()
            if status not in TERMINAL_STATUSES:
                return
            if status != "succeeded":
                raise _operation_error(response)
            self._done = True
            self._result = self._final() if self._final else None
            return
        response = self._arm.send("GET", str(self._location))
        self._retry_after = _retry_after(response)
        if response.status_code == 202:
            return
        self._done = True
        self._result = self._final() if self._final else _json(response)


class ArmResources:
    """GET, list, PUT, PATCH and DELETE of any ARM resource by id, at an explicit api-version.

    Reads return the wire JSON (camelCase, as in Microsoft's OpenAPI files); ``get`` returns None for an absent
    resource (AzureModule.get_or_none's rules); writes wait like AzureModule.begin (``wait`` / ``wait_timeout``, or
    ``must_wait``) and return the final resource, or None when not waiting. Every failure ends the task with
    Azure's code and message, ``what`` saying what was being done."""

    def __init__(self, module: Any, subscription_id: Optional[str] = None, tenant_id: Optional[str] = None) -> None:
        self.module = module
        self.subscription_id = subscription_id or module.subscription_id
        self.tenant_id = tenant_id
        self._client: Any = None

    # ---- the pipeline ------------------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        if self._client is None:
            from azure.core.pipeline import policies
            from azure.core.pipeline.transport import RequestsTransport
            from azure.mgmt.core import ARMPipelineClient
            from azure.mgmt.core.policies import (
                ARMAutoResourceProviderRegistrationPolicy,
                ARMChallengeAuthenticationPolicy,
                ARMHttpLoggingPolicy,
            )

            module = self.module
            cloud = module.cloud
            # The policies of an azure-mgmt-* client, in its order (its generated _client.py).
            chain = [
                policies.RequestIdPolicy(),
                policies.HeadersPolicy(),
                policies.UserAgentPolicy(user_agent=USER_AGENT, sdk_moniker="privnet-azure-arm"),
                policies.ProxyPolicy(),
                policies.ContentDecodePolicy(),
                # A subscription not yet registered for the namespace is registered, as an SDK client does.
                ARMAutoResourceProviderRegistrationPolicy(),
                policies.RedirectPolicy(),
                # The same settings as the SDK clients (AzureModule.client): 408/429/5xx, Retry-After honoured.
                policies.RetryPolicy(retry_total=6, retry_backoff_factor=0.8, retry_backoff_max=60),
                ARMChallengeAuthenticationPolicy(module.tenant_credential(self.tenant_id), *cloud.credential_scopes),
            ]
            auxiliary = module.auxiliary_policy(self.tenant_id)
            if auxiliary is not None:
                chain.append(auxiliary)
            chain.append(policies.NetworkTraceLoggingPolicy())
            cleanup = getattr(policies, "SensitiveHeaderCleanupPolicy", None)
            if cleanup is not None:  # no Authorization header to another host after a redirect
                chain.append(cleanup())
            chain.append(ARMHttpLoggingPolicy())
            self._client = ARMPipelineClient(
                base_url=cloud.resource_manager, policies=chain,
                transport=RequestsTransport(connection_verify=module.connection_verify))
        return self._client

    def url(self, path: str, api_version: Optional[str] = None) -> str:
        if path.startswith("https://"):
            return path
        url = self.module.cloud.resource_manager.rstrip("/") + "/" + path.lstrip("/")
        if api_version:
            url += ("&" if "?" in url else "?") + "api-version=" + api_version
        return url

    def send(self, method: str, path: str, api_version: Optional[str] = None, body: Any = None,
             headers: Optional[Mapping[str, str]] = None) -> Any:
        """One request; a 4xx/5xx answer raises azure-core's error with ARM's code and message parsed.
        ``headers`` are added to the request (e.g. If-Match)."""
        sent = {"Accept": "application/json"}
        sent.update(headers or {})
        data = None
        if body is not None:
            sent["Content-Type"] = "application/json"
            data = json.dumps(body)
        request = HttpRequest(method, self.url(path, api_version), headers=sent, content=data)
        response = self.client.send_request(request)
        if response.status_code == 404:
            raise ResourceNotFoundError(response=response, error_format=ARMErrorFormat)
        if response.status_code >= 400:
            raise HttpResponseError(response=response, error_format=ARMErrorFormat)
        return response

    # ---- operations --------------------------------------------------------------------------------------
    def get(self, resource_id: str, api_version: str, what: str) -> Optional[dict]:
        """The resource, or None when it does not exist."""
        return self.module.get_or_none(lambda: _json(self.send("GET", resource_id, api_version)), what=what)

    def read(self, resource_id: str, api_version: str, what: str) -> Any:
        """The resource, which must exist: a 404 fails the task like any other error (AzureModule.call)."""
        return self.module.call(lambda: _json(self.send("GET", resource_id, api_version)), what=what)

    def read_all(self, collection_id: str, api_version: str) -> list:
        """Every item of a collection, following nextLink; raises like send()."""
        items: list = []
        page: Optional[str] = self.url(collection_id, api_version)
        while page:
            body = _json(self.send("GET", page)) or {}
            items.extend(body.get("value") or [])
            page = body.get("nextLink")
        return items

    def list_or_none(self, collection_id: str, api_version: str, what: str) -> Optional[list]:
        """list(), or None when the collection's parent does not exist (AzureModule.get_or_none's rules)."""
        return self.module.get_or_none(lambda: self.read_all(collection_id, api_version), what=what)

    def list(self, collection_id: str, api_version: str, what: str) -> list:
        return self.module.call(lambda: self.read_all(collection_id, api_version), what=what)

    def put(self, resource_id: str, api_version: str, body: dict, what: str, must_wait: bool = False) -> Optional[dict]:
        return self._write("PUT", resource_id, api_version, body, what, must_wait)

    def patch(self, resource_id: str, api_version: str, body: dict, what: str,
              must_wait: bool = False) -> Optional[dict]:
        return self._write("PATCH", resource_id, api_version, body, what, must_wait)

    def delete(self, resource_id: str, api_version: str, what: str, must_wait: bool = False) -> None:
        def start() -> Any:
            try:
                return Operation(self, self.send("DELETE", resource_id, api_version), None)
            except ResourceNotFoundError:
                return _Finished(None)  # already gone: what a delete wants
        self.module.begin(start, what=what, must_wait=must_wait)

    def _write(self, method: str, resource_id: str, api_version: str, body: dict, what: str,
               must_wait: bool) -> Optional[dict]:
        def final() -> Optional[dict]:
            return _json(self.send("GET", resource_id, api_version))

        def start() -> Operation:
            return Operation(self, self.send(method, resource_id, api_version, body), final)
        return self.module.begin(start, what=what, must_wait=must_wait)


class _Finished:
    def __init__(self, result: Any) -> None:
        self._result = result

    def done(self) -> bool:
        return True

    def wait(self, timeout: Optional[float] = None) -> None:
        return None

    def result(self) -> Any:
        return self._result


def response_json(response: Any) -> Any:
    """The JSON body of an answer of send(), or None when it has none."""
    return _json(response)


def _json(response: Any) -> Any:
    text = response.text()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _provisioning_finished(body: Any) -> bool:
    """True unless ``body`` is a resource whose ``properties.provisioningState`` is not final yet."""
    properties = body.get("properties") if isinstance(body, dict) else None
    state = properties.get("provisioningState") if isinstance(properties, dict) else None
    return state is None or str(state).lower() in TERMINAL_STATUSES


def _retry_after(response: Any) -> Optional[float]:
    value = response.headers.get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def _operation_error(response: Any) -> Exception:
    """A failed operation's error ({status, error: {code, message}}) as an azure-core error."""
    return HttpResponseError(response=response, error_format=ARMErrorFormat)
