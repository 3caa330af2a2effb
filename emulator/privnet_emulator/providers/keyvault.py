"""Microsoft.KeyVault (api 2023-07-01): vaults, their privateEndpointConnections and privateLinkResources.

Sources (azure-rest-api-specs specification/keyvault/resource-manager/Microsoft.KeyVault/stable/2023-07-01/
keyvault.json and its examples createVault.json, getVault.json, updateVault.json, putPrivateEndpointConnection.json,
getPrivateEndpointConnection.json, deletePrivateEndpointConnection.json, listPrivateLinkResources.json):
* Vaults_CreateOrUpdate (PUT; 200/201), Vaults_Get, Vaults_Update (PATCH: VaultPatchProperties, each property sent
  replaces the vault's, networkAcls as a whole), Vaults_Delete (200/204), Vaults_ListByResourceGroup /
  ListBySubscription; PrivateEndpointConnections_Get / Put / Delete / ListByResource;
  PrivateLinkResources_ListByVault.
* properties: tenantId and sku {family: A, name: standard | premium} required; accessPolicies (required unless
  createMode recover; [] with enableRbacAuthorization), enableRbacAuthorization, enableSoftDelete,
  softDeleteRetentionInDays, enablePurgeProtection, publicNetworkAccess (string; "Enabled" unless sent), vaultUri
  `https://<vault>.<keyVaultDns>/` (vault.azure.net / vault.usgovcloudapi.net / vault.azure.cn: azure-cli
  core/cloud.py `keyvault_dns`; clouds.py), networkAcls {bypass AzureServices | None, defaultAction Allow | Deny,
  ipRules [{value}], virtualNetworkRules [{id, ignoreMissingVnetServiceEndpoint}]} (NetworkRuleSet),
  privateEndpointConnections [{id, properties}] (PrivateEndpointConnectionItem).
* The private link resource `vault`: requiredMembers ["default"], requiredZoneNames ["privatelink.vaultcore.azure.net"]
  (example listPrivateLinkResources.json); Azure Government privatelink.vaultcore.usgovcloudapi.net, Azure China
  privatelink.vaultcore.azure.cn (private-link/private-endpoint-dns.md, Key Vault rows; the zone stands for the public
  zones vault.azure.net and vaultcore.azure.net, hence zone_suffixes). The NIC member's FQDN is the vault's host;
  the public name `<vault>.vault.azure.net` is a CNAME to `<vault>.privatelink.vaultcore.azure.net` once the vault has
  an active connection (key-vault/general/private-link-service.md, "Validate that the private link connection works").
* A virtual network rule whose subnet lacks the Microsoft.KeyVault service endpoint, without
  ignoreMissingVnetServiceEndpoint: 400 SubnetsHaveNoServiceEndpointsConfigured "Subnets {subnet} of virtual network
  {vnet id} do not have ServiceEndpoints for Microsoft.KeyVault resources configured. ..." (Azure/avdaccelerator #818
  quotes it for a key vault; hashicorp/terraform-provider-azurerm #11759). ignoreMissingVnetServiceEndpoint skips the
  check (its description in keyvault.json: NRP ignores the check whether the subnet has serviceEndpoints).

Writes (keyvault.json 2023-07-01 and azure-cli keyvault test_keyvault_private_endpoint_connection.yaml, api
  2019-09-01; arm.py BODY and KEYVAULT):
* Vaults_CreateOrUpdate is long-running with 200/201 and no operation header: a new vault answers 200 with
  provisioningState RegisteringDns (VaultProvisioningState: Succeeded, RegisteringDns) and the client reads the vault
  until Succeeded; a PUT on an existing vault answers 200 Succeeded at once (same recording, `keyvault set-policy`).
* Vaults_Update (PATCH, 200/201) and Vaults_Delete (200/204) are not long-running: answered at once.
* PrivateEndpointConnections_Put is not long-running (200; Retry-After and Azure-AsyncOperation "only if operation
  does not finish synchronously"): 200 with the new state, provisioningState Updating until its operation ends, and
  Azure-AsyncOperation = the connection's URL with `&kv-operation=` (recorded approve / reject).
  PrivateEndpointConnections_Delete is long-running (200, 202 with Location and Retry-After, 204): 202 + Location.
Emulator convention: the Location of a connection delete takes the recorded Azure-AsyncOperation form (no recording
  of the delete); polling it answers 202 until 204, and the Azure-AsyncOperation URL answers ARM's {status} (what Key
  Vault answers there is not recorded).
Emulator convention: no etag (Key Vault's connections carry one in the recording); a malformed or missing subnet
  id in a VNet rule, an unknown sku name or enum value, or an ipRules value that is not an address or CIDR is 400
  BadRequest naming the field; enableSoftDelete true and softDeleteRetentionInDays 90 unless sent.
Not modelled: vault name rules and global uniqueness, soft-deleted vaults (deletedVaults, purge, createMode recover),
  access policy operations (accessPolicies/{add|replace|remove}), keys and secrets, the lower-casing of subnet ids
  Azure is reported to apply to virtualNetworkRules.
"""

import copy
import ipaddress

from .. import clouds
from ..arm import BODY, KEYVAULT, ResourceType
from ..errors import bad_request
from . import endpoints, linktargets
from .storage import check_subnet_endpoint

NAMESPACE = "Microsoft.KeyVault"


def vault_host(cloud, name):
    return f"{name.lower()}.{cloud.suffixes['keyVaultDns']}"


def vault_zone(cloud):
    """privatelink.vaultcore.azure.net for keyVaultDns vault.azure.net (and the sovereign clouds' equivalents)."""
    return "privatelink.vaultcore." + cloud.suffixes["keyVaultDns"].split(".", 1)[1]


def enum(value, allowed, field):
    found = next((a for a in allowed if a.lower() == str(value or "").lower()), None)
    if found is None:
        raise bad_request("BadRequest", f"The value '{value}' is not valid for {field}. Allowed values: "
                                        f"{', '.join(allowed)}.")
    return found


def no_endpoint_error(subnet):
    return bad_request("SubnetsHaveNoServiceEndpointsConfigured",
                       f"Subnets {subnet.rid.name} of virtual network {subnet.rid.parent()} do not have "
                       "ServiceEndpoints for Microsoft.KeyVault resources configured. Add Microsoft.KeyVault to "
                       "subnet's ServiceEndpoints collection before trying to ACL Microsoft.KeyVault resources to "
                       "these subnets..")


class VaultLinkTarget(linktargets.FirstPartyTarget):
    resource_type = f"{NAMESPACE}/vaults"
    label = "vault"

    def groups(self, emu, target_res):
        cloud = clouds.of(emu)
        return [{"group_id": "vault", "members": [("default", vault_host(cloud, target_res.rid.name))],
                 "zones": [vault_zone(cloud)]}]

    def zone_suffixes(self, cloud):
        return {vault_zone(cloud): [cloud.suffixes["keyVaultDns"], vault_zone(cloud)[len("privatelink."):]]}

    def public_names(self, emu, target_res):
        cloud = clouds.of(emu)
        name = target_res.rid.name.lower()
        return [("vault", vault_host(cloud, name), f"{name}.{vault_zone(cloud)}")]


class Vault(ResourceType):
    namespace = NAMESPACE
    types = ("vaults",)
    lro_style = BODY               # Vaults_CreateOrUpdate: 200 RegisteringDns, no header (module docstring)
    etag_style = None
    create_state = "RegisteringDns"

    def synchronous(self, req):
        return req.method in ("PATCH", "DELETE")   # Vaults_Update / Vaults_Delete are not long-running

    def finishes_at_once(self, res, before):
        return True   # an update PUT answers Succeeded at once (recorded `keyvault set-policy`)

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        return self.normalise(new)

    def patch(self, req, rid, body, existing):
        new = copy.deepcopy(existing.body)
        if "tags" in body:
            new["tags"] = body.get("tags") or {}
        for key, value in (body.get("properties") or {}).items():
            if value is not None:
                new["properties"][key] = copy.deepcopy(value)
        return self.normalise(new)

    def normalise(self, new):
        props = new["properties"]
        for key in ("provisioningState", "vaultUri", "privateEndpointConnections", "hsmPoolResourceId"):
            props.pop(key, None)
        if not props.get("tenantId"):
            raise bad_request("BadRequest", "The property 'properties.tenantId' is required.")
        sku = props.get("sku") or {}
        props["sku"] = {"family": enum(sku.get("family") or "A", ("A",), "properties.sku.family"),
                        "name": enum(sku.get("name"), ("standard", "premium"), "properties.sku.name")}
        props["accessPolicies"] = list(props.get("accessPolicies") or [])
        props["enableRbacAuthorization"] = bool(props.get("enableRbacAuthorization", False))
        props.setdefault("enableSoftDelete", True)
        props.setdefault("softDeleteRetentionInDays", 90)
        props["publicNetworkAccess"] = enum(props.get("publicNetworkAccess") or "Enabled", ("Enabled", "Disabled"),
                                            "properties.publicNetworkAccess")
        if props.get("networkAcls") is not None:
            props["networkAcls"] = self.check_acls(props["networkAcls"])
        return new

    def check_acls(self, acls):
        out = {"bypass": enum(acls.get("bypass") or "AzureServices", ("AzureServices", "None"),
                              "properties.networkAcls.bypass"),
               "defaultAction": enum(acls.get("defaultAction") or "Allow", ("Allow", "Deny"),
                                     "properties.networkAcls.defaultAction"),
               "ipRules": [], "virtualNetworkRules": []}
        for rule in acls.get("ipRules") or []:
            value = (rule or {}).get("value")
            try:
                ipaddress.ip_network(value or "", strict=False)
            except ValueError:
                raise bad_request("BadRequest", f"The value '{value}' is not a valid IP address or CIDR range for "
                                                "properties.networkAcls.ipRules.")
            out["ipRules"].append({"value": value})
        for rule in acls.get("virtualNetworkRules") or []:
            ignore = bool((rule or {}).get("ignoreMissingVnetServiceEndpoint", False))
            subnet_id = (rule or {}).get("id")
            subnet = check_subnet_endpoint(self.emu, subnet_id, ("microsoft.keyvault",), "Microsoft.KeyVault",
                                           (lambda s: None) if ignore else no_endpoint_error)
            if subnet is None and not ignore:
                raise bad_request("BadRequest", f"The subnet '{subnet_id}' in properties.networkAcls."
                                                "virtualNetworkRules was not found.")
            out["virtualNetworkRules"].append({"id": str(subnet.rid) if subnet else subnet_id,
                                               "ignoreMissingVnetServiceEndpoint": ignore})
        return out

    def render(self, res):
        out = super().render(res)
        out["tags"] = res.body.get("tags") or {}
        return out

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        props["vaultUri"] = f"https://{vault_host(clouds.of(self.emu), res.rid.name)}/"
        conns = linktargets.connections_of(self.emu, res, PrivateEndpointConnection)
        # PrivateEndpointConnectionItem: id and properties (keyvault.json)
        props["privateEndpointConnections"] = [{"id": c["id"], "properties": c["properties"]} for c in conns]
        return props


class PrivateEndpointConnection(linktargets.ConnectionType):
    namespace = NAMESPACE
    types = ("vaults", "privateEndpointConnections")
    lro_style = KEYVAULT           # PUT 200 + Azure-AsyncOperation, DELETE 202 + Location (module docstring)
    poll_query = "kv-operation"


class PrivateLinkResource(linktargets.LinkResourceType):
    namespace = NAMESPACE
    types = ("vaults", "privateLinkResources")


VaultLinkTarget.connection_type = PrivateEndpointConnection


def register(engine):
    for cls in (Vault, PrivateEndpointConnection, PrivateLinkResource):
        engine.register(cls)
    endpoints.register_target(engine, VaultLinkTarget())
