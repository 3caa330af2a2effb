"""Shared parts of the first-party Private Link targets other than container registries: Storage (storage.py), Key
Vault (keyvault.py), SQL (sql.py), and Cosmos DB, PostgreSQL flexible server, Service Bus (minimal.py).

Each target provider declares its groups (group id, required members with the FQDN each stands for, required DNS zone
names), subclasses FirstPartyTarget and registers an instance with endpoints.register_target; it declares its
`privateEndpointConnections` and `privateLinkResources` child types by subclassing ConnectionType and
LinkResourceType. The private endpoint flow itself (NIC, members, zone groups) is endpoints.py's.

Sources, shared by every target here:
* A private endpoint with `privateLinkServiceConnections` is approved at once when its creator may approve on the
  target, one with `manualPrivateLinkServiceConnections` waits (Pending) for the owner (Microsoft Learn
  private-link/private-endpoint-overview.md, "Access to a private link resource using approval workflow"); the owner
  approves, rejects or removes it (private-link/manage-private-endpoint.md). Removing the connection on the target
  leaves the endpoint's connection Disconnected (same article; endpoints.py DISCONNECTED).
* Group ids: private-link/private-endpoint-overview.md ("Private link resource" table): Storage blob, blob_secondary,
  table, table_secondary, queue, queue_secondary, file, file_secondary, web, web_secondary, dfs, dfs_secondary; Key
  Vault `vault`; SQL `sqlServer`; Cosmos DB `Sql` (and other APIs); PostgreSQL flexible server
  `postgresqlServer`; Service Bus `namespace`.
* Zones: private-link/private-endpoint-dns.md (Commercial, Government and China tables).
* Connection state shapes, per spec: `privateLinkServiceConnectionState` {status, description, actionRequired} in
  Storage 2023-05-01 (StorageAccount.tsp / storage.json PrivateLinkServiceConnectionState); {status, description,
  actionsRequired} in Key Vault 2023-07-01 (keyvault.json), SQL 2023-08-01 (PrivateEndpointConnections.json),
  Cosmos DB, PostgreSQL flexible server and Service Bus.

Emulator convention: a target-side connection is named `<target>.<32 hex>` (as acr.py's); the state of a new one is
  {Approved, "Auto-Approved"} (automatic) or {Pending, requestMessage or "Awaiting Approval"} (manual).
Emulator convention: a PUT on a connection name that does not exist is 404 NotFound (connections are created by
  private endpoints); an unknown status is 400 BadRequest naming the allowed ones.
A Rejected connection cannot be approved again (`rejected_is_final`, every target): Microsoft Learn
  private-link/manage-private-endpoint.md ends its "Manage private endpoint connections on Azure PaaS resources"
  part (the generic `az network private-endpoint-connection` commands, any target type) with the note that
  connections previously denied can't be approved and must be removed and created anew; service articles repeat it
  (event-grid configure-private-endpoints.md, automation private-link-security.md). The answer is 400 BadRequest with
  Cosmos DB's wording (MicrosoftDocs/azure-docs PR #86823); other services' wording is not documented.
Connection writes answer as each spec declares them: Storage's, Cosmos DB's, PostgreSQL's and Service Bus's at once
  (200), Key Vault's and SQL's as those providers answer (keyvault.py, sql.py; arm.py KEYVAULT and SQL).
Emulator convention: privateLinkResources is served as a list (GET .../privateLinkResources); the single GET is not
  served (404), and the list follows the target's current state (e.g. the secondary groups of a storage account).
"""

import copy
import uuid

from .. import clouds
from ..arm import SYNC, ResourceType
from ..errors import ArmError, bad_request, not_found_child
from ..store import Resource
from . import endpoints

STATES = ("Approved", "Pending", "Rejected", "Disconnected")
INACTIVE = ("Rejected", "Disconnected")


class FirstPartyTarget(endpoints.PrivateLinkTarget):
    """A target whose groups come from groups(); subclasses set resource_type, label, connection_type (the
    ConnectionType subclass) and implement groups()."""

    connection_type = None       # the ConnectionType subclass of this target
    rejected_is_final = True     # manage-private-endpoint.md (the module docstring)
    rejected_source = ""

    def groups(self, emu, target_res):
        """[{"group_id", "members": [(member, fqdn)], "zones": [zone names]}], in the order the service lists them."""
        raise NotImplementedError

    def group_ids(self, target_res):
        return [g["group_id"] for g in self.groups(target_res.handler.emu, target_res)]

    def members(self, target_res):
        return [(g["group_id"], member, [fqdn]) for g in self.groups(target_res.handler.emu, target_res)
                for member, fqdn in g["members"]]

    def zone_suffixes(self, cloud):
        """{private link zone: [public suffixes it stands for]} where the zone is not simply the public suffix with a
        `privatelink` label (Key Vault: privatelink.vaultcore.azure.net stands for vault.azure.net)."""
        return {}

    def public_names(self, emu, target_res):
        """[(group id, public FQDN, privatelink FQDN)] the public DNS view answers for this target: the public name is
        a CNAME to the privatelink name while a connection of that group is active (private-endpoint-dns.md)."""
        return []

    def create_connection(self, emu, target_res, pe_res, manual, request_message=None):
        state = ({"status": "Pending", "description": request_message or "Awaiting Approval",
                  "actionsRequired": "None"}
                 if manual else {"status": "Approved", "description": "Auto-Approved", "actionsRequired": "None"})
        _, conn = endpoints.connection_of(pe_res.properties)
        groups = list(((conn or {}).get("properties") or {}).get("groupIds") or [])
        rid = target_res.rid.child("privateEndpointConnections", f"{target_res.rid.name}.{uuid.uuid4().hex}")
        handler = emu.engine.handler_for(self.connection_type.namespace, self.connection_type.types)
        res = Resource(rid, handler, {"properties": {"privateEndpoint": {"id": str(pe_res.rid)},
                                                     "privateLinkServiceConnectionState": state},
                                      "internal": {"groupIds": groups}})
        emu.store.put(res)
        return res

    def visible_state(self, connection_res):
        return copy.deepcopy(connection_res.properties.get("privateLinkServiceConnectionState") or {})


def active_groups(emu, target_res):
    """The group ids (lower case) of the target's connections that are neither Rejected nor Disconnected."""
    out = set()
    for conn in emu.store.children(target_res.key, "privateEndpointConnections"):
        state = (conn.properties.get("privateLinkServiceConnectionState") or {}).get("status")
        if state not in INACTIVE:
            out |= {g.lower() for g in (conn.body.get("internal") or {}).get("groupIds") or []}
    return out


def target_of_type(emu, namespace, types):
    return endpoints.link_targets(emu.engine).get(f"{namespace}/{'/'.join(types)}".lower())


def connections_of(emu, target_res, connection_type):
    handler = emu.engine.handler_for(connection_type.namespace, connection_type.types)
    return [handler.render(c) for c in emu.store.children(target_res.key, "privateEndpointConnections")]


class ConnectionType(ResourceType):
    """`{target}/privateEndpointConnections/{name}`: GET, list, PUT (approve / reject), DELETE; synchronous."""

    lro_style = SYNC
    etag_style = None
    has_location = False
    sync_create_status = 200
    actions_key = "actionsRequired"   # Storage spells it actionRequired

    @property
    def link(self):
        return target_of_type(self.emu, self.namespace, self.types[:-1])

    def validate(self, req, rid, body, existing):
        if existing is None:
            raise not_found_child(str(rid))
        props = body.get("properties") or {}
        pe_id = (props.get("privateEndpoint") or {}).get("id")
        current_pe = existing.properties["privateEndpoint"]["id"]
        if pe_id and pe_id.lower() != current_pe.lower():
            raise bad_request("BadRequest", f"The private endpoint of connection {rid.name} is {current_pe} and "
                                            "cannot be changed.")
        state = props.get("privateLinkServiceConnectionState") or {}
        status = next((s for s in STATES if s.lower() == (state.get("status") or "").lower()), None)
        if status is None:
            raise bad_request("BadRequest", f"The value '{state.get('status')}' is not valid for "
                                            "privateLinkServiceConnectionState.status. Allowed values: "
                                            f"{', '.join(STATES)}.")
        current = (existing.properties.get("privateLinkServiceConnectionState") or {}).get("status")
        link = self.link
        if status == "Approved" and link is not None and link.rejected_is_final and \
                (current == "Rejected" or existing.body.get("rejected")):
            raise bad_request("BadRequest", "Approving rejected private endpoint connections is not supported. "
                                            "Delete the connection and create a new private endpoint.")
        new_state = {"status": status,
                     "description": state.get("description") if state.get("description") is not None else
                     (existing.properties.get("privateLinkServiceConnectionState") or {}).get("description", ""),
                     "actionsRequired": state.get(self.actions_key) or state.get("actionsRequired") or "None"}
        new = copy.deepcopy(existing.body)
        new["properties"]["privateLinkServiceConnectionState"] = new_state
        if status == "Rejected":
            new["rejected"] = True
        return new

    def patch(self, req, rid, body, existing):
        raise ArmError(405, "MethodNotAllowed", "The method PATCH is not allowed.")

    def render(self, res):
        state = copy.deepcopy(res.properties.get("privateLinkServiceConnectionState") or {})
        actions = state.pop("actionsRequired", "None")
        state[self.actions_key] = actions
        props = {"privateEndpoint": copy.deepcopy(res.properties["privateEndpoint"]),
                 "privateLinkServiceConnectionState": state,
                 "provisioningState": self.provisioning_state(res)}
        groups = (res.body.get("internal") or {}).get("groupIds")
        if groups and self.show_group_ids:
            props["groupIds"] = list(groups)
        return {"id": str(res.rid), "name": res.rid.name, "type": self.arm_type, "properties": props}

    show_group_ids = False


class LinkResourceType(ResourceType):
    """`{target}/privateLinkResources`: the target's groups as a list (read-only)."""

    lro_style = SYNC
    etag_style = None
    has_location = False

    def validate(self, req, rid, body, existing):
        raise ArmError(405, "MethodNotAllowed", "Private link resources are read-only.")

    def check_delete(self, req, res):
        raise ArmError(405, "MethodNotAllowed", "Private link resources are read-only.")

    def list_children(self, req, parent):
        target = self.store.get(parent.key)
        link = target_of_type(self.emu, self.namespace, self.types[:-1])
        out = []
        for group in link.groups(self.emu, target):
            res = Resource(parent.child("privateLinkResources", group["group_id"]), self, {"group": group})
            out.append(res)
        return out

    def render(self, res):
        group = res.body["group"]
        return {"id": str(res.rid), "name": res.rid.name, "type": self.arm_type,
                "properties": {"groupId": group["group_id"],
                               "requiredMembers": [m for m, _ in group["members"]],
                               "requiredZoneNames": list(group["zones"])}}


def cloud_of(emu):
    return clouds.of(emu)
