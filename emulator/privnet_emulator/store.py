"""In-memory state: subscriptions, resource groups, resources and long-running operations.

One re-entrant lock serialises every request's view of the state, as ARM's own consistency
is per resource and tests need deterministic results.
"""

import copy
import datetime
import threading
import time

from . import DEFAULT_SUBSCRIPTION, SECOND_SUBSCRIPTION, DEFAULT_TENANT
from .ids import new_guid


def utc_now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


class Resource:
    """One stored resource. `body` holds what a GET returns minus computed fields."""

    def __init__(self, rid, handler, body):
        self.rid = rid
        self.handler = handler
        self.body = body              # {"location", "tags", "properties", "sku", ...}
        self.etag = new_guid()
        self.created = utc_now_iso()
        self.provisioning_state = "Succeeded"
        self.pending_op = None        # id of an unfinished operation on this resource
        self.guid = new_guid()        # resourceGuid / internal id

    @property
    def key(self):
        return self.rid.key

    @property
    def properties(self):
        return self.body.setdefault("properties", {})


class Operation:
    def __init__(self, op_id, kind, resource_key, done_at, locks, style, location, finish=None,
                 error=None, result=None):
        self.id = op_id
        self.kind = kind                  # "put" | "delete" | "action"
        self.resource_key = resource_key
        self.done_at = done_at
        self.locks = set(locks)           # resource keys this operation holds (e.g. the VNet)
        self.style = style
        self.location = location
        self.finish = finish              # callable run once when the operation ends
        self.error = error                # ARM error dict when the operation fails
        self.result = result              # body returned by a Location poll when done
        self.poll_headers = {}            # headers a status poll repeats (operation URLs)
        self.finished = False

    @property
    def status(self):
        if not self.finished:
            return "InProgress"
        if self.error:
            # ARM reports an operation superseded by another one as Canceled (error code Canceled).
            return "Canceled" if self.error.get("code") == "Canceled" else "Failed"
        return "Succeeded"


class Store:
    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.tenant = DEFAULT_TENANT
            self.subscriptions = {
                DEFAULT_SUBSCRIPTION: "privnet-emulator-primary",
                SECOND_SUBSCRIPTION: "privnet-emulator-secondary",
            }
            # Tenants (tenants.py): the directories the emulator knows, which tenant each subscription belongs to
            # (default: self.tenant) and where the emulator's client id exists (a multi-tenant application).
            self.tenants = {DEFAULT_TENANT: {"displayName": "privnet emulator", "defaultDomain": "privnet.example"}}
            self.subscription_tenants = {}    # subscription id lower -> tenant id
            self.app_tenants = {DEFAULT_TENANT}
            self.users = {}               # (tenant lower, upn lower) -> user (identity.py add_user)
            self.providers = {}           # (sub, namespace lower) -> registration state
            self.resource_groups = {}     # (sub, rg lower) -> {"name", "location", "tags"}
            self.resources = {}           # key -> Resource
            self.operations = {}          # id -> Operation
            self.vpn_devices = {}         # address lower -> declared on-premises VPN device (providers/vpn.py fixture)
            self.dns_servers = {}         # ip -> declared DNS server (dnsserver.py fixture, /_emulator/dns_servers)

    def tenant_of(self, sub):
        """The tenant a subscription belongs to (tenants.py)."""
        return self.subscription_tenants.get(sub.lower(), self.tenant)

    # --- resource groups -------------------------------------------------
    def get_rg(self, sub, rg):
        return self.resource_groups.get((sub.lower(), rg.lower()))

    # --- resources ----------------------------------------------------------
    def get(self, key):
        return self.resources.get(key.lower())

    def put(self, res):
        self.resources[res.key] = res

    def remove(self, key):
        return self.resources.pop(key.lower(), None)

    def children(self, parent_key, type_name=None):
        prefix = parent_key.lower() + "/"
        out = []
        for key, res in self.resources.items():
            if not key.startswith(prefix):
                continue
            rest = key[len(prefix):].split("/")
            if len(rest) == 2 and (type_name is None or rest[0] == type_name.lower()):
                out.append(res)
        return sorted(out, key=lambda r: r.created)

    def of_type(self, namespace, types, sub=None, rg=None):
        want = (namespace.lower(),) + tuple(t.lower() for t in types)
        out = []
        for res in self.resources.values():
            rid = res.rid
            if (rid.namespace.lower(),) + tuple(t.lower() for t in rid.types) != want:
                continue
            if sub and rid.subscription.lower() != sub.lower():
                continue
            if rg and rid.resource_group.lower() != rg.lower():
                continue
            out.append(res)
        return sorted(out, key=lambda r: r.created)

    def in_resource_group(self, sub, rg):
        prefix = f"/subscriptions/{sub}/resourcegroups/{rg}/".lower()
        return [r for k, r in self.resources.items() if k.startswith(prefix)]

    # --- operations ---------------------------------------------------------
    def add_operation(self, op):
        self.operations[op.id] = op
        return op

    def tick(self):
        """Finish every operation whose time has come (called before each request); returns how many."""
        now = time.monotonic()
        finished = 0
        for op in sorted(self.operations.values(), key=lambda o: o.done_at):
            if not op.finished and op.done_at <= now:
                self.finish_operation(op)
                finished += 1
        return finished

    def finish_operation(self, op):
        op.finished = True
        res = self.get(op.resource_key) if op.resource_key else None
        if res is not None and res.pending_op == op.id:
            res.pending_op = None
            if op.error and op.kind == "put":
                res.provisioning_state = "Failed"
        if op.finish and not op.error:
            op.finish()

    def busy_operation(self, keys):
        """An unfinished operation that holds any of these keys, or None."""
        keys = {k.lower() for k in keys}
        for op in self.operations.values():
            if not op.finished and op.locks & keys:
                return op
        return None

    def snapshot(self):
        with self.lock:
            return {
                "subscriptions": dict(self.subscriptions),
                "resourceGroups": [dict(v) for v in self.resource_groups.values()],
                "resources": [
                    {"id": str(r.rid), "etag": r.etag, "provisioningState": r.provisioning_state,
                     "body": copy.deepcopy(r.body)}
                    for r in sorted(self.resources.values(), key=lambda r: r.key)
                ],
                "operations": [
                    {"id": o.id, "kind": o.kind, "resource": o.resource_key, "status": o.status}
                    for o in self.operations.values() if not o.finished
                ],
            }
