"""The generic ARM engine: resource handlers, CRUD with etags and long-running operations.

Providers subclass ResourceType and say only what differs: validation, side effects,
computed properties, their LRO style and their etag style.
"""

import copy
import time

from . import contract
from .errors import ArmError, bad_request, not_found_child, not_found_top, resource_group_not_found
from .ids import ResourceId, new_guid
from .store import Operation, Resource, utc_now_iso

WRITE_METHODS = {"PUT", "PATCH", "DELETE"}


class Request:
    """One parsed HTTP request as handlers see it."""

    def __init__(self, method, path, query, headers, body, base_url, client_ip):
        self.method = method
        self.path = path
        self.query = query            # lower-cased keys -> value
        self.headers = headers        # lower-cased keys -> value
        self.body = body
        self.base_url = base_url      # https://127.0.0.1:PORT, from the Host header
        self.client_ip = client_ip
        self.fault = None             # a fault that asks the operation to fail (failed_lro)

    @property
    def api_version(self):
        return self.query.get("api-version")

    def url(self, path, api_version=None):
        return f"{self.base_url}{path}?api-version={api_version or self.api_version}"


class Response:
    def __init__(self, status, body=None, headers=None):
        self.status = status
        self.body = body
        self.headers = headers or {}


def weak(etag):
    return f'W/"{etag}"'


def strip_etag(value):
    value = (value or "").strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


# LRO styles: how each resource provider answers writes (see arm-wire-contract.md §1.1).
NETWORK, PRIVATE_DNS, SYNC, ACR = "network", "privatedns", "sync", "acr"
# The Private Link targets' styles (write_response names each one's recording):
#   STORAGE  202, empty body, Location only (Microsoft.Storage asyncoperations, ?monitor=true)
#   SQL      202 with Azure-AsyncOperation and Location under {rg}/providers/Microsoft.Sql/locations/{loc}
#   BODY     200 with the resource in a transient provisioningState and no operation header: the client polls the
#            resource itself until the state is terminal (Key Vault's vault create)
#   KEYVAULT Key Vault's connection writes: PUT 200 + Azure-AsyncOperation, DELETE 202 + Location, both naming the
#            connection's own URL with a `kv-operation` query
STORAGE, SQL, BODY, KEYVAULT = "storage", "sql", "body", "keyvault"
#   DNS_RESOLVER  202, no body, Azure-AsyncOperation .../locations/{loc}/dnsResolverOperationStatuses/{id} and Location
#                 .../dnsResolverOperationResults/{id} under the resource group (the dnsresolver spec's examples,
#                 providers/dnsresolver.py)
DNS_RESOLVER = "dnsresolver"


class ResourceType:
    namespace = "Microsoft.Network"
    types = ()                  # canonical casing, e.g. ("virtualNetworks", "subnets")
    lro_style = NETWORK
    etag_style = "weak"         # "weak" | "bare" | "quoted" | None
    inherit_parent_etag = False  # Network child resources carry their parent's etag
    has_location = True
    fixed_location = None       # "global" for Private DNS
    top_level_keys = ()         # accepted top-level keys besides location/tags/properties
    duration = 3.0              # realistic seconds to finish a write
    delete_duration = None
    retry_after = 10            # realistic Retry-After seconds
    list_by_subscription = True
    create_state = "Updating"   # provisioningState shown while a create runs
    update_state = "Updating"   # provisioningState shown while an update runs
    always_201 = False          # ACR answers every accepted PUT with 201
    sync_create_status = 201    # status of a create answered synchronously
    etag_header = True          # a GET answers with an ETag header (when the type has etags)
    sql_operation = None        # SQL style: the operation URLs' prefix and the 202 body's operation names
    poll_query = None           # KEYVAULT style: the query parameter that turns a GET of the resource into a poll
    singleton = False           # a fixed sub-resource on {parent}/{type} itself: singleton_request(req, parent_rid)

    def __init__(self, emulator):
        self.emu = emulator
        self.store = emulator.store

    # ---- identity ---------------------------------------------------------
    @property
    def arm_type(self):
        return f"{self.namespace}/{'/'.join(self.types)}"

    @property
    def is_child(self):
        return len(self.types) > 1

    # ---- hooks --------------------------------------------------------------
    def validate(self, req, rid, body, existing):
        """Return the body to store for a PUT, or raise ArmError. Must not change state."""
        return self.default_body(rid, body)

    def patch(self, req, rid, body, existing):
        """Return the body to store for a PATCH (default: tags only)."""
        new = copy.deepcopy(existing.body)
        if "tags" in body:
            new["tags"] = body.get("tags") or {}
        return new

    def after_write(self, req, res, before):
        """Side effects of a PUT/PATCH once stored (state may change here)."""

    def check_delete(self, req, res):
        """Raise ArmError when the resource cannot be deleted now."""

    def on_deleted(self, res):
        """Side effects of a finished delete (children are removed by the engine)."""

    def render_properties(self, res):
        return copy.deepcopy(res.properties)

    def locks(self, rid):
        """Keys an operation on rid holds; a second write on any of them is refused meanwhile."""
        return [rid.key]

    def action(self, req, rid, action):
        raise ArmError(404, "NotFound", f"Action {action} is not supported on {self.arm_type}.")

    def list_children(self, req, parent):
        """The resources a GET on {parent}/{type} lists (Private DNS's 'ALL' lists every record type)."""
        return self.store.children(parent.key, self.types[-1])

    def put_finished(self, res, op):
        """A PUT/PATCH operation has ended well; it may still fail it late by setting op.error."""

    def synchronous(self, req):
        """True when this write is answered at once, without an operation."""
        return self.lro_style == SYNC

    def finishes_at_once(self, res, before):
        """True when an update needs no time: its operation ends before the answer (Succeeded, no Retry-After)."""
        return False

    def answers_at_once(self, req, res, before):
        """True when this PUT is answered synchronously although the type's writes run operations (Storage answers
        a create repeated with the same properties with 200, StorageAccounts_Create)."""
        return False

    def render_written(self, res):
        """The body of a PUT/PATCH's first answer (some RPs echo more than a GET shows)."""
        return self.render(res)

    # ---- shared helpers -----------------------------------------------------
    def default_body(self, rid, body):
        out = {}
        if self.has_location:
            location = self.fixed_location or body.get("location")
            if not location:
                raise bad_request("LocationRequired", "The location property is required for this definition.")
            out["location"] = location.replace(" ", "").lower() if not self.fixed_location else location
        if body.get("tags") is not None:
            out["tags"] = body.get("tags")
        for key in self.top_level_keys:
            if key in body and body[key] is not None:
                out[key] = copy.deepcopy(body[key])
        out["properties"] = copy.deepcopy(body.get("properties") or {})
        return out

    def etag_value(self, res):
        if self.inherit_parent_etag:
            parent = self.store.get(res.rid.parent().key)
            if parent is not None:
                return parent.etag
        return res.etag

    def etag_text(self, res):
        """The etag as it appears in the body and the ETag header."""
        value = self.etag_value(res)
        if self.etag_style == "weak":
            return weak(value)
        if self.etag_style == "quoted":
            return f'"{value}"'
        return value

    def provisioning_state(self, res):
        if res.pending_op:
            return res.transient_state
        return res.provisioning_state

    def render(self, res):
        out = {"name": res.rid.name, "id": str(res.rid)}
        if self.etag_style:
            out["etag"] = self.etag_text(res)
        out["type"] = self.arm_type
        if self.has_location and not self.is_child:
            out["location"] = res.body.get("location")
        if "tags" in res.body:   # NRP and Private DNS leave `tags` out until some are set (recordings)
            out["tags"] = res.body.get("tags") or {}
        for key in self.top_level_keys:
            if key in res.body:
                out[key] = copy.deepcopy(res.body[key])
        props = self.render_properties(res)
        props["provisioningState"] = self.provisioning_state(res)
        out["properties"] = props
        return out


def repeats_operation_urls(op, kind):
    """Polls that answer with the operation's URLs again (recordings): NRP's Location polls, ACR's status polls,
    and Private DNS's status polls while the operation runs."""
    if op.style == NETWORK:
        return kind == "result"
    if op.style == ACR:
        return kind == "status"
    if op.style == STORAGE:   # every 202 poll names the operation again (test_create_storage_account_with_...yaml)
        return kind == "result" and not op.finished
    return op.style == PRIVATE_DNS and kind == "status" and not op.finished


class Engine:
    """Routes resource paths to handlers and applies the generic ARM semantics."""

    def __init__(self, emulator):
        self.emu = emulator
        self.store = emulator.store
        self.handlers = {}
        self.subscription_actions = {}  # (namespace lower, action lower) -> callable(req, sub)
        # POST actions on a resource of another provider's type: (namespace lower, types lower, action lower, method)
        # -> callable(req, res) (the DNS resolver's listDnsResolvers on a virtual network, providers/dnsresolver.py)
        self.resource_actions = {}
        # Actions under {scope}/providers/{ns}/locations/{location}/{action}, at subscription scope (rg None) or
        # resource-group scope: (namespace lower, action lower, method) -> callable(req, sub, rg, location)
        self.location_actions = {}

    def register(self, handler_cls):
        handler = handler_cls(self.emu)
        key = (handler.namespace.lower(),) + tuple(t.lower() for t in handler.types)
        self.handlers[key] = handler
        return handler

    def handler_for(self, namespace, types):
        return self.handlers.get((namespace.lower(),) + tuple(t.lower() for t in types))

    def handler_of(self, rid):
        return self.handler_for(rid.namespace, rid.types)

    # ---- routing ------------------------------------------------------------
    def handle(self, req, sub, rg, namespace, segments):
        """segments: the path after /providers/{ns}/, split on '/'."""
        # The published contract: the api-version (and API profile) first, then, in strict mode, the body.
        contract.check_request(self.emu, req, sub, rg, namespace, segments)
        if self.store.get_rg(sub, rg) is None:
            raise self.missing_group(sub, rg, namespace, segments)
        if len(segments) % 2 == 1:
            parent_pairs = [(segments[i], segments[i + 1]) for i in range(0, len(segments) - 1, 2)]
            types = tuple(t for t, _ in parent_pairs) + (segments[-1],)
            handler = self.handler_for(namespace, types)
            if handler is not None and handler.singleton and parent_pairs:
                # a fixed sub-resource read and written on its own path (a connection's sharedkey, providers/vpn.py)
                return handler.singleton_request(req, ResourceId(sub, rg, namespace, parent_pairs))
            if handler is None or req.method != "GET":
                raise self.unknown_type(namespace, types, req)
            if parent_pairs:
                parent = ResourceId(sub, rg, namespace, parent_pairs)
                self.require_parent(parent)
                items = handler.list_children(req, parent)
            else:
                items = self.store.of_type(namespace, types, sub=sub, rg=rg)
            return self.page(req, [r.handler.render(r) for r in items])
        pairs = [(segments[i], segments[i + 1]) for i in range(0, len(segments), 2)]
        rid = ResourceId(sub, rg, namespace, pairs)
        handler = self.handler_of(rid)
        if handler is None:
            # A POST action: .../{type}/{name}/{action}
            raise self.unknown_type(namespace, rid.types, req)
        existing = self.store.get(rid.key)
        if existing is not None:
            rid = existing.rid  # keep the casing the resource was created with
        method = req.method
        if method == "GET" and handler.poll_query and handler.poll_query in req.query:
            return self.poll_by_query(req, handler)
        if method == "GET":
            if existing is None:
                raise self.not_found(rid)
            return self.ok(handler, existing)
        if method == "HEAD":
            return Response(204 if existing else 404)
        # A DELETE of something already gone is 204 even when its parent is gone too (ASO recording: a DNS zone
        # group deleted after its private endpoint). Emulator convention: so for every type.
        if rid.parent() is not None and method != "DELETE":
            self.require_parent(rid.parent())
        if method == "PUT":
            return self.put(req, handler, rid, existing)
        if method == "PATCH":
            if existing is None:
                raise self.not_found(rid)
            return self.put(req, handler, rid, existing, patch=True)
        if method == "DELETE":
            return self.delete(req, handler, rid, existing)
        raise ArmError(405, "MethodNotAllowed", f"The method {method} is not allowed.")

    def handle_action(self, req, sub, rg, namespace, segments):
        pairs = [(segments[i], segments[i + 1]) for i in range(0, len(segments) - 1, 2)]
        rid = ResourceId(sub, rg, namespace, pairs)
        extra = self.resource_actions.get((namespace.lower(), tuple(t.lower() for t in rid.types),
                                           segments[-1].lower(), req.method))
        # An action of another provider is checked at its own api-versions (contract/versions.py family()).
        contract.check_request(self.emu, req, sub, rg, namespace, segments if extra else segments[:-1])
        handler = self.handler_of(rid)
        if handler is None or self.store.get(rid.key) is None:
            raise self.not_found(rid)
        if extra is not None:
            return extra(req, self.store.get(rid.key))
        return handler.action(req, self.store.get(rid.key).rid, segments[-1])

    def unknown_type(self, namespace, types, req):
        return bad_request(
            "InvalidResourceType",
            f"The resource type '{'/'.join(types)}' could not be found in the namespace '{namespace}' "
            f"for api version '{req.api_version}'.")

    def not_found(self, rid):
        if len(rid.pairs) == 1:
            return not_found_top(f"{rid.namespace}/{rid.types[0]}", rid.name, rid.resource_group)
        return not_found_child(str(rid))

    def missing_group(self, sub, rg, namespace, segments):
        """The 404 for a request in a missing group. ARM looks up the regional parent of a child first (ASO
        recording: a subnet DELETE after its group was deleted names the VNet, ResourceNotFound); a top-level
        resource, or a child of a global one (a Private DNS link), gets ResourceGroupNotFound (same recording).
        Emulator convention: children of every regional type (PEs, registries) answer like the subnet."""
        top = self.handler_for(namespace, segments[:1])
        if len(segments) > 2 and top is not None and top.fixed_location is None:
            return self.not_found(ResourceId(sub, rg, namespace, [(segments[0], segments[1])]))
        return resource_group_not_found(rg)

    def require_parent(self, parent):
        if self.store.get(parent.key) is None:
            top = ResourceId(parent.subscription, parent.resource_group, parent.namespace, parent.pairs[:1])
            if self.store.get(top.key) is None:
                raise self.not_found(top)
            raise self.not_found(parent)

    def ok(self, handler, res, status=200):
        headers = {}
        if handler.etag_style and handler.etag_header:
            headers["ETag"] = handler.etag_text(res)
        return Response(status, handler.render(res), headers)

    def page(self, req, values):
        size = self.emu.config["page_size"]
        start = int(req.query.get("$skiptoken", "0") or 0)
        top = req.query.get("$top")
        if top:
            values = values[: int(top)]
        body = {"value": values[start:start + size]}
        if start + size < len(values):
            path = req.path
            body["nextLink"] = f"{req.base_url}{path}?api-version={req.api_version}&$skiptoken={start + size}"
        return Response(200, body)

    # ---- conditional requests ----------------------------------------------
    def check_conditions(self, req, handler, existing):
        if_match = req.headers.get("if-match")
        if_none_match = req.headers.get("if-none-match")
        current = handler.etag_value(existing) if existing else None
        if if_match:
            wanted = [strip_etag(v) for v in if_match.split(",")]
            if existing is None or ("*" not in wanted and current not in wanted):
                raise ArmError(412, "PreconditionFailed",
                               "The condition specified using HTTP conditional header(s) is not met.")
        if if_none_match:
            wanted = [strip_etag(v) for v in if_none_match.split(",")]
            if existing is not None and ("*" in wanted or current in wanted):
                raise ArmError(412, "PreconditionFailed",
                               "The condition specified using HTTP conditional header(s) is not met.")

    def check_busy(self, req, handler, rid):
        op = self.store.busy_operation(handler.locks(rid))
        if op is None:
            return
        status_url = req.url(f"/subscriptions/{rid.subscription}/providers/{handler.namespace}/locations/"
                             f"{op.location}/operations/{op.id}")
        if self.emu.config["busy_response"] == "retryable":
            raise ArmError(429, "RetryableError", "A retryable error occurred.", details=[{
                "code": "RetryableErrorDueToAnotherOperation",
                "message": f"Operation {op.kind} ({op.id}) is updating resource {op.resource_key}. "
                           "The call can be retried in 5 seconds."}],
                headers=self.emu.scaled_retry_after(5))
        raise ArmError(409, "AnotherOperationInProgress",
                       "Another operation on this or dependent resource is in progress. To retrieve status "
                       f"of the operation use uri: {status_url}.")

    # ---- writes ----------------------------------------------------------------
    def put(self, req, handler, rid, existing, patch=False):
        self.check_conditions(req, handler, existing)
        self.check_busy(req, handler, rid)
        body = req.body if isinstance(req.body, dict) else {}
        if body is None or not isinstance(req.body, dict):
            raise bad_request("InvalidRequestContent", "The request content was invalid and could not be deserialized.")
        if patch:
            new_body = handler.patch(req, rid, body, existing)
        else:
            new_body = handler.validate(req, rid, body, existing)
        before = copy.deepcopy(existing.body) if existing else None
        created = existing is None
        res = existing or Resource(rid, handler, new_body)
        res.body = new_body
        res.etag = new_guid()
        res.provisioning_state = "Succeeded"
        if handler.inherit_parent_etag:
            parent = self.store.get(rid.parent().key)
            if parent is not None:
                parent.etag = new_guid()
        self.store.put(res)
        handler.after_write(req, res, before)
        if handler.synchronous(req) or handler.answers_at_once(req, res, before):
            return self.ok(handler, res, handler.sync_create_status if created else 200)
        op = self.start_operation(req, handler, res, "put", created)
        if before is not None and handler.finishes_at_once(res, before):
            self.store.finish_operation(op)
        return self.write_response(req, handler, res, op, created, "put")

    def delete(self, req, handler, rid, existing):
        if existing is None:
            return Response(204)
        self.check_conditions(req, handler, existing)
        self.check_busy(req, handler, rid)
        handler.check_delete(req, existing)
        if handler.synchronous(req):
            existing.transient_state = "Deleting"   # its children's side effects see it going
            self.remove_now(existing)
            return Response(200)
        op = self.start_operation(req, handler, existing, "delete", False)
        return self.write_response(req, handler, existing, op, False, "delete")

    def remove_now(self, res):
        """Remove a resource, its children first, then run its handler's side effects."""
        for child in self.store.children(res.key):
            self.remove_now(child)
        if self.store.remove(res.key) is not None:
            res.handler.on_deleted(res)
            if res.handler.inherit_parent_etag:
                parent = self.store.get(res.rid.parent().key)
                if parent is not None:
                    parent.etag = new_guid()

    def start_operation(self, req, handler, res, kind, created):
        duration = handler.duration if kind == "put" else (handler.delete_duration or handler.duration)
        done_at = time.monotonic() + self.emu.scaled(duration)
        location = self.operation_location(res)
        finish = (lambda: self.remove_now(res)) if kind == "delete" else (lambda: handler.put_finished(res, op))
        error = None
        if req.fault is not None:
            error = req.fault
        op = Operation(new_guid(), kind, res.key, done_at, handler.locks(res.rid), handler.lro_style,
                       location, finish=finish, error=error)
        op.start_time = utc_now_iso()
        res.pending_op = op.id
        res.transient_state = "Deleting" if kind == "delete" else (handler.create_state if created else handler.update_state)
        self.store.add_operation(op)
        return op

    def operation_location(self, res):
        top = self.store.get(ResourceId(res.rid.subscription, res.rid.resource_group, res.rid.namespace,
                                        res.rid.pairs[:1]).key)
        location = (top or res).body.get("location") or "global"
        return "global" if location == "global" else location

    def write_response(self, req, handler, res, op, created, kind):
        sub, rid = res.rid.subscription, res.rid
        # No Retry-After on an operation that has already ended (ASO recording: a PE tag update).
        headers = {} if op.finished else self.emu.retry_after_headers(handler.retry_after)
        style = handler.lro_style
        if style == NETWORK:
            base = f"/subscriptions/{sub}/providers/Microsoft.Network/locations/{op.location}"
            headers["Azure-AsyncOperation"] = req.url(f"{base}/operations/{op.id}")
            if kind == "delete":
                headers["Location"] = req.url(f"{base}/operationResults/{op.id}")
                op.poll_headers = {k: headers[k] for k in ("Azure-AsyncOperation", "Location")}
                return Response(202, None, headers)
            headers["Azure-AsyncNotification"] = "Enabled"
            # NRP sends its ETag header on GETs only, never on a write's answer (every recording).
            return Response(201 if created else 200, handler.render_written(res), headers)
        if style == PRIVATE_DNS:
            base = f"/subscriptions/{sub}/resourceGroups/{rid.resource_group}/providers/Microsoft.Network"
            headers["Azure-AsyncOperation"] = req.url(f"{base}/privateDnsOperationStatuses/{op.id}")
            headers["Location"] = req.url(f"{base}/privateDnsOperationResults/{op.id}")
            op.poll_headers = {k: headers[k] for k in ("Azure-AsyncOperation", "Location")}
            return Response(202, None if kind == "delete" else {}, headers)
        if style == DNS_RESOLVER:
            base = f"/subscriptions/{sub}/resourceGroups/{rid.resource_group}/providers/Microsoft.Network/locations/" \
                   f"{op.location}"
            headers["Azure-AsyncOperation"] = req.url(f"{base}/dnsResolverOperationStatuses/{op.id}")
            headers["Location"] = req.url(f"{base}/dnsResolverOperationResults/{op.id}")
            op.poll_headers = {k: headers[k] for k in ("Azure-AsyncOperation", "Location")}
            return Response(202, None, headers)
        if style == ACR:
            type_prefix = rid.types[-1].lower()
            op.id = self.rename_operation(op, f"{type_prefix}-{op.id}")
            if kind == "delete":
                headers["Location"] = req.url(
                    f"/subscriptions/{sub}/providers/Microsoft.ContainerRegistry/locations/{op.location}"
                    f"/operationResults/{op.id}")
                body = handler.render(res) if not handler.is_child else None
                return Response(202, body, headers)
            headers["Azure-AsyncOperation"] = req.url(f"{rid}/operationStatuses/{op.id}")
            op.poll_headers = {"Azure-AsyncOperation": headers["Azure-AsyncOperation"]}
            return Response(201 if created or handler.always_201 else 200, handler.render_written(res), headers)
        if style == STORAGE:
            # StorageAccounts_Create (storage.json 2023-05-01: x-ms-long-running-operation, 200/202). Recorded
            # (azure-cli storage test_create_storage_account_with_public_network_access.yaml): 202, empty body,
            # Location .../providers/Microsoft.Storage/locations/{loc}/asyncoperations/{id}?monitor=true&api-version=,
            # no Azure-AsyncOperation; each poll answers 202 (empty, the Location again) until 200 with the account.
            headers["Location"] = (f"{req.base_url}/subscriptions/{sub}/providers/{handler.namespace}/locations/"
                                   f"{op.location}/asyncoperations/{op.id}?monitor=true&api-version={req.api_version}")
            op.poll_headers = {"Location": headers["Location"]}
            return Response(202, None, headers)
        if style == SQL:
            # SQL (Servers.json / VirtualNetworkRules.json / PrivateEndpointConnections.json 2023-08-01: long-running,
            # 202 with Location). Recorded (azure-cli sql test_sql_firewall_mgmt.yaml, `sql server create`): 202 with
            # body {operation, startTime}, Azure-AsyncOperation {rg}/providers/Microsoft.Sql/locations/{loc}/
            # serverAzureAsyncOperation/{id} and Location .../serverOperationResults/{id}; status polls answer
            # {name, status, startTime}. The prefix of other types follows the server's pattern (handler.sql_operation).
            prefix, upsert, drop = handler.sql_operation
            base = f"/subscriptions/{sub}/resourceGroups/{rid.resource_group}/providers/{handler.namespace}/locations/" \
                   f"{op.location}"
            headers["Azure-AsyncOperation"] = req.url(f"{base}/{prefix}AzureAsyncOperation/{op.id}")
            headers["Location"] = req.url(f"{base}/{prefix}OperationResults/{op.id}")
            name = drop if kind == "delete" else upsert
            body = {"operation": name, "startTime": op.start_time} if name else None
            return Response(202, body, headers)
        if style == BODY:
            # Key Vault's Vaults_CreateOrUpdate (keyvault.json 2023-07-01: long-running, 200/201, no operation
            # header). Recorded (azure-cli keyvault test_keyvault_private_endpoint_connection.yaml): the create answers
            # 200 with provisioningState RegisteringDns and no Azure-AsyncOperation or Location; the client reads the
            # vault until Succeeded; an update PUT answers 200 Succeeded at once (handler.finishes_at_once).
            return Response(200, handler.render_written(res), {})
        if style == KEYVAULT:
            # PrivateEndpointConnections_Put (keyvault.json 2023-07-01: not long-running; 200 whose Retry-After and
            # Azure-AsyncOperation headers are sent "only if operation does not finish synchronously") and _Delete
            # (long-running: 200, 202 with Location and Retry-After, 204). Recorded (azure-cli keyvault
            # test_keyvault_private_endpoint_connection.yaml, approve / reject): 200, the connection with the new
            # state and provisioningState Updating, Azure-AsyncOperation = the connection's URL with &kv-operation=.
            url = f"{req.url(str(rid))}&{handler.poll_query}={op.id}"
            if kind == "delete":
                # Emulator convention: no recording of the delete; its Location takes the PUT's recorded form.
                headers["Location"] = url
                return Response(202, None, headers)
            headers["Azure-AsyncOperation"] = url
            return Response(200, handler.render_written(res), headers)
        raise AssertionError(style)

    def poll_by_query(self, req, handler):
        """Key Vault's operation URL: a GET of the resource with `kv-operation=<id>` (recorded header form). What it
        answers is not recorded. Emulator convention: ARM's operation status {status} for a PUT's
        Azure-AsyncOperation, a Location poll's answer (202 running, then 204) for a DELETE."""
        op = self.store.operations.get(req.query[handler.poll_query])
        if op is None:
            raise ArmError(404, "OperationNotFound",
                           f"The operation '{req.query[handler.poll_query]}' could not be found.")
        return self.poll(req, op.id, "result" if op.kind == "delete" else "status")

    def rename_operation(self, op, new_id):
        self.store.operations.pop(op.id, None)
        res = self.store.get(op.resource_key)
        if res is not None and res.pending_op == op.id:
            res.pending_op = new_id
        op.id = new_id
        self.store.operations[new_id] = op
        return new_id

    # ---- operation polling ----------------------------------------------------
    def poll(self, req, op_id, kind):
        """kind: 'status' (Azure-AsyncOperation) or 'result' (Location)."""
        op = self.store.operations.get(op_id)
        if op is None:
            raise ArmError(404, "OperationNotFound", f"The operation '{op_id}' could not be found.")
        headers = {}
        if not op.finished:
            headers.update(self.emu.retry_after_headers(10))
        if repeats_operation_urls(op, kind):
            headers.update(op.poll_headers)
        if kind == "status":
            body = {"status": op.status}
            if op.style == SQL:   # {name, status, startTime} (azure-cli sql test_sql_firewall_mgmt.yaml)
                body = {"name": op.id, "status": op.status, "startTime": getattr(op, "start_time", None)}
            if op.error:
                body["error"] = op.error
            status = 202 if (op.style == PRIVATE_DNS and not op.finished) else 200
            return Response(status, body, headers)
        if not op.finished:
            return Response(202, None, headers)
        if op.error:
            return Response(200, {"status": "Failed", "error": op.error}, headers)
        if op.kind == "delete":
            # Key Vault's connection delete declares 204 "does not exist" (keyvault.json 2023-07-01)
            return Response(204 if op.style in (NETWORK, KEYVAULT) else 200, None, headers)
        res = self.store.get(op.resource_key)
        return Response(200, res.handler.render(res) if res else None, headers)
