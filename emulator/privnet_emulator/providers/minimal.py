"""Private-link-only targets: Microsoft.DocumentDB/databaseAccounts (api 2024-11-15),
Microsoft.DBforPostgreSQL/flexibleServers (api 2024-08-01) and Microsoft.ServiceBus/namespaces (api 2021-11-01):
minimal resource CRUD, publicNetworkAccess, privateEndpointConnections and privateLinkResources (linktargets.py).

Sources:
* Cosmos DB: azure-rest-api-specs specification/cosmos-db/resource-manager/Microsoft.DocumentDB/stable/2024-11-15
  (cosmos-db.json DatabaseAccountCreateUpdateParameters: kind, properties.databaseAccountOfferType "Standard" and
  properties.locations [{locationName, failoverPriority}] required; documentEndpoint; publicNetworkAccess Enabled |
  Disabled | SecuredByPerimeter; privateLinkResources.json, privateEndpointConnection.json). Group `Sql`
  (private-link/private-endpoint-overview.md); required members: the account and one `<account>-<region>` per
  location (cosmos-db/how-to-configure-private-endpoints.md: a private IP per region, FQDNs `<account>.documents.
  azure.com` and `<account>-<region>.documents.azure.com`); zone privatelink.documents.azure.com /
  privatelink.documents.azure.us / privatelink.documents.azure.cn (private-endpoint-dns.md). A rejected connection
  cannot be approved: 400 BadRequest "Approving rejected private endpoint connections is not supported."
  (MicrosoftDocs/azure-docs PR #86823 quotes Cosmos DB's answer; manage-private-endpoint.md, final note).
* PostgreSQL flexible server: specification/postgresql/resource-manager/Microsoft.DBforPostgreSQL/stable/2024-08-01
  (FlexibleServers.json: sku {name, tier}, administratorLogin, administratorLoginPassword write-only, version,
  network.publicNetworkAccess Enabled | Disabled, fullyQualifiedDomainName `<server>.postgres.database.azure.com`
  (clouds.py postgresqlServerEndpoint); PrivateEndpointConnections.json, PrivateLinkResources.json). Group
  `postgresqlServer`, member `postgresqlServer`; zone privatelink.postgres.database.azure.com /
  .usgovcloudapi.net / .chinacloudapi.cn (private-endpoint-dns.md).
* Service Bus: specification/servicebus/resource-manager/Microsoft.ServiceBus/stable/2021-11-01 (namespaces.json:
  sku {name Basic | Standard | Premium, tier}, serviceBusEndpoint `https://<ns>.servicebus.windows.net:443/`,
  publicNetworkAccess Enabled | Disabled | SecuredByPerimeter; privateEndpointConnections, privateLinkResources).
  Group `namespace`, member `namespace`; zone privatelink.servicebus.windows.net / privatelink.servicebus.
  usgovcloudapi.net / privatelink.servicebus.chinacloudapi.cn (private-endpoint-dns.md).

Emulator convention: writes answer synchronously (200, 201 for a new resource), no etag; an unknown enum value or a
  missing required property is 400 BadRequest naming the field.
Not modelled: Service Bus's Premium-only private endpoints (service-bus-messaging/private-link-service.md; the error
  is not documented, so any SKU takes one), Cosmos DB's regional failover and APIs other than NoSQL (groups
  MongoDB, Cassandra, ...), PostgreSQL's VNet-integrated (delegated subnet) mode, firewall rules of these services.
"""

import copy

from .. import clouds
from ..arm import SYNC, ResourceType
from ..errors import bad_request
from . import endpoints, linktargets

# (documents host suffix, service bus suffix) per cloud: private-endpoint-dns.md public DNS zone forwarders.
COSMOS_SUFFIX = {"AzureCloud": "documents.azure.com", "AzureUSGovernment": "documents.azure.us",
                 "AzureChinaCloud": "documents.azure.cn"}
SERVICEBUS_SUFFIX = {"AzureCloud": "servicebus.windows.net", "AzureUSGovernment": "servicebus.usgovcloudapi.net",
                     "AzureChinaCloud": "servicebus.chinacloudapi.cn"}
PUBLIC_ACCESS = ("Enabled", "Disabled", "SecuredByPerimeter")


def enum(value, allowed, field):
    found = next((a for a in allowed if a.lower() == str(value or "").lower()), None)
    if found is None:
        raise bad_request("BadRequest", f"The value '{value}' is not valid for {field}. Allowed values: "
                                        f"{', '.join(allowed)}.")
    return found


class MinimalType(ResourceType):
    lro_style = SYNC
    etag_style = None
    top_level_keys = ("sku", "kind", "identity")

    def validate(self, req, rid, body, existing):
        return self.normalise(self.default_body(rid, body), existing)

    def patch(self, req, rid, body, existing):
        new = copy.deepcopy(existing.body)
        if "tags" in body:
            new["tags"] = body.get("tags") or {}
        for key in ("sku", "identity"):
            if body.get(key) is not None:
                new[key] = copy.deepcopy(body[key])
        for key, value in (body.get("properties") or {}).items():
            if value is not None:
                new["properties"][key] = copy.deepcopy(value)
        return self.normalise(new, existing)

    def normalise(self, new, existing):
        return new

    def render(self, res):
        out = super().render(res)
        out["tags"] = res.body.get("tags") or {}
        return out

    def connections(self, res, connection_type):
        return [{"id": c["id"], "properties": c["properties"]}
                for c in linktargets.connections_of(self.emu, res, connection_type)]


# ---- Cosmos DB ----------------------------------------------------------------------------------------------------
class CosmosTarget(linktargets.FirstPartyTarget):
    resource_type = "Microsoft.DocumentDB/databaseAccounts"
    label = "database account"

    def groups(self, emu, target_res):
        suffix = COSMOS_SUFFIX[clouds.of(emu).name]
        name = target_res.rid.name.lower()
        members = [(name, f"{name}.{suffix}")]
        for loc in target_res.properties.get("locations") or []:
            region = loc["locationName"]
            members.append((f"{name}-{region}", f"{name}-{region}.{suffix}"))
        return [{"group_id": "Sql", "members": members, "zones": [f"privatelink.{suffix}"]}]

    def public_names(self, emu, target_res):
        suffix = COSMOS_SUFFIX[clouds.of(emu).name]
        return [("Sql", fqdn, fqdn.replace(f".{suffix}", f".privatelink.{suffix}"))
                for _, fqdn in self.groups(emu, target_res)[0]["members"]]


class DatabaseAccount(MinimalType):
    namespace = "Microsoft.DocumentDB"
    types = ("databaseAccounts",)

    def normalise(self, new, existing):
        props = new["properties"]
        for key in ("provisioningState", "documentEndpoint", "privateEndpointConnections", "writeLocations",
                    "readLocations"):
            props.pop(key, None)
        new["kind"] = enum(new.get("kind") or "GlobalDocumentDB", ("GlobalDocumentDB", "MongoDB", "Parse"), "kind")
        props["databaseAccountOfferType"] = enum(props.get("databaseAccountOfferType"), ("Standard",),
                                                 "properties.databaseAccountOfferType")
        locations = props.get("locations") or []
        if not locations:
            raise bad_request("BadRequest", "The property 'properties.locations' is required.")
        props["locations"] = [{"locationName": (loc.get("locationName") or "").replace(" ", "").lower(),
                               "failoverPriority": int(loc.get("failoverPriority") or 0)} for loc in locations]
        props["publicNetworkAccess"] = enum(props.get("publicNetworkAccess") or "Enabled", PUBLIC_ACCESS,
                                            "properties.publicNetworkAccess")
        return new

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        name = res.rid.name.lower()
        props["documentEndpoint"] = f"https://{name}.{COSMOS_SUFFIX[clouds.of(self.emu).name]}:443/"
        props["privateEndpointConnections"] = self.connections(res, CosmosConnection)
        return props


class CosmosConnection(linktargets.ConnectionType):
    namespace = "Microsoft.DocumentDB"
    types = ("databaseAccounts", "privateEndpointConnections")


class CosmosLinkResource(linktargets.LinkResourceType):
    namespace = "Microsoft.DocumentDB"
    types = ("databaseAccounts", "privateLinkResources")


# ---- PostgreSQL flexible server -------------------------------------------------------------------------------------
class PostgresTarget(linktargets.FirstPartyTarget):
    resource_type = "Microsoft.DBforPostgreSQL/flexibleServers"
    label = "server"

    def groups(self, emu, target_res):
        suffix = clouds.of(emu).suffixes["postgresqlServerEndpoint"]
        name = target_res.rid.name.lower()
        return [{"group_id": "postgresqlServer", "members": [("postgresqlServer", f"{name}.{suffix}")],
                 "zones": [f"privatelink.{suffix}"]}]

    def public_names(self, emu, target_res):
        suffix = clouds.of(emu).suffixes["postgresqlServerEndpoint"]
        name = target_res.rid.name.lower()
        return [("postgresqlServer", f"{name}.{suffix}", f"{name}.privatelink.{suffix}")]


class FlexibleServer(MinimalType):
    namespace = "Microsoft.DBforPostgreSQL"
    types = ("flexibleServers",)

    def normalise(self, new, existing):
        props = new["properties"]
        for key in ("provisioningState", "state", "fullyQualifiedDomainName", "privateEndpointConnections"):
            props.pop(key, None)
        if existing is None and not props.get("administratorLogin"):
            raise bad_request("BadRequest", "The property 'properties.administratorLogin' is required.")
        if props.pop("administratorLoginPassword", None):   # write-only (FlexibleServers.json)
            new.setdefault("internal", {})["passwordSet"] = True
        network = props.setdefault("network", {})
        network["publicNetworkAccess"] = enum(network.get("publicNetworkAccess") or "Enabled",
                                              ("Enabled", "Disabled"), "properties.network.publicNetworkAccess")
        props.setdefault("version", "16")
        new.setdefault("sku", {"name": "Standard_D2ds_v4", "tier": "GeneralPurpose"})
        return new

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        props["state"] = "Ready"
        props["fullyQualifiedDomainName"] = \
            f"{res.rid.name.lower()}.{clouds.of(self.emu).suffixes['postgresqlServerEndpoint']}"
        props["privateEndpointConnections"] = self.connections(res, PostgresConnection)
        return props


class PostgresConnection(linktargets.ConnectionType):
    namespace = "Microsoft.DBforPostgreSQL"
    types = ("flexibleServers", "privateEndpointConnections")
    show_group_ids = True


class PostgresLinkResource(linktargets.LinkResourceType):
    namespace = "Microsoft.DBforPostgreSQL"
    types = ("flexibleServers", "privateLinkResources")


# ---- Service Bus ---------------------------------------------------------------------------------------------------
class ServiceBusTarget(linktargets.FirstPartyTarget):
    resource_type = "Microsoft.ServiceBus/namespaces"
    label = "namespace"

    def groups(self, emu, target_res):
        suffix = SERVICEBUS_SUFFIX[clouds.of(emu).name]
        name = target_res.rid.name.lower()
        return [{"group_id": "namespace", "members": [("namespace", f"{name}.{suffix}")],
                 "zones": [f"privatelink.{suffix}"]}]

    def public_names(self, emu, target_res):
        suffix = SERVICEBUS_SUFFIX[clouds.of(emu).name]
        name = target_res.rid.name.lower()
        return [("namespace", f"{name}.{suffix}", f"{name}.privatelink.{suffix}")]


class Namespace(MinimalType):
    namespace = "Microsoft.ServiceBus"
    types = ("namespaces",)

    def normalise(self, new, existing):
        props = new["properties"]
        for key in ("provisioningState", "status", "serviceBusEndpoint", "privateEndpointConnections"):
            props.pop(key, None)
        name = enum((new.get("sku") or {}).get("name") or "Standard", ("Basic", "Standard", "Premium"), "sku.name")
        new["sku"] = dict(new.get("sku") or {}, name=name, tier=name)
        props["publicNetworkAccess"] = enum(props.get("publicNetworkAccess") or "Enabled", PUBLIC_ACCESS,
                                            "properties.publicNetworkAccess")
        return new

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        props["status"] = "Active"
        suffix = SERVICEBUS_SUFFIX[clouds.of(self.emu).name]
        props["serviceBusEndpoint"] = f"https://{res.rid.name.lower()}.{suffix}:443/"
        props["privateEndpointConnections"] = self.connections(res, ServiceBusConnection)
        return props


class ServiceBusConnection(linktargets.ConnectionType):
    namespace = "Microsoft.ServiceBus"
    types = ("namespaces", "privateEndpointConnections")


class ServiceBusLinkResource(linktargets.LinkResourceType):
    namespace = "Microsoft.ServiceBus"
    types = ("namespaces", "privateLinkResources")


CosmosTarget.connection_type = CosmosConnection
PostgresTarget.connection_type = PostgresConnection
ServiceBusTarget.connection_type = ServiceBusConnection


def register(engine):
    for cls in (DatabaseAccount, CosmosConnection, CosmosLinkResource, FlexibleServer, PostgresConnection,
                PostgresLinkResource, Namespace, ServiceBusConnection, ServiceBusLinkResource):
        engine.register(cls)
    for target in (CosmosTarget(), PostgresTarget(), ServiceBusTarget()):
        endpoints.register_target(engine, target)
