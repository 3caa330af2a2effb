"""Microsoft.ContainerRegistry (api 2025-11-01): registries, replications, privateEndpointConnections,
privateLinkResources and checkNameAvailability.

Writes answer as ACR does (arm-wire-contract.md §1.1): 201 with the resource (provisioningState Creating/Updating)
and Azure-AsyncOperation `{id}/operationStatuses/{type}-{uuid}`, which every status poll repeats; DELETE 202 with
Location `.../providers/Microsoft.ContainerRegistry/locations/{loc}/operationResults/{type}-{uuid}` (a registry's body
is the registry with provisioningState Deleting; a child's body is empty). No etag.
Registries depend on the api-version (recordings): a PATCH is always synchronous (200, Succeeded, no operation: seen
at 2019-05-01, 2020-11-01-preview, 2021-08-01-preview and 2023-11-01-preview, the last in azure-cli
test_acr_network_rule.yaml, Dec 2023); a PUT or DELETE is synchronous (200) at api-versions before 2021-08-01-preview
and at 2021-09-01, and runs an operation (201 / 202) at 2021-08-01-preview and the later ones.
Emulator convention: the current SDK's 2025-11-01 (never recorded) behaves like the newest recordings: PATCH
  synchronous, PUT/DELETE with an operation; so do the other unrecorded api-versions after 2021-08-01-preview.
A private endpoint connection's PUT answer carries systemData, its GETs do not (recording, 2019-12-01-preview).
A private endpoint connection is created by endpoints.py (through RegistryLinkTarget, which register() hands to
endpoints.register_target) when a private endpoint targets the registry, named
`<registry>.<32hex>`; it holds the connection state the endpoint shows. Approving or rejecting it is a PUT whose
201 body still shows the old state (provisioningState Updating); the final GET shows the new one.
Sources: azure-cli test_private_endpoint_connection_acr.yaml and test_acr_with_public_network_access.yaml; ASO
Test_ContainerRegistry_Registry_CRUD.yaml; arm-wire-contract.md §1.8, §2.

Real codes used: AlreadyInUse (409, a registry name taken anywhere), DisablingPublicNetworkAccessNotSupported,
  NetworkRuleNotSupported (400, non-Premium SKUs), InvalidResourceLocation (409, a PUT moving a registry).
Emulator convention: a name that is not 5-50 alphanumerics is 400 InvalidRegistryName ("Registry names may contain
  only alpha numeric characters and must be between 5 and 50 characters"); checkNameAvailability answers
  reason Invalid with the same message, or AlreadyExists with "The registry {name} is already in use.".
Emulator convention: a missing or unknown sku.name is 400 InvalidSku; an unknown enum value (publicNetworkAccess,
  networkRuleBypassOptions, zoneRedundancy, defaultAction, ipRules action) or a malformed ipRules value is 400
  BadRequest naming the field.
Emulator convention: Premium-only features on Basic/Standard/Classic: networkRuleSet with defaultAction Deny or
  ipRules → NetworkRuleNotSupported; publicNetworkAccess Disabled → DisablingPublicNetworkAccessNotSupported;
  dataEndpointEnabled → 400 DataEndpointNotSupported; a replication → 400 ReplicationNotSupported; a downgrade of a
  registry that has replications → ReplicationNotSupported, that has private endpoint connections → 400
  FeatureNotSupportedForSku. Messages follow ACR's "The requested feature {f} is not supported for the SKU {s}.".
Emulator convention: the home region is not listed among replications; a replication in the home region, or in a
  region another replication already covers, or that changes its location, is 400 InvalidReplicationLocation.
A new replica adds a `registry_data_<region>` member to every private endpoint of the registry (a new NIC address,
  and zone group records) and puts its Approved connections back to Pending; deleting a replica removes the member.
  Source: Microsoft Learn container-registry-private-link.md (MicrosoftDocs/azure-docs, version of 10/11/2022,
  "Additional endpoints for geo-replicas": each replica adds an IP configuration to the endpoint's NIC, and once a new
  geo-replication is added the private endpoint connection is set to pending and must be approved again).
Emulator convention: the Pending description after a new replica is "Awaiting approval: the registry has a new replica
  in {region}." (the article gives none); Rejected connections stay Rejected (see the next rule).
A connection that has been Rejected cannot be approved again: the PUT is refused and the consumer must delete the
  connection and create a new private endpoint. Source: Microsoft Learn private-link/manage-private-endpoint.md
  (final note; by design per MicrosoftDocs/azure-docs issue #115121). ACR's error code for it is not documented:
  400 with the plain code BadRequest (Cosmos DB answers the same request with 400 BadRequest "Approving rejected
  private endpoint connections is not supported.", MicrosoftDocs/azure-docs PR #86823).
POST registries/{name}/listCredentials (Registries_ListCredentials, Container Registry spec 2025-11-01, example
  RegistryListCredentials.json): 200 {username: the registry name, passwords: [{name: password, value},
  {name: password2, value}]} when adminUserEnabled; otherwise 400 UnAuthorizedForCredentialOperations "Cannot perform
  credential operations for {id} as admin user is disabled. ..." (hashicorp/terraform-provider-azurerm #21440,
  MicrosoftDocs/azure-docs #57954). Emulator convention: the passwords are 32 hex characters derived from the
  registry's internal id (stable until the registry is re-created); regenerateCredential is not emulated.
Emulator convention: a new connection's registry-side state is {Approved, "Auto-Approved", None} for
  privateLinkServiceConnections and {Pending, requestMessage or "Awaiting Approval", None} for manual ones.
Emulator convention: a PUT on a privateEndpointConnections name that does not exist is 404 NotFound (connections are
  created by private endpoints); an unknown status is 400 BadRequest; changing privateEndpoint.id is 400 BadRequest.
Emulator convention: privateLinkResources holds one resource, `registry`; it is read-only (PUT/DELETE 405).
Emulator convention: registries carry no `status` (none of the recordings shows one); replications carry
  status {displayStatus: Syncing while the operation runs, then Ready}.
"""

import copy
import ipaddress
import re
import uuid

from .. import clouds
from ..arm import ACR, SYNC, Response, ResourceType
from ..errors import ArmError, bad_request, not_found_child
from ..store import Resource, utc_now_iso
from . import endpoints

NAMESPACE = "Microsoft.ContainerRegistry"
SKUS = ("Basic", "Standard", "Premium", "Classic")
NAME_RE = re.compile(r"^[A-Za-z0-9]{5,50}$")
NAME_MESSAGE = "Registry names may contain only alpha numeric characters and must be between 5 and 50 characters"
ZONE_NAME = "privatelink.azurecr.io"   # in the public cloud; a registry's zone follows its cloud (clouds.py)
STATES = ("Approved", "Rejected", "Pending", "Disconnected")


def default_policies():
    now = utc_now_iso()
    return {"quarantinePolicy": {"status": "disabled"}, "trustPolicy": {"type": "Notary", "status": "disabled"},
            "retentionPolicy": {"days": 7, "lastUpdatedTime": now, "status": "disabled"},
            "exportPolicy": {"status": "enabled"}}


# ---- what endpoints.py uses --------------------------------------------------------------------------------------
def regions(reg_res):
    """Home region first, then the replicas' regions in creation order."""
    store = reg_res.handler.store
    out = [reg_res.body["location"]]
    for replica in store.children(reg_res.key, "replications"):
        if replica.body["location"] not in out:
            out.append(replica.body["location"])
    return out


def members(reg_res):
    """[(group id, required member name, fqdns)] of the registry's `registry` private link resource.
    The names follow the cloud: `<reg>.azurecr.io` / `.us` / `.cn` and `<reg>.<region>.data.<suffix>` (clouds.py)."""
    cloud = clouds.of(reg_res.handler.emu)
    name = reg_res.rid.name.lower()
    out = [("registry", "registry", [cloud.login_server(name)])]
    for region in regions(reg_res):
        out.append(("registry", f"registry_data_{region}", [cloud.data_endpoint(name, region)]))
    return out


def create_connection(emu, reg_res, pe_res, manual, request_message=None):
    """The registry-side connection of a new private endpoint."""
    state = ({"status": "Pending", "description": request_message or "Awaiting Approval", "actionsRequired": "None"}
             if manual else {"status": "Approved", "description": "Auto-Approved", "actionsRequired": "None"})
    rid = reg_res.rid.child("privateEndpointConnections", f"{reg_res.rid.name}.{uuid.uuid4().hex}")
    res = Resource(rid, emu.engine.handler_for(NAMESPACE, ("registries", "privateEndpointConnections")),
                   {"properties": {"privateEndpoint": {"id": str(pe_res.rid)},
                                   "privateLinkServiceConnectionState": state}})
    emu.store.put(res)
    return res


def visible_state(pec_res):
    """The state a reader sees: the old one while an approval's operation runs (recording), then the new one."""
    if pec_res.pending_op and "previousState" in pec_res.body:
        return copy.deepcopy(pec_res.body["previousState"])
    return copy.deepcopy(pec_res.properties.get("privateLinkServiceConnectionState") or {})


def members_changed(emu, reg_res, new_region=None):
    """Every private endpoint of the registry follows its members; a new replica asks for re-approval
    (container-registry-private-link.md, "Additional endpoints for geo-replicas": once a new geo-replication is
    added the connection is set to pending)."""
    for pe in endpoints.endpoints_targeting(emu, str(reg_res.rid)):
        endpoints.refresh_members(emu, pe)
    if new_region is None:
        return
    for pec in emu.store.children(reg_res.key, "privateEndpointConnections"):
        state = pec.properties.get("privateLinkServiceConnectionState") or {}
        if state.get("status") == "Approved":
            pec.properties["privateLinkServiceConnectionState"] = {
                "status": "Pending", "description": f"Awaiting approval: the registry has a new replica in "
                                                    f"{new_region}.", "actionsRequired": "None"}


class RegistryLinkTarget(endpoints.PrivateLinkTarget):
    """What endpoints.py needs from a registry a private endpoint targets."""

    resource_type = f"{NAMESPACE}/registries"
    label = "registry"

    def check(self, emu, target_res):
        sku = (target_res.body.get("sku") or {}).get("name")
        if sku != "Premium":
            raise bad_request("FeatureNotSupportedForSku",
                              "Call to Microsoft.ContainerRegistry/registries failed. Error message: The requested "
                              f"feature private endpoint is not supported for the SKU {sku}. Private endpoints are "
                              "only supported on registries of the Premium SKU.")

    def group_ids(self, target_res):
        return ["registry"]

    def members(self, target_res):
        return members(target_res)

    def create_connection(self, emu, target_res, pe_res, manual, request_message=None):
        return create_connection(emu, target_res, pe_res, manual, request_message=request_message)

    def visible_state(self, connection_res):
        return visible_state(connection_res)


def not_supported(code, feature, sku):
    return bad_request(code, f"The requested feature {feature} is not supported for the SKU {sku}.")


def check_enum(value, allowed, field):
    if value not in allowed:
        raise bad_request("BadRequest", f"The value '{value}' is not valid for {field}. Allowed values: "
                                        f"{', '.join(allowed)}.")
    return value


def synchronous_api(api_version):
    """Registry PUT/DELETE at these api-versions answer at once (recordings: 2019-05-01, 2020-11-01-preview,
    2021-09-01 synchronous; 2021-08-01-preview asynchronous)."""
    return (api_version or "") < "2021-08-01-preview" or api_version == "2021-09-01"


def system_data(emu, res):
    who = emu.identity.client_id
    modified = res.body.get("modified") or res.created
    return {"createdBy": who, "createdByType": "Application", "createdAt": res.created,
            "lastModifiedBy": who, "lastModifiedByType": "Application", "lastModifiedAt": modified}


class AcrType(ResourceType):
    namespace = NAMESPACE
    lro_style = ACR
    etag_style = None
    always_201 = True


# ---- registries -----------------------------------------------------------------------------------------------------
class Registry(AcrType):
    types = ("registries",)
    top_level_keys = ("sku", "identity")
    duration = 10.0
    create_state = "Creating"
    sync_create_status = 200   # a synchronous create answers 200 (recordings)

    def synchronous(self, req):
        return req.method == "PATCH" or synchronous_api(req.api_version)

    def validate(self, req, rid, body, existing):
        if existing is None:
            self.check_name(rid)
        new = self.default_body(rid, body)
        if existing is not None and new["location"] != existing.body["location"]:
            raise ArmError(409, "InvalidResourceLocation",
                           f"The resource '{rid.name}' already exists in location '{existing.body['location']}' in "
                           f"resource group '{rid.resource_group}'. A resource with the same name cannot be created "
                           f"in location '{new['location']}'. Please select a new resource name.")
        return self.normalise(rid, new, existing)

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
        return self.normalise(rid, new, existing)

    def check_name(self, rid):
        if not NAME_RE.match(rid.name):
            raise bad_request("InvalidRegistryName", NAME_MESSAGE)
        if name_taken(self.emu, rid.name):
            raise ArmError(409, "AlreadyInUse",
                           f"The registry DNS name {clouds.of(self.emu).login_server(rid.name)} is already in use. "
                           "You can check if "
                           "the name is already claimed using following API: https://docs.microsoft.com/en-us/rest/"
                           "api/containerregistry/registries/checknameavailability")

    def normalise(self, rid, new, existing):
        sku_name = (new.get("sku") or {}).get("name")
        canonical = next((s for s in SKUS if s.lower() == (sku_name or "").lower()), None)
        if canonical is None:
            raise bad_request("InvalidSku", f"The SKU '{sku_name}' is not valid. Valid SKUs: {', '.join(SKUS)}.")
        new["sku"] = {"name": canonical, "tier": canonical}
        props = new["properties"]
        for key in ("loginServer", "creationDate", "provisioningState", "status", "dataEndpointHostNames",
                    "privateEndpointConnections"):
            props.pop(key, None)
        props["adminUserEnabled"] = bool(props.get("adminUserEnabled", False))
        props["publicNetworkAccess"] = check_enum(props.get("publicNetworkAccess") or "Enabled",
                                                  ("Enabled", "Disabled"), "publicNetworkAccess")
        props["networkRuleBypassOptions"] = check_enum(props.get("networkRuleBypassOptions") or "AzureServices",
                                                       ("AzureServices", "None"), "networkRuleBypassOptions")
        props["zoneRedundancy"] = check_enum(props.get("zoneRedundancy") or "Disabled", ("Enabled", "Disabled"),
                                             "zoneRedundancy")
        props["dataEndpointEnabled"] = bool(props.get("dataEndpointEnabled", False))
        props["anonymousPullEnabled"] = bool(props.get("anonymousPullEnabled", False))
        props["encryption"] = props.get("encryption") or {"status": "disabled"}
        old_policies = (existing.properties.get("policies") if existing is not None else None) or default_policies()
        props["policies"] = dict(old_policies, **(props.get("policies") or {}))
        rules = props.get("networkRuleSet")
        if rules is not None:
            props["networkRuleSet"] = self.check_rules(rules)
        elif canonical == "Premium":
            props["networkRuleSet"] = {"defaultAction": "Allow", "ipRules": []}
        if canonical != "Premium":
            self.check_not_premium(rid, canonical, props, existing)
        return new

    @staticmethod
    def check_rules(rules):
        action = check_enum(rules.get("defaultAction") or "Allow", ("Allow", "Deny"), "networkRuleSet.defaultAction")
        ip_rules = []
        for rule in rules.get("ipRules") or []:
            value = (rule or {}).get("value")
            try:
                ipaddress.ip_network(value or "", strict=False)
            except ValueError:
                raise bad_request("BadRequest", f"The value '{value}' is not a valid IP address or CIDR range for "
                                                "networkRuleSet.ipRules.")
            ip_rules.append({"action": check_enum(rule.get("action") or "Allow", ("Allow",),
                                                  "networkRuleSet.ipRules.action"), "value": value})
        return {"defaultAction": action, "ipRules": ip_rules}

    def check_not_premium(self, rid, sku, props, existing):
        if props["publicNetworkAccess"] == "Disabled":
            raise bad_request("DisablingPublicNetworkAccessNotSupported",
                              f"Disabling public network access is not supported for the SKU {sku}. For more "
                              "information, please visit https://aka.ms/acr/private-link.")
        rules = props.get("networkRuleSet")
        if rules and (rules["defaultAction"] == "Deny" or rules["ipRules"]):
            raise not_supported("NetworkRuleNotSupported", "virtual network rule", sku)
        if props["dataEndpointEnabled"]:
            raise not_supported("DataEndpointNotSupported", "dedicated data endpoint", sku)
        if existing is not None:
            if self.store.children(existing.key, "replications"):
                raise not_supported("ReplicationNotSupported", "geo-replication", sku)
            if self.store.children(existing.key, "privateEndpointConnections"):
                raise not_supported("FeatureNotSupportedForSku", "private endpoint", sku)

    def after_write(self, req, res, before):
        if before is None:
            # The registry's one private link resource, so GET .../privateLinkResources/registry works.
            rid = res.rid.child("privateLinkResources", "registry")
            self.store.put(Resource(rid, self.emu.engine.handler_for(NAMESPACE, PrivateLinkResource.types), {}))
        else:
            res.body["modified"] = utc_now_iso()

    def render(self, res):
        out = super().render(res)
        out["tags"] = res.body.get("tags") or {}   # ACR always shows tags, {} when none (recordings)
        out["systemData"] = system_data(self.emu, res)
        identity = out.get("identity")
        if identity and "systemassigned" in (identity.get("type") or "").lower():
            identity.setdefault("principalId", str(uuid.uuid5(uuid.UUID(res.guid), "principal")))
            identity.setdefault("tenantId", self.store.tenant_of(res.rid.subscription))   # tenants.py
        return out

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        name = res.rid.name.lower()
        cloud = clouds.of(self.emu)   # <reg>.azurecr.io / .us / .cn (clouds.py: azure-cli acr_login_server_endpoint)
        props["loginServer"] = cloud.login_server(name)
        props["creationDate"] = res.created
        props["dataEndpointHostNames"] = [cloud.data_endpoint(name, region) for region in regions(res)] \
            if props.get("dataEndpointEnabled") else []
        handler = self.emu.engine.handler_for(NAMESPACE, PrivateEndpointConnection.types)
        props["privateEndpointConnections"] = [handler.render(c) for c in
                                               self.store.children(res.key, "privateEndpointConnections")]
        return props

    def action(self, req, rid, action):
        if action.lower() != "listcredentials":
            return super().action(req, rid, action)
        res = self.store.get(rid.key)
        if not res.properties.get("adminUserEnabled"):
            # 400 UnAuthorizedForCredentialOperations: terraform-provider-azurerm #21440, azure-docs #57954.
            raise bad_request("UnAuthorizedForCredentialOperations",
                              f"Cannot perform credential operations for {rid} as admin user is disabled. Kindly "
                              "enable admin user as per docs: https://docs.microsoft.com/en-us/azure/"
                              "container-registry/container-registry-authentication#admin-account")
        # Registries_ListCredentials (spec example RegistryListCredentials.json): the registry name and two passwords.
        seed = uuid.UUID(res.guid)
        return Response(200, {"username": rid.name, "passwords": [
            {"name": "password", "value": uuid.uuid5(seed, "password").hex},
            {"name": "password2", "value": uuid.uuid5(seed, "password2").hex}]})


def name_taken(emu, name):
    return any(r.rid.name.lower() == name.lower() for r in emu.store.of_type(NAMESPACE, Registry.types))


def check_name_availability(req, sub, emu):
    body = req.body if isinstance(req.body, dict) else {}
    name, kind = body.get("name"), body.get("type")
    if (kind or "").lower() != "microsoft.containerregistry/registries":
        raise bad_request("InvalidResourceType", f"The resource type '{kind}' is not supported by "
                                                 "checkNameAvailability. Use Microsoft.ContainerRegistry/registries.")
    if not NAME_RE.match(name or ""):
        return Response(200, {"nameAvailable": False, "reason": "Invalid", "message": NAME_MESSAGE})
    if name_taken(emu, name):
        return Response(200, {"nameAvailable": False, "reason": "AlreadyExists",
                              "message": f"The registry {name} is already in use."})
    return Response(200, {"nameAvailable": True})


# ---- replications ------------------------------------------------------------------------------------------------
class Replication(AcrType):
    types = ("registries", "replications")
    duration = 30.0
    create_state = "Creating"

    def validate(self, req, rid, body, existing):
        registry = self.store.get(rid.parent().key)
        sku = registry.body["sku"]["name"]
        if sku != "Premium":
            raise not_supported("ReplicationNotSupported", "geo-replication", sku)
        new = self.default_body(rid, body)
        region = new["location"]
        if existing is not None and existing.body["location"] != region:
            raise bad_request("InvalidReplicationLocation",
                              f"Replication {rid.name} is in {existing.body['location']} and cannot move to {region}.")
        if region == registry.body["location"]:
            raise bad_request("InvalidReplicationLocation",
                              f"The registry {registry.rid.name} is already in {region}, its home region; a "
                              "replication must be in another region.")
        for other in self.store.children(registry.key, "replications"):
            if other.key != rid.key and other.body["location"] == region:
                raise bad_request("InvalidReplicationLocation",
                                  f"The registry {registry.rid.name} already has replication {other.rid.name} in "
                                  f"{region}.")
        props = new["properties"]
        for key in ("provisioningState", "status"):
            props.pop(key, None)
        props["regionEndpointEnabled"] = bool(props.get("regionEndpointEnabled", True))
        props["zoneRedundancy"] = check_enum(props.get("zoneRedundancy") or "Disabled", ("Enabled", "Disabled"),
                                             "zoneRedundancy")
        return new

    def patch(self, req, rid, body, existing):
        new = super().patch(req, rid, body, existing)
        props = body.get("properties") or {}
        if "regionEndpointEnabled" in props:
            new["properties"]["regionEndpointEnabled"] = bool(props["regionEndpointEnabled"])
        return new

    def after_write(self, req, res, before):
        if before is None:
            members_changed(self.emu, self.store.get(res.rid.parent().key), new_region=res.body["location"])

    def on_deleted(self, res):
        registry = self.store.get(res.rid.parent().key)
        # A registry being deleted takes its replicas with it: its endpoints keep their NICs as they are.
        if registry is not None and getattr(registry, "transient_state", None) != "Deleting":
            members_changed(self.emu, registry)

    def render(self, res):
        out = super().render(res)
        out["location"] = res.body["location"]
        out["tags"] = res.body.get("tags") or {}
        out["systemData"] = system_data(self.emu, res)
        return out

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        props["status"] = {"displayStatus": "Syncing" if res.pending_op else "Ready", "message": "",
                           "timestamp": res.created}
        return props


# ---- private endpoint connections --------------------------------------------------------------------------------
class PrivateEndpointConnection(AcrType):
    types = ("registries", "privateEndpointConnections")
    has_location = False
    duration = 5.0
    delete_duration = 10.0

    def validate(self, req, rid, body, existing):
        if existing is None:
            raise not_found_child(str(rid))
        props = body.get("properties") or {}
        pe_id = (props.get("privateEndpoint") or {}).get("id")
        current = existing.properties["privateEndpoint"]["id"]
        if pe_id and pe_id.lower() != current.lower():
            raise bad_request("BadRequest", f"The private endpoint of connection {rid.name} is {current} and cannot "
                                            "be changed.")
        state = props.get("privateLinkServiceConnectionState") or {}
        status = next((s for s in STATES if s.lower() == (state.get("status") or "").lower()), None)
        if status is None:
            raise bad_request("BadRequest", f"The value '{state.get('status')}' is not valid for "
                                            f"privateLinkServiceConnectionState.status. Allowed values: "
                                            f"{', '.join(STATES)}.")
        current = (existing.properties.get("privateLinkServiceConnectionState") or {}).get("status")
        if status == "Approved" and (current == "Rejected" or existing.body.get("rejected")):
            # manage-private-endpoint.md: a connection that was denied can't be approved; remove it and create a new
            # one. ACR's error code is not documented: a plain 400 BadRequest (see the module docstring).
            raise bad_request("BadRequest", f"Private endpoint connection {rid.name} was rejected and cannot be "
                                            "approved. Delete the connection, then delete and re-create the private "
                                            "endpoint to request a new connection.")
        new_state = {"status": status}
        if state.get("description") is not None:
            new_state["description"] = state["description"]
        new_state["actionsRequired"] = check_enum(state.get("actionsRequired") or "None", ("None", "Recreate"),
                                                  "privateLinkServiceConnectionState.actionsRequired")
        new = copy.deepcopy(existing.body)
        new["previousState"] = visible_state(existing)
        new["properties"]["privateLinkServiceConnectionState"] = new_state
        if status == "Rejected":
            new["rejected"] = True   # "previously denied" stays true even if the state is later set to Pending
        return new

    def render_written(self, res):
        out = self.render(res)
        out["systemData"] = system_data(self.emu, res)
        return out

    def render(self, res):
        out = {"type": self.arm_type, "id": str(res.rid), "name": res.rid.name}
        props = copy.deepcopy(res.properties)
        props["privateLinkServiceConnectionState"] = visible_state(res)
        props["provisioningState"] = self.provisioning_state(res)
        out["properties"] = props
        return out


# ---- private link resources --------------------------------------------------------------------------------------
class PrivateLinkResource(AcrType):
    types = ("registries", "privateLinkResources")
    lro_style = SYNC
    has_location = False

    def validate(self, req, rid, body, existing):
        raise ArmError(405, "MethodNotAllowed", "The private link resources of a registry are read-only.")

    def check_delete(self, req, res):
        raise ArmError(405, "MethodNotAllowed", "The private link resources of a registry are read-only.")

    def render(self, res):
        registry = self.store.get(res.rid.parent().key)
        return {"type": self.arm_type, "id": str(res.rid), "name": res.rid.name,
                "properties": {"groupId": "registry",
                               "requiredMembers": [m for _, m, _ in members(registry)],
                               # privatelink.azurecr.io / .us / .cn (private-endpoint-dns.md, clouds.py)
                               "requiredZoneNames": [clouds.of(self.emu).acr_zone]}}


def register(engine):
    for cls in (Registry, Replication, PrivateEndpointConnection, PrivateLinkResource):
        engine.register(cls)
    engine.subscription_actions[(NAMESPACE.lower(), "checknameavailability")] = \
        lambda req, sub: check_name_availability(req, sub, engine.emu)
    endpoints.register_target(engine, RegistryLinkTarget())
