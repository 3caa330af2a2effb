# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""AzureModule: the base every module of this collection is built on.

A module reads like its procedure: validate the options, read the current state, compare,
apply unless in check mode, return. This class supplies the plumbing for each step:
credentials and clients, ARM conflict retries, long-running operations with a timeout, Azure
errors turned into clean failures, and diff output.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import importlib
import os
import random
import time
import traceback
from collections.abc import Callable, Iterable
from typing import Any, NoReturn, Optional, TypeVar
from urllib.parse import parse_qsl, urlsplit

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.privnet.azure.plugins.module_utils._auth import (
    AUTH_ARGUMENT_SPEC,
    WAIT_ARGUMENT_SPEC,
    TenantCredential,
    build_credential,
    credential_fingerprint,
)
from ansible_collections.privnet.azure.plugins.module_utils._cloud import Cloud, resolve_cloud
from ansible_collections.privnet.azure.plugins.module_utils._diff import Difference
from ansible_collections.privnet.azure.plugins.module_utils._identity import HAS_AZURE_IDENTITY
from ansible_collections.privnet.azure.plugins.module_utils._ids import ResourceId, resolve_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._token_broker import brokered
from ansible_collections.privnet.azure.plugins.module_utils._validate import Refused
from ansible_collections.privnet.azure.plugins.module_utils._validate import subscription_id as valid_subscription_id

try:
    from azure.core.exceptions import AzureError, HttpResponseError, ResourceNotFoundError, ServiceResponseError
    HAS_AZURE_CORE = True
    AZURE_CORE_IMPORT_ERROR = None
except ImportError:
    HAS_AZURE_CORE = False
    AZURE_CORE_IMPORT_ERROR = traceback.format_exc()

    # Stand-ins so the except clauses below stay valid; AzureModule fails before any call.
    class AzureError(Exception):  # type: ignore[no-redef]
        pass

    class HttpResponseError(AzureError):  # type: ignore[no-redef]
        pass

    class ResourceNotFoundError(HttpResponseError):  # type: ignore[no-redef]
        pass

    class ServiceResponseError(AzureError):  # type: ignore[no-redef]
        pass

# name -> (Python module, client class, PyPI package). Only the SDK a module asks for is imported.
CLIENTS = {
    "network": ("azure.mgmt.network", "NetworkManagementClient", "azure-mgmt-network"),
    "privatedns": ("azure.mgmt.privatedns", "PrivateDnsManagementClient", "azure-mgmt-privatedns"),
    "containerregistry": ("azure.mgmt.containerregistry", "ContainerRegistryManagementClient",
                          "azure-mgmt-containerregistry"),
    "resource": ("azure.mgmt.resource.resources", "ResourceManagementClient", "azure-mgmt-resource"),
}

# ARM answers these while another write on the same (or a dependent) resource is running,
# sometimes synchronously, sometimes as a failed long-running operation. Retrying later is
# the documented remedy. A plain "Conflict" is not among them: that one is a real conflict.
RETRYABLE_CODES = frozenset(("AnotherOperationInProgress", "RetryableError", "RetryableErrorDueToAnotherOperation",
                             "ReferencedResourceNotProvisioned"))
# A 404 with one of these codes says the request went to the wrong place, not that the resource
# is absent: reading it as "absent" would let state=absent succeed against the wrong subscription.
NOT_ABSENCE_CODES = frozenset(("SubscriptionNotFound",))
# ARM's answers when a cloud does not serve a resource type, or not at the api-version the installed SDK
# sends: clouds that lag behind Azure (Azure Stack Hub's API profiles, which have no private endpoints at
# all; sovereign clouds before a release reaches them).
API_NOT_SERVED_CODES = frozenset(("NoRegisteredProviderFound", "InvalidApiVersionParameter", "InvalidResourceType"))
RETRY_MAX_ATTEMPTS = 8
# A connection closed before the answer came (ServiceResponseError): azure-core sends GET, PUT and
# DELETE again itself, never PATCH (nor POST). Every write of this collection is a PUT or a PATCH
# of absolute values, so sending it again is safe: these few more attempts cover PATCH.
RETRY_LOST_ANSWER_ATTEMPTS = 3
RETRY_BASE_DELAY = 2.0  # seconds; doubles each attempt, with jitter, capped below
RETRY_MAX_DELAY = 60.0
# LRO polling interval when the server sends no Retry-After (a Retry-After always wins).
# The SDK default is 30 s, far too slow for subnet or DNS updates that finish in seconds.
POLLING_INTERVAL = 2
DEFAULT_WAIT_TIMEOUT = 600
USER_AGENT = "ansible-privnet.azure"
# "x-ms-authorization-auxiliary ... up to three auxiliary tokens" (Microsoft Learn, azure-resource-manager/
# management/authenticate-multi-tenant.md).
MAX_AUXILIARY_TENANTS = 3

T = TypeVar("T")


class AzureModule(AnsibleModule):
    """AnsibleModule with the common Azure options, lazily built credential and SDK clients.

    ``lro=True`` adds the ``wait`` and ``wait_timeout`` options for modules that start
    long-running operations. Every other keyword goes to AnsibleModule.
    """

    def __init__(self, argument_spec: dict, *, lro: bool = False, supports_check_mode: bool = True,
                 allow_empty: Iterable[str] = (), **kwargs: Any) -> None:
        spec: dict = dict(AUTH_ARGUMENT_SPEC)
        if lro:
            spec.update(WAIT_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self._given: dict = {}
        # Azure's code and message for the last read that get_or_none found absent.
        self.last_absence: Optional[dict] = None
        super().__init__(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        # Ansible takes `name: null` as given (so `required` and `required_one_of` pass) and `name: ""`
        # as a value: both would reach Azure as a request for a resource without a name.
        problem = _null_or_empty(self._given, spec, kwargs, frozenset(allow_empty))
        if problem:
            self.fail_json(msg=problem)
        for option, value in self._given.items():
            if value is None and spec.get(option, {}).get("default") is not None:
                self.params[option] = spec[option]["default"]  # null means "not set": the default applies
        self._lro = lro
        self._cloud: Optional[Cloud] = None
        self._credential: Any = None
        self._credential_origin: Optional[str] = None
        self._clients: dict[tuple[str, str, Optional[str]], Any] = {}
        if not HAS_AZURE_CORE:
            self.fail_json(msg=missing_required_lib("azure-core"), exception=AZURE_CORE_IMPORT_ERROR)
        if not HAS_AZURE_IDENTITY:
            self.fail_json(msg=missing_required_lib("azure-identity"))
        ca_bundle = self.params.get("ca_bundle")
        if ca_bundle and not os.path.isfile(ca_bundle):
            self.fail_json(msg=f"ca_bundle: {ca_bundle} is not a file; give the path of a PEM CA bundle")

    def _load_params(self) -> None:
        super()._load_params()
        # What the task gave, before defaults are filled in: only here can null be told from unset.
        self._given = {k: v for k, v in self.params.items() if not k.startswith("_ansible_")}

    # ---- settings -----------------------------------------------------------------------

    @property
    def subscription_id(self) -> str:
        """The subscription from the options (or AZURE_SUBSCRIPTION_ID); fails if unset."""
        value = self.params.get("subscription_id")
        if not value:
            self.fail_json(msg="subscription_id is required: set the option or AZURE_SUBSCRIPTION_ID")
        return self.validated(valid_subscription_id, value)

    @property
    def auxiliary_tenants(self) -> list[str]:
        """The other tenants this run works in (ARM takes tokens for at most three more)."""
        tenants = [t.strip() for t in self.params.get("auxiliary_tenants") or []]
        if len(tenants) > MAX_AUXILIARY_TENANTS:
            self.fail_json(msg=f"auxiliary_tenants: {len(tenants)} tenants given; Azure Resource Manager takes tokens "
                               f"for at most {MAX_AUXILIARY_TENANTS} auxiliary tenants in one request")
        return tenants

    @property
    def connection_verify(self) -> str | bool:
        """What azure-core's ``connection_verify`` gets: the CA bundle path, else True. TLS is
        always verified; there is deliberately no way to turn that off."""
        return self.params.get("ca_bundle") or True

    @property
    def wait(self) -> bool:
        return self.params["wait"] if self._lro else True

    @property
    def wait_timeout(self) -> int:
        return self.params["wait_timeout"] if self._lro else DEFAULT_WAIT_TIMEOUT

    @property
    def cloud(self) -> Cloud:
        """The resolved cloud (endpoints); a metadata URL is fetched once, on first use."""
        if self._cloud is None:
            value = self.params.get("cloud_environment")
            try:
                cloud = resolve_cloud(value, self.connection_verify)
            except ValueError as exc:
                self.fail_json(msg=str(exc))
            except AzureError as exc:
                self.fail_azure(f"fetching cloud metadata from {value}", exc)
            self._cloud = cloud
        return self._cloud

    @property
    def credential(self) -> Any:
        if self._credential is None:
            try:
                credential, self._credential_origin = build_credential(self.params, self.cloud,
                                                                       self.connection_verify)
            except (ValueError, OSError) as exc:
                self.fail_json(msg=f"cannot set up Azure credentials: {exc}")
            # Every module run of the controller shares one sign-in per credential (_token_broker).
            self._credential = brokered(credential,
                                        *credential_fingerprint(self.params, self.cloud, self.connection_verify))
        return self._credential

    # ---- clients ------------------------------------------------------------------------

    def client(self, name: str, subscription_id: Optional[str] = None, tenant_id: Optional[str] = None) -> Any:
        """SDK client by name (network, privatedns, containerregistry, resource), built on
        first use and cached per (name, subscription, tenant). ``subscription_id`` overrides the
        module's subscription for cross-subscription work; ``tenant_id``, for a subscription of another
        tenant, signs its requests in that tenant (it must be one of ``auxiliary_tenants``). Every client
        sends tokens for the other ``auxiliary_tenants`` in ARM's ``x-ms-authorization-auxiliary`` header,
        so that a write may link to a resource of those tenants (a peering's remote network)."""
        subscription = subscription_id or self.subscription_id
        key = (name, subscription, tenant_id)
        if key not in self._clients:
            module_name, class_name, package = CLIENTS[name]
            try:
                sdk = importlib.import_module(module_name)
            except ImportError:
                self.fail_json(msg=missing_required_lib(package), exception=traceback.format_exc())
            cloud = self.cloud
            extra = {}
            auxiliary = self.auxiliary_policy(tenant_id)
            if auxiliary is not None:
                extra["custom_hook_policy"] = auxiliary
            self._clients[key] = getattr(sdk, class_name)(
                self.tenant_credential(tenant_id),
                subscription,
                base_url=cloud.resource_manager,
                credential_scopes=cloud.credential_scopes,
                connection_verify=self.connection_verify,
                polling_interval=POLLING_INTERVAL,
                # azure-core's RetryPolicy: 408/429/5xx and any Retry-After, honouring Retry-After.
                retry_total=6,
                retry_backoff_factor=0.8,
                retry_backoff_max=60,
                user_agent=USER_AGENT,
                **extra,
            )
        return self._clients[key]

    def arm(self, subscription_id: Optional[str] = None, tenant_id: Optional[str] = None) -> Any:
        """_arm.ArmResources (generic ARM requests at an explicit api-version, Azure's JSON in and out) for
        ``subscription_id`` (default the module's), signing in ``tenant_id`` when given, as client() does; built
        on first use and cached. What most modules use: it needs none of the azure-mgmt-* SDKs, whose import
        costs more CPU than the rest of a module run."""
        subscription = subscription_id or self.subscription_id
        key = ("arm", subscription, tenant_id)
        if key not in self._clients:
            from ansible_collections.privnet.azure.plugins.module_utils._arm import ArmResources
            self._clients[key] = ArmResources(self, subscription_id=subscription, tenant_id=tenant_id)
        return self._clients[key]

    def tenant_credential(self, tenant_id: Optional[str] = None) -> Any:
        """The credential, signing in ``tenant_id`` when one is given (a subscription of another tenant)."""
        return TenantCredential(self.credential, tenant_id) if tenant_id else self.credential

    def auxiliary_policy(self, tenant_id: Optional[str] = None) -> Any:
        """azure-mgmt-core's AuxiliaryAuthenticationPolicy for every auxiliary tenant other than ``tenant_id``
        (and the module's own tenant when a request signs in ``tenant_id``), or None when there is none."""
        auxiliary = [t for t in self.auxiliary_tenants + ([self.params["tenant"]] if tenant_id else [])
                     if t and t != tenant_id]
        if not auxiliary:
            return None
        from azure.mgmt.core.policies import AuxiliaryAuthenticationPolicy
        return AuxiliaryAuthenticationPolicy([TenantCredential(self.credential, t) for t in dict.fromkeys(auxiliary)],
                                             *self.cloud.credential_scopes)

    # ---- calling Azure ------------------------------------------------------------------

    def call(self, fn: Callable[..., T], *args: Any, what: Optional[str] = None, **kwargs: Any) -> T:
        """Run a synchronous SDK call; ARM conflicts are retried, other errors fail the task
        with ``what`` as context (e.g. "reading subnet 'a' of virtual network 'v'")."""
        return self._retrying(lambda: fn(*args, **kwargs), what or _describe(fn), self.deadline())

    def get_or_none(self, fn: Callable[..., T], *args: Any, what: Optional[str] = None,
                    **kwargs: Any) -> Optional[T]:
        """Like call(), but a 404 (ResourceNotFoundError) returns None, unless its code says the
        subscription itself was not found."""
        def read() -> Optional[T]:
            try:
                return fn(*args, **kwargs)
            except ResourceNotFoundError as exc:
                if not means_absent(exc):
                    raise
                self.last_absence = azure_error_info(exc)
                return None
        return self._retrying(read, what or _describe(fn), self.deadline())

    def begin(self, fn: Callable[..., Any], *args: Any, what: Optional[str] = None, must_wait: bool = False,
              **kwargs: Any) -> Any:
        """Start a long-running operation (a ``begin_*`` SDK method). If ``wait`` is true, wait
        for it up to ``wait_timeout`` seconds and return its result; otherwise return None
        as soon as Azure accepted it. An operation that fails with a retryable ARM code is
        started again, within the same time budget. ``must_wait=True`` waits even with
        wait=false, for an operation the module's next write depends on (e.g. deleting a DNS
        zone's links before the zone)."""
        what = what or _describe(fn)
        deadline = self.deadline()

        def attempt() -> Any:
            poller = fn(*args, **kwargs)
            if not (self.wait or must_wait):
                return None
            poller.wait(timeout=max(deadline - time.monotonic(), 0))
            if not poller.done():
                self.fail_json(msg=f"timed out after {self.wait_timeout} s waiting for {what}; the operation "
                                   "goes on in Azure (raise wait_timeout, or set wait=false to not wait)")
            return poller.result()

        return self._retrying(attempt, what, deadline)

    def wait_until(self, read: Callable[[], T], reached: Callable[[T], bool], what: str | Callable[[T], str],
                   deadline: Optional[float] = None) -> T:
        """Call ``read()`` every POLLING_INTERVAL seconds until ``reached(value)``; return that value.
        For states an LRO does not cover (a peering becoming Connected, a connection Approved).
        Fails naming ``what`` (a text, or a function of the last value read) once ``deadline``
        (time.monotonic(); default wait_timeout from now) passes."""
        deadline = deadline or self.deadline()
        while True:
            value = read()
            if reached(value):
                return value
            if time.monotonic() + POLLING_INTERVAL > deadline:
                label = what(value) if callable(what) else what
                self.fail_json(msg=f"timed out after {self.wait_timeout} s waiting for {label}; the change goes on "
                                   "in Azure (raise wait_timeout, or set wait=false to not wait)")
            time.sleep(POLLING_INTERVAL)

    def deadline(self) -> float:
        """time.monotonic() at which a wait started now runs out (wait_timeout from now)."""
        return time.monotonic() + self.wait_timeout

    def _retrying(self, operation: Callable[[], T], what: str, deadline: float) -> T:
        attempt = 0
        while True:
            try:
                return operation()
            except AzureError as exc:
                attempt += 1
                # Exponential backoff with jitter, so parallel tasks hitting the same VNet spread out.
                delay = min(RETRY_BASE_DELAY * 2 ** (attempt - 1), RETRY_MAX_DELAY)
                delay = random.uniform(delay / 2, delay)
                lost_answer = isinstance(exc, ServiceResponseError) and attempt < RETRY_LOST_ANSWER_ATTEMPTS
                if ((retryable_code(exc) is None and not lost_answer) or attempt >= RETRY_MAX_ATTEMPTS
                        or time.monotonic() + delay > deadline):
                    self.fail_azure(what, exc)
                time.sleep(delay)

    # ---- results ------------------------------------------------------------------------

    def fail_azure(self, what: str, exc: BaseException) -> NoReturn:
        """Fail the task with "<what>: <Azure code>: <Azure message>" and the error details;
        never a traceback."""
        info = azure_error_info(exc)
        msg = f"{what}: {info['code']}: {info['message']}"
        if info["code"] in ("ClientAuthenticationError", "CredentialUnavailableError") and self._credential_origin:
            msg += f" (credentials: {self._credential_origin})"
        if info["code"] in API_NOT_SERVED_CODES:
            version = api_version_of(exc)
            msg += (f" (the cloud{' ' + self._cloud.name if self._cloud else ''} does not serve this request"
                    f"{' at api-version ' + version if version else ''}, which this module sends: Azure "
                    "Stack Hub's API profiles have no private endpoints, and a sovereign or private cloud may lag "
                    "behind Azure's api-versions)")
        self.fail_json(msg=msg, azure_error=info)

    def validated(self, check: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a check (_validate, _ids) or a helper that raises (_subnet, _acr, ...): its ValueError fails
        the task, with a _validate.Refused's extra result keys; helpers raise, modules fail through here."""
        try:
            return check(*args, **kwargs)
        except ValueError as exc:
            self.fail_json(msg=str(exc), **(exc.result if isinstance(exc, Refused) else {}))

    def resolve_id(self, value: Optional[str], option: str, provider: str, type_: str,
                   resource_group: Optional[str] = None, name_kind: Optional[str] = None) -> ResourceId:
        """A ResourceId from a name (completed with this module's subscription and ``resource_group``,
        default the ``resource_group`` option; checked against the naming rule ``name_kind`` when given)
        or a full id: _ids.resolve_resource_id, failing the task on a malformed value."""
        return self.validated(resolve_resource_id, value, option=option, subscription=lambda: self.subscription_id,
                              resource_group=resource_group or self.params.get("resource_group"),
                              provider=provider, type_=type_, name_kind=name_kind)

    def exit(self, changed: bool, diff: Difference | dict | None = None, **result: Any) -> NoReturn:
        """exit_json with ``diff`` (a Difference or a before/after dict) added in --diff mode."""
        if diff is not None and self._diff:
            result["diff"] = diff.as_diff() if isinstance(diff, Difference) else diff
        self.exit_json(changed=changed, **result)


def _null_or_empty(given: dict, spec: dict, checks: dict, allow_empty: frozenset[str],
                   prefix: str = "") -> str | None:
    """The message for an option given as null where a value is needed (required, or the only one
    given of a required_one_of / required_together group), or given as an empty string, else None.
    Looks into suboptions too."""
    canonical = {}
    for name, option in spec.items():
        for alias in [name] + list(option.get("aliases") or ()):
            canonical[alias] = name
    given = {canonical.get(k, k): v for k, v in given.items()}
    for name, value in given.items():
        option = spec.get(name) or {}
        label = f"{prefix}{name}"
        if value is None and option.get("required"):
            return (f"{label}: is null; give a value (an undefined or empty variable gives null; leave the "
                    "option out only where it is optional)")
        if option.get("type", "str") in ("str", "path") and isinstance(value, str) and not value.strip() \
                and name not in allow_empty:
            return f"{label}: is empty; give a value, or leave the option out"
        if (option.get("type") == "list" and option.get("elements", "str") in ("str", "path")
                and isinstance(value, list)):
            if any(v is None or (isinstance(v, str) and not v.strip()) for v in value):
                return f"{label}: holds an empty or null item; remove it or give a value"
        suboptions = option.get("options")
        if suboptions:
            items = value if isinstance(value, list) else [value]
            for index, item in enumerate(items):
                if isinstance(item, dict):
                    where = f"{label}[{index}]." if isinstance(value, list) else f"{label}."
                    problem = _null_or_empty(item, suboptions, option, allow_empty, where)
                    if problem:
                        return problem
    present = {k for k, v in given.items() if v is not None}
    for group in checks.get("required_one_of") or ():
        if any(k in given for k in group) and not present.intersection(group):
            return (f"one of {', '.join(prefix + k for k in group)} is required; "
                    f"{', '.join(prefix + k for k in group if k in given)} is null")
    for group in checks.get("required_together") or ():
        if present.intersection(group) and not set(group) <= present:
            lacking = [prefix + k for k in group if k not in present]
            return f"{', '.join(prefix + k for k in group)} go together; {', '.join(lacking)} is missing or null"
    return None


def azure_error_info(exc: BaseException) -> dict[str, Any]:
    """code, message, target and status_code of an azure-core exception (plain values)."""
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None) or type(exc).__name__
    message = getattr(error, "message", None) or getattr(exc, "message", None) or str(exc)
    return {
        "code": str(code),
        "message": str(message).strip(),
        "target": getattr(error, "target", None),
        "status_code": getattr(exc, "status_code", None),
    }


def api_version_of(exc: BaseException) -> Optional[str]:
    """The api-version of the request that ``exc`` answers, or None."""
    request = getattr(getattr(exc, "response", None), "request", None)
    query = urlsplit(str(getattr(request, "url", "") or "")).query
    return next((v for k, v in parse_qsl(query) if k.lower() == "api-version"), None)


def means_absent(exc: BaseException) -> bool:
    """True when ``exc`` is a 404 that says the resource read does not exist."""
    return ((isinstance(exc, ResourceNotFoundError) or getattr(exc, "status_code", None) == 404)
            and azure_error_info(exc)["code"] not in NOT_ABSENCE_CODES)


def retryable_code(exc: BaseException) -> Optional[str]:
    """The retryable ARM code carried by ``exc`` (top level or first-level details), or None."""
    error = getattr(exc, "error", None)
    if error is None:
        return None
    codes = [getattr(error, "code", None)] + [getattr(d, "code", None) for d in getattr(error, "details", None) or []]
    return next((c for c in codes if c in RETRYABLE_CODES), None)


def _describe(fn: Callable[..., Any]) -> str:
    owner = getattr(fn, "__self__", None)
    name = getattr(fn, "__name__", "call")
    return f"calling {type(owner).__name__}.{name}" if owner is not None else f"calling {name}"
