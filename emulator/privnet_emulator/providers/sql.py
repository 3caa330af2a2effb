"""Microsoft.Sql (api 2023-08-01): servers, their firewallRules, virtualNetworkRules, privateEndpointConnections and
privateLinkResources.

Sources (azure-rest-api-specs specification/sql/resource-manager/Microsoft.Sql/stable/2023-08-01: Servers.json,
FirewallRules.json, VirtualNetworkRules.json, PrivateEndpointConnections.json, PrivateLinkResources.json and their
examples):
* Servers_CreateOrUpdate (PUT; 200/201/202), Servers_Get, Servers_Update (PATCH), Servers_Delete, Servers_List /
  ListByResourceGroup. ServerProperties: administratorLogin, administratorLoginPassword (write-only, required to create
  a server per its description; never in an answer), version, state,
  fullyQualifiedDomainName `<server>.<sqlServerHostname>` (database.windows.net / database.usgovcloudapi.net /
  database.chinacloudapi.cn: azure-cli core/cloud.py `sql_server_hostname`; clouds.py), publicNetworkAccess
  (Enabled | Disabled | SecuredByPerimeter), minimalTlsVersion, restrictOutboundNetworkAccess,
  privateEndpointConnections [{id, properties}] (ServerPrivateEndpointConnection).
* FirewallRules_CreateOrUpdate / Get / Delete / ListByServer: {properties: {startIpAddress, endIpAddress}}.
* VirtualNetworkRules_CreateOrUpdate / Get / Delete / ListByServer: {properties: {virtualNetworkSubnetId (required),
  ignoreMissingVnetServiceEndpoint, state}}.
* PrivateEndpointConnections_Get / CreateOrUpdate / Delete / ListByServer: properties privateEndpoint,
  groupIds (read-only), privateLinkServiceConnectionState {status, description, actionsRequired (read-only)},
  provisioningState. PrivateLinkResources_ListByServer: group `sqlServer`, requiredMembers ["sqlServer"],
  requiredZoneNames ["privatelink.database.windows.net"] (Government privatelink.database.usgovcloudapi.net, China
  privatelink.database.chinacloudapi.cn: private-link/private-endpoint-dns.md, Azure SQL Database rows).
* A virtual network rule whose subnet lacks the Microsoft.Sql service endpoint is refused unless
  ignoreMissingVnetServiceEndpoint is true (azure-sql/database/vnet-service-endpoint-rule-overview.md: the rule needs
  the endpoint; the flag creates it before the endpoint exists). The code: 400 VirtualNetworkRuleBadRequest
  "Network resource provider returned following error: '...'" (the SQL-family code Azure/azure-service-operator #1006
  quotes for a virtual network rule NRP refuses), with NRP's wording for a subnet without the service endpoint as
  quoted for Storage and Key Vault (hashicorp/terraform-provider-azurerm #16547, Azure/avdaccelerator #818).
  Nearest source, not a recording of this exact refusal.

Writes (2023-08-01; arm.py SQL): Servers_CreateOrUpdate (200/201/202 with Location), Servers_Update (200/202),
  Servers_Delete (200/202/204), VirtualNetworkRules_CreateOrUpdate (200/201/202 with Location) and _Delete
  (200/202/204), PrivateEndpointConnections_CreateOrUpdate (200/202) and _Delete (200/202/204) are long-running
  (x-ms-long-running-operation); FirewallRules_CreateOrUpdate (200/201) and _Delete (200/204) are not and answer at
  once (201 for a new rule: azure-cli sql test_sql_firewall_mgmt.yaml). The long-running ones answer 202 with
  Azure-AsyncOperation `{rg}/providers/Microsoft.Sql/locations/{loc}/serverAzureAsyncOperation/{id}` and Location
  `.../serverOperationResults/{id}`, body {operation: UpsertLogicalServer, startTime} (recorded `sql server create`,
  same file); status polls answer {name, status, startTime}.
Emulator convention: the operation URLs of virtual network rules and connections follow the server's recorded
  pattern with the prefixes `virtualNetworkRules` and `privateEndpointConnection`, and their 202 has no body; a server
  delete's body names DropLogicalServer (neither is recorded here).
Emulator convention: no etag; a firewall rule whose
  addresses are not IPv4 or whose start is after its end, a missing administratorLogin on create, an unknown
  publicNetworkAccess, or a VNet rule naming no subnet is 400 BadRequest naming the field; state is "Ready", version
  "12.0" unless sent; kind "v12.0".
Not modelled: server name rules and global uniqueness, databases, elastic pools, Entra-only authentication,
  outbound firewall rules, the SQL-specific rule that VNet rules need publicNetworkAccess Enabled.
"""

import copy
import ipaddress

from .. import clouds
from ..arm import SQL, SYNC, ResourceType
from ..errors import bad_request
from . import endpoints, linktargets
from .storage import check_subnet_endpoint

NAMESPACE = "Microsoft.Sql"


def server_host(cloud, name):
    return f"{name.lower()}.{cloud.suffixes['sqlServerHostname']}"


def no_endpoint_error(subnet):
    return bad_request("VirtualNetworkRuleBadRequest",
                       "Network resource provider returned following error: 'Subnets "
                       f"{subnet.rid.name} of virtual network {subnet.rid.parent()} do not have ServiceEndpoints for "
                       "Microsoft.Sql resources configured. Add Microsoft.Sql to subnet's ServiceEndpoints collection "
                       "before trying to ACL Microsoft.Sql resources to these subnets.'.")


class SqlLinkTarget(linktargets.FirstPartyTarget):
    resource_type = f"{NAMESPACE}/servers"
    label = "server"

    def groups(self, emu, target_res):
        cloud = clouds.of(emu)
        return [{"group_id": "sqlServer", "members": [("sqlServer", server_host(cloud, target_res.rid.name))],
                 "zones": [f"privatelink.{cloud.suffixes['sqlServerHostname']}"]}]

    def public_names(self, emu, target_res):
        cloud = clouds.of(emu)
        name = target_res.rid.name.lower()
        return [("sqlServer", server_host(cloud, name), f"{name}.privatelink.{cloud.suffixes['sqlServerHostname']}")]


class SqlType(ResourceType):
    namespace = NAMESPACE
    lro_style = SQL               # long-running writes (module docstring); firewall rules override
    etag_style = None


class Server(SqlType):
    types = ("servers",)
    sql_operation = ("server", "UpsertLogicalServer", "DropLogicalServer")
    top_level_keys = ("identity",)

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        if existing is not None:
            new["internal"] = copy.deepcopy(existing.body.get("internal") or {})
        return self.normalise(new, existing)

    def patch(self, req, rid, body, existing):
        new = copy.deepcopy(existing.body)
        if "tags" in body:
            new["tags"] = body.get("tags") or {}
        for key, value in (body.get("properties") or {}).items():
            if value is not None:
                new["properties"][key] = copy.deepcopy(value)
        return self.normalise(new, existing)

    def normalise(self, new, existing):
        props = new["properties"]
        for key in ("provisioningState", "state", "fullyQualifiedDomainName", "privateEndpointConnections",
                    "workspaceFeature", "externalGovernanceStatus"):
            props.pop(key, None)
        if existing is None and not props.get("administratorLogin"):
            raise bad_request("BadRequest", "The property 'properties.administratorLogin' is required to create a "
                                            "server.")
        password = props.pop("administratorLoginPassword", None)
        if password:   # write-only (Servers.json): kept aside, never rendered
            new.setdefault("internal", {})["passwordSet"] = True
        props.setdefault("version", "12.0")
        value = props.get("publicNetworkAccess") or "Enabled"
        found = next((a for a in ("Enabled", "Disabled", "SecuredByPerimeter") if a.lower() == value.lower()), None)
        if found is None:
            raise bad_request("BadRequest", f"The value '{value}' is not valid for properties.publicNetworkAccess.")
        props["publicNetworkAccess"] = found
        props.setdefault("restrictOutboundNetworkAccess", "Disabled")
        props.setdefault("minimalTlsVersion", "1.2")
        return new

    def render(self, res):
        out = super().render(res)
        # ServerProperties has no provisioningState (Servers.json 2023-08-01); a recorded server GET has none either
        # (azure-cli sql test_sql_firewall_mgmt.yaml): the operation URLs tell a write's progress, state is "Ready".
        out["properties"].pop("provisioningState", None)
        out["kind"] = "v12.0"
        out["tags"] = res.body.get("tags") or {}
        return out

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        props["state"] = "Ready"
        props["fullyQualifiedDomainName"] = server_host(clouds.of(self.emu), res.rid.name)
        conns = linktargets.connections_of(self.emu, res, PrivateEndpointConnection)
        props["privateEndpointConnections"] = [{"id": c["id"], "properties": c["properties"]} for c in conns]
        return props


class FirewallRule(SqlType):
    types = ("servers", "firewallRules")
    lro_style = SYNC              # FirewallRules_CreateOrUpdate / _Delete are not long-running
    has_location = False

    def validate(self, req, rid, body, existing):
        props = body.get("properties") or {}
        addresses = []
        for field in ("startIpAddress", "endIpAddress"):
            try:
                addresses.append(ipaddress.IPv4Address(props.get(field) or ""))
            except ValueError:
                raise bad_request("BadRequest", f"The value '{props.get(field)}' of properties.{field} is not an IPv4 "
                                                "address.")
        if addresses[0] > addresses[1]:
            raise bad_request("BadRequest", "properties.startIpAddress must not be after properties.endIpAddress.")
        return {"properties": {"startIpAddress": str(addresses[0]), "endIpAddress": str(addresses[1])}}

    def render(self, res):
        return {"id": str(res.rid), "name": res.rid.name, "type": self.arm_type,
                "properties": copy.deepcopy(res.properties)}


class VirtualNetworkRule(SqlType):
    types = ("servers", "virtualNetworkRules")
    sql_operation = ("virtualNetworkRules", None, None)
    has_location = False

    def validate(self, req, rid, body, existing):
        props = body.get("properties") or {}
        subnet_id = props.get("virtualNetworkSubnetId")
        ignore = bool(props.get("ignoreMissingVnetServiceEndpoint", False))
        subnet = check_subnet_endpoint(self.emu, subnet_id, ("microsoft.sql",), "Microsoft.Sql",
                                       (lambda s: None) if ignore else no_endpoint_error)
        if subnet is None and not ignore:
            raise bad_request("BadRequest", f"The subnet '{subnet_id}' of properties.virtualNetworkSubnetId was not "
                                            "found.")
        return {"properties": {"virtualNetworkSubnetId": str(subnet.rid) if subnet else subnet_id,
                               "ignoreMissingVnetServiceEndpoint": ignore}}

    def render(self, res):
        props = dict(copy.deepcopy(res.properties), state="Ready")
        return {"id": str(res.rid), "name": res.rid.name, "type": self.arm_type, "properties": props}


class PrivateEndpointConnection(linktargets.ConnectionType):
    namespace = NAMESPACE
    types = ("servers", "privateEndpointConnections")
    lro_style = SQL
    sql_operation = ("privateEndpointConnection", None, None)
    show_group_ids = True   # groupIds is a read-only property of SQL's connection (PrivateEndpointConnections.json)


class PrivateLinkResource(linktargets.LinkResourceType):
    namespace = NAMESPACE
    types = ("servers", "privateLinkResources")


SqlLinkTarget.connection_type = PrivateEndpointConnection


def register(engine):
    for cls in (Server, FirewallRule, VirtualNetworkRule, PrivateEndpointConnection, PrivateLinkResource):
        engine.register(cls)
    endpoints.register_target(engine, SqlLinkTarget())
