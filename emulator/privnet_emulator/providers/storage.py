"""Microsoft.Storage (api 2023-05-01): storageAccounts, their privateEndpointConnections and privateLinkResources,
and checkNameAvailability.

Sources (azure-rest-api-specs specification/storage/resource-manager/Microsoft.Storage/stable/2023-05-01,
Storage.Management/StorageAccount.tsp and its examples StorageAccountCreate.json, StorageAccountGetProperties.json,
StorageAccountUpdate*.json, StorageAccountGetPrivateEndpointConnection.json,
StorageAccountDeletePrivateEndpointConnection.json):
* StorageAccounts_Create (PUT; 200/202), StorageAccounts_GetProperties, StorageAccounts_Update (PATCH: the
  properties sent replace the account's, networkAcls as a whole), StorageAccounts_Delete (200/204),
  StorageAccounts_List / ListByResourceGroup, StorageAccounts_CheckNameAvailability (reasons AccountNameInvalid,
  AlreadyExists); PrivateEndpointConnections_List / Get / Put / Delete; PrivateLinkResources_ListByStorageAccount.
* sku.name Standard_LRS, Standard_GRS, Standard_RAGRS, Standard_ZRS, Premium_LRS, Premium_ZRS, Standard_GZRS,
  Standard_RAGZRS (tier Standard / Premium); kind Storage, StorageV2, BlobStorage, FileStorage, BlockBlobStorage.
* networkAcls (NetworkRuleSet): bypass (any combination of Logging, Metrics, AzureServices, or None; default
  AzureServices), defaultAction (Allow | Deny, required), ipRules [{value, action: Allow}], virtualNetworkRules [{id,
  action: Allow, state}]; publicNetworkAccess Enabled | Disabled | SecuredByPerimeter.
* primaryEndpoints / secondaryEndpoints: `https://<acct>.<service>.<storage suffix>/` and
  `https://<acct>-secondary.<service>.<storage suffix>/` (suffix per cloud: core.windows.net,
  core.usgovcloudapi.net, core.chinacloudapi.cn; clouds.py `storage`); secondaryLocation for geo-redundant SKUs.
Errors:
* A name that is not 3-24 lowercase letters and digits: 400 AccountNameInvalid; a name used by another account
  anywhere: 409 StorageAccountAlreadyTaken; the same name in another resource group of the subscription: 409
  StorageAccountInAnotherResourceGroup; a PUT moving an account: 409 InvalidResourceLocation. Microsoft Learn
  azure-resource-manager/troubleshooting/error-storage-account-name.md.
* A virtual network rule whose subnet has no Microsoft.Storage (or Microsoft.Storage.Global) service endpoint: 400
  NetworkAclsValidationFailure "Validation of network acls failure: SubnetsHaveNoServiceEndpointsConfigured:Subnets
  {subnet} of virtual network {vnet id} do not have ServiceEndpoints for Microsoft.Storage resources configured. ..."
  (hashicorp/terraform-provider-azurerm #16547, Azure/azure-cli #32434, MicrosoftDocs/azure-docs #44267 quote it;
  Microsoft.Storage.Global counts: storage/common/storage-network-security-virtual-networks.md, cross-region
  service endpoints). A malformed subnet id: 400 InvalidValuesForRequestParameters "Values for request parameters
  are invalid: networkAcls.virtualNetworkRules[*].id." (Azure/bicep-types-az #1555).
Private Link (linktargets.py, endpoints.py): group ids blob, blob_secondary, table, table_secondary, queue,
  queue_secondary, file, file_secondary, web, web_secondary, dfs, dfs_secondary (private-link/
  private-endpoint-overview.md); a group's only required member is its group id; zones
  `privatelink.<service>.<storage suffix>` (private-endpoint-dns.md, Storage rows of the Commercial, Government and
  China tables; the secondary groups use the primary's zone). The `_secondary` groups exist only for read-access
  geo-redundant accounts (Standard_RAGRS, Standard_RAGZRS): storage/common/storage-private-endpoints.md ("the
  secondary ... requires read access geo-redundant storage"); the member FQDN is the secondary endpoint's host.
  The public DNS view: `<acct>.<service>.<suffix>` → CNAME `<acct>.privatelink.<service>.<suffix>` while a
  connection of that group is active (private-endpoint-dns.md, the Storage example of "Azure services DNS zone
  configuration").

Writes (storage.json 2023-05-01): StorageAccounts_Create is the only long-running one (x-ms-long-running-operation,
  200/202): a PUT answers 202 with an empty body and a Location `/subscriptions/{sub}/providers/Microsoft.Storage/
  locations/{loc}/asyncoperations/{id}?monitor=true` whose polls answer 202 until 200 with the account (azure-cli
  storage recording test_create_storage_account_with_public_network_access.yaml; arm.py STORAGE); a PUT that repeats
  an account's properties answers 200 with the account (the spec's 200: "already created from a previous request with
  the same properties"). StorageAccounts_Update (PATCH, 200), StorageAccounts_Delete (200/204),
  PrivateEndpointConnections_Put (200) and _Delete (200/204) are not long-running and answer at once.
Emulator convention: provisioningState is Creating while a create runs (the spec's ProvisioningState: Creating,
  ResolvingDNS, Succeeded) and stays Succeeded while an update PUT runs (the enum has no updating state); no etag;
  keys and their listing (listKeys) are not emulated.
Emulator convention: the web endpoint's zone label is `z1` (`<acct>.z1.web.<suffix>`; Azure picks a number per
  account); which services an account has follows its kind: StorageV2 all six, Storage blob/queue/table/file,
  BlobStorage and BlockBlobStorage blob/dfs/web, FileStorage file/web.
Emulator convention: publicNetworkAccess is always shown, Enabled unless set; minimumTlsVersion TLS1_2,
  allowBlobPublicAccess false, supportsHttpsTrafficOnly true, accessTier Hot (StorageV2 / BlobStorage) unless sent.
Emulator convention: a virtual network rule naming a subnet that does not exist is refused like a malformed id (400
  InvalidValuesForRequestParameters); an unknown enum value (kind, sku, bypass, defaultAction, action,
  publicNetworkAccess) is 400 InvalidValuesForRequestParameters naming the field.
Not modelled: Azure's refusal of private (RFC 1918) ranges in ipRules (storage-network-security.md says they are not
  allowed; the error is not documented), resourceAccessRules, keys, SAS, blob/file/queue/table data planes.
"""

import copy
import ipaddress
import re

from .. import clouds
from ..arm import STORAGE, ResourceType, Response
from ..errors import ArmError, bad_request
from ..ids import ResourceId
from . import endpoints, linktargets
from .network import REGION_PAIRS, lookup

NAMESPACE = "Microsoft.Storage"
NAME_RE = re.compile(r"^[a-z0-9]{3,24}$")
SKUS = ("Standard_LRS", "Standard_GRS", "Standard_RAGRS", "Standard_ZRS", "Premium_LRS", "Premium_ZRS",
        "Standard_GZRS", "Standard_RAGZRS")
GEO_SKUS = ("Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS")
READ_SECONDARY_SKUS = ("Standard_RAGRS", "Standard_RAGZRS")
KINDS = ("Storage", "StorageV2", "BlobStorage", "FileStorage", "BlockBlobStorage")
SERVICES = {   # kind -> services with an endpoint, in the order the spec's examples list primaryEndpoints
    "StorageV2": ("dfs", "web", "blob", "queue", "table", "file"),
    "Storage": ("blob", "queue", "table", "file"),
    "BlobStorage": ("dfs", "web", "blob"),
    "BlockBlobStorage": ("dfs", "web", "blob"),
    "FileStorage": ("web", "file"),
}
GROUP_ORDER = ("blob", "table", "queue", "file", "web", "dfs")
BYPASS = ("None", "Logging", "Metrics", "AzureServices")
SERVICE_ENDPOINTS = ("microsoft.storage", "microsoft.storage.global")


def invalid(field):
    return bad_request("InvalidValuesForRequestParameters",
                       f"Values for request parameters are invalid: {field}. For more information, see - "
                       "https://aka.ms/storagenetworkruleset")


def canonical(value, allowed, field):
    found = next((a for a in allowed if a.lower() == str(value or "").lower()), None)
    if found is None:
        raise invalid(field)
    return found


def host(cloud, account, service, secondary=False):
    name = f"{account}-secondary" if secondary else account
    if service == "web":
        return f"{name}.z1.web.{cloud.suffixes['storage']}"
    return f"{name}.{service}.{cloud.suffixes['storage']}"


def services_of(res):
    return SERVICES.get(res.body.get("kind") or "StorageV2", SERVICES["StorageV2"])


def secondary_region(emu, region):
    pairs = dict(REGION_PAIRS, **clouds.of(emu).region_pairs)
    return pairs.get(region)


def check_subnet_endpoint(emu, subnet_id, services, service_name, error):
    """The subnet a VNet rule names (None when it names none), or raises `error(subnet_res)` when the subnet has
    none of `services` as a service endpoint (error may return None: no check). Shared with keyvault.py and sql.py
    (each names its own error)."""
    subnet = lookup(emu, subnet_id) if ResourceId.parse(subnet_id or "") else None
    if subnet is None or [t.lower() for t in subnet.rid.types] != ["virtualnetworks", "subnets"]:
        return None
    have = {(e.get("service") or "").lower() for e in subnet.properties.get("serviceEndpoints") or []}
    if not have & set(services):
        refusal = error(subnet)
        if refusal is not None:
            raise refusal
    return subnet


def no_endpoint_error(subnet):
    vnet_id = str(subnet.rid.parent())
    return bad_request("NetworkAclsValidationFailure",
                       "Validation of network acls failure: SubnetsHaveNoServiceEndpointsConfigured:Subnets "
                       f"{subnet.rid.name} of virtual network {vnet_id} do not have ServiceEndpoints for "
                       "Microsoft.Storage resources configured. Add Microsoft.Storage to subnet's ServiceEndpoints "
                       "collection before trying to ACL Microsoft.Storage resources to these subnets..")


# ---- private link target -------------------------------------------------------------------------------------------
class StorageLinkTarget(linktargets.FirstPartyTarget):
    resource_type = f"{NAMESPACE}/storageAccounts"
    label = "storage account"

    def groups(self, emu, target_res):
        cloud = clouds.of(emu)
        account = target_res.rid.name.lower()
        have = services_of(target_res)
        secondary = (target_res.body.get("sku") or {}).get("name") in READ_SECONDARY_SKUS
        out = []
        for service in GROUP_ORDER:
            if service not in have:
                continue
            zone = f"privatelink.{service}.{cloud.suffixes['storage']}"
            out.append({"group_id": service, "members": [(service, host(cloud, account, service))], "zones": [zone]})
            if secondary:
                out.append({"group_id": f"{service}_secondary",
                            "members": [(f"{service}_secondary", host(cloud, account, service, secondary=True))],
                            "zones": [zone]})
        return out

    def public_names(self, emu, target_res):
        out = []
        for group in self.groups(emu, target_res):
            for _, fqdn in group["members"]:
                first, rest = fqdn.split(".", 1)
                if rest.startswith("z1."):
                    first, rest = f"{first}.z1", rest[3:]
                out.append((group["group_id"], fqdn, f"{first}.privatelink.{rest}"))
        return out


# ---- storage accounts ------------------------------------------------------------------------------------------------
class StorageAccount(ResourceType):
    namespace = NAMESPACE
    types = ("storageAccounts",)
    lro_style = STORAGE            # StorageAccounts_Create: 202 + Location (module docstring)
    etag_style = None
    top_level_keys = ("sku", "kind", "identity", "extendedLocation")
    sync_create_status = 200
    create_state = "Creating"
    update_state = "Succeeded"

    def synchronous(self, req):
        # StorageAccounts_Update (PATCH) and _Delete are not long-running (storage.json 2023-05-01: 200, 200/204)
        return req.method in ("PATCH", "DELETE")

    def answers_at_once(self, req, res, before):
        # the spec's 200 for StorageAccounts_Create: the account exists already with the same properties
        if before is None:
            return False
        def same(body):
            return {k: v for k, v in body.items() if k != "internal" and v not in (None, {})}
        return same(before) == same(res.body)

    def validate(self, req, rid, body, existing):
        if existing is None:
            self.check_name(rid)
        new = self.default_body(rid, body)
        if existing is not None and new["location"] != existing.body["location"]:
            raise ArmError(409, "InvalidResourceLocation",
                           f"The resource '{rid.name}' already exists in location '{existing.body['location']}' in "
                           f"resource group '{rid.resource_group}'. A resource with the same name cannot be created "
                           f"in location '{new['location']}'. Please select a new resource name.")
        if existing is not None:
            new["internal"] = copy.deepcopy(existing.body.get("internal") or {})
        return self.normalise(rid, new)

    def patch(self, req, rid, body, existing):
        new = copy.deepcopy(existing.body)
        if "tags" in body:
            new["tags"] = body.get("tags") or {}
        for key in ("sku", "kind", "identity"):
            if body.get(key) is not None:
                new[key] = copy.deepcopy(body[key])
        for key, value in (body.get("properties") or {}).items():
            if value is not None:
                new["properties"][key] = copy.deepcopy(value)
        return self.normalise(rid, new)

    def check_name(self, rid):
        if not NAME_RE.match(rid.name):
            raise bad_request("AccountNameInvalid",
                              f"{rid.name} is not a valid storage account name. Storage account name must be between "
                              "3 and 24 characters in length and use numbers and lower-case letters only.")
        for other in self.store.of_type(NAMESPACE, self.types):
            if other.rid.name.lower() != rid.name.lower():
                continue
            if other.rid.subscription.lower() == rid.subscription.lower():
                raise ArmError(409, "StorageAccountInAnotherResourceGroup",
                               f"The account {rid.name} is already in another resource group in this subscription.")
            raise ArmError(409, "StorageAccountAlreadyTaken", f"The storage account named {rid.name} is already taken.")

    def normalise(self, rid, new):
        new["sku"] = {"name": canonical((new.get("sku") or {}).get("name"), SKUS, "sku.name")}
        new["sku"]["tier"] = new["sku"]["name"].split("_")[0]
        new["kind"] = canonical(new.get("kind") or "StorageV2", KINDS, "kind")
        props = new["properties"]
        for key in ("provisioningState", "primaryEndpoints", "secondaryEndpoints", "primaryLocation",
                    "secondaryLocation", "statusOfPrimary", "statusOfSecondary", "creationTime",
                    "privateEndpointConnections", "keyCreationTime"):
            props.pop(key, None)
        props["publicNetworkAccess"] = canonical(props.get("publicNetworkAccess") or "Enabled",
                                                 ("Enabled", "Disabled", "SecuredByPerimeter"), "publicNetworkAccess")
        props.setdefault("minimumTlsVersion", "TLS1_2")
        props.setdefault("allowBlobPublicAccess", False)
        props.setdefault("supportsHttpsTrafficOnly", True)
        if new["kind"] in ("StorageV2", "BlobStorage"):
            props.setdefault("accessTier", "Hot")
        props["networkAcls"] = self.check_acls(props.get("networkAcls"))
        return new

    def check_acls(self, acls):
        if acls is None:
            return {"bypass": "AzureServices", "virtualNetworkRules": [], "ipRules": [], "defaultAction": "Allow"}
        if not isinstance(acls, dict):
            raise invalid("networkAcls")
        bypass_items = [b.strip() for b in str(acls.get("bypass") or "AzureServices").split(",") if b.strip()]
        bypass = [canonical(b, BYPASS, "networkAcls.bypass") for b in bypass_items]
        if "None" in bypass and len(bypass) > 1:
            raise invalid("networkAcls.bypass")
        default_action = canonical(acls.get("defaultAction"), ("Allow", "Deny"), "networkAcls.defaultAction")
        ip_rules = []
        for rule in acls.get("ipRules") or []:
            value = (rule or {}).get("value") or (rule or {}).get("IPAddressOrRange")
            try:
                ipaddress.ip_network(value or "", strict=False)
            except ValueError:
                raise invalid("networkAcls.ipRules[*].value")
            ip_rules.append({"value": value, "action": canonical(rule.get("action") or "Allow", ("Allow",),
                                                                 "networkAcls.ipRules[*].action")})
        vnet_rules = []
        for rule in acls.get("virtualNetworkRules") or []:
            subnet_id = (rule or {}).get("id")
            subnet = check_subnet_endpoint(self.emu, subnet_id, SERVICE_ENDPOINTS, "Microsoft.Storage",
                                           no_endpoint_error)
            if subnet is None:
                raise invalid("networkAcls.virtualNetworkRules[*].id")
            vnet_rules.append({"id": str(subnet.rid),
                               "action": canonical(rule.get("action") or "Allow", ("Allow",),
                                                   "networkAcls.virtualNetworkRules[*].action"),
                               "state": "Succeeded"})
        return {"bypass": ", ".join(bypass), "virtualNetworkRules": vnet_rules, "ipRules": ip_rules,
                "defaultAction": default_action}

    def render(self, res):
        out = super().render(res)
        out["tags"] = res.body.get("tags") or {}
        return out

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        cloud = clouds.of(self.emu)
        account = res.rid.name.lower()
        sku = res.body["sku"]["name"]
        services = services_of(res)
        props["creationTime"] = res.created
        props["primaryEndpoints"] = {s: f"https://{host(cloud, account, s)}/" for s in services}
        props["primaryLocation"] = res.body["location"]
        props["statusOfPrimary"] = "available"
        if sku in GEO_SKUS:
            second = secondary_region(self.emu, res.body["location"])
            if second:
                props["secondaryLocation"] = second
                props["statusOfSecondary"] = "available"
        if sku in READ_SECONDARY_SKUS:
            props["secondaryEndpoints"] = {s: f"https://{host(cloud, account, s, secondary=True)}/"
                                           for s in services if s != "file"}
        props["privateEndpointConnections"] = linktargets.connections_of(self.emu, res, PrivateEndpointConnection)
        return props


def check_name_availability(req, sub, emu):
    body = req.body if isinstance(req.body, dict) else {}
    name, kind = body.get("name") or "", body.get("type") or ""
    if kind.lower() != "microsoft.storage/storageaccounts":
        raise invalid("type")
    if not NAME_RE.match(name):
        return Response(200, {"nameAvailable": False, "reason": "AccountNameInvalid",
                              "message": f"{name} is not a valid storage account name. Storage account name must be "
                                         "between 3 and 24 characters in length and use numbers and lower-case "
                                         "letters only."})
    if any(r.rid.name.lower() == name.lower() for r in emu.store.of_type(NAMESPACE, StorageAccount.types)):
        return Response(200, {"nameAvailable": False, "reason": "AlreadyExists",
                              "message": f"The storage account named {name} is already taken."})
    return Response(200, {"nameAvailable": True})


class PrivateEndpointConnection(linktargets.ConnectionType):
    namespace = NAMESPACE
    types = ("storageAccounts", "privateEndpointConnections")
    actions_key = "actionRequired"   # Storage's PrivateLinkServiceConnectionState spells it so (spec)


class PrivateLinkResource(linktargets.LinkResourceType):
    namespace = NAMESPACE
    types = ("storageAccounts", "privateLinkResources")


StorageLinkTarget.connection_type = PrivateEndpointConnection


def register(engine):
    for cls in (StorageAccount, PrivateEndpointConnection, PrivateLinkResource):
        engine.register(cls)
    engine.subscription_actions[(NAMESPACE.lower(), "checknameavailability")] = \
        lambda req, sub: check_name_availability(req, sub, engine.emu)
    endpoints.register_target(engine, StorageLinkTarget())
