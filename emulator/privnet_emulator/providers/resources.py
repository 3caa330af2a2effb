"""Microsoft.Resources: resource groups, provider registration and subscription-level routes."""

import time

from .. import generic
from ..arm import Response
from ..errors import ArmError, bad_request, resource_group_not_found
from ..ids import new_guid, rg_id
from ..store import Operation

KNOWN_NAMESPACES = ("Microsoft.Network", "Microsoft.ContainerRegistry", "Microsoft.Resources", "Microsoft.Storage",
                    "Microsoft.KeyVault", "Microsoft.Sql", "Microsoft.DocumentDB", "Microsoft.DBforPostgreSQL",
                    "Microsoft.ServiceBus")
# Namespaces not registered in a subscription until someone registers them (secondary subscription only:
# the documented cross-subscription prerequisite for a registry's private endpoint).
UNREGISTERED_AT_START = {("8c4e1a2b-5d3f-4b6a-9e8d-7f0c1b2a3d4e", "microsoft.containerregistry")}


def group_body(sub, group):
    return {"id": rg_id(sub, group["name"]), "name": group["name"], "type": "Microsoft.Resources/resourceGroups",
            "location": group["location"], "tags": group.get("tags") or {},
            "properties": {"provisioningState": group.get("state", "Succeeded")}}


def list_groups(emu, req, sub):
    groups = [group_body(sub, g) for (s, _), g in sorted(emu.store.resource_groups.items()) if s == sub.lower()]
    return emu.engine.page(req, groups)


def create_group(emu, sub, name, location, tags=None):
    group = {"name": name, "location": location.replace(" ", "").lower(), "tags": tags or {}}
    emu.store.resource_groups[(sub.lower(), name.lower())] = group
    return group


def resource_group(emu, req, sub, rg):
    store = emu.store
    group = store.get_rg(sub, rg)
    if req.method == "HEAD":
        return Response(204 if group else 404)
    if req.method == "GET":
        if group is None:
            raise resource_group_not_found(rg)
        return Response(200, group_body(sub, group))
    if req.method == "PUT":
        body = req.body or {}
        if not body.get("location"):
            raise bad_request("LocationRequired", "The location property is required for this definition.")
        if group is not None:
            if group.get("state") == "Deleting":
                raise ArmError(409, "ResourceGroupBeingDeleted",
                               f"The resource group '{group['name']}' is in deprovisioning state and cannot "
                               "perform this operation.")
            if body["location"].replace(" ", "").lower() != group["location"]:
                raise ArmError(409, "InvalidResourceGroupLocation",
                               f"Invalid resource group location '{body['location']}'. The Resource group already "
                               f"exists in location '{group['location']}'.")
            group["tags"] = body.get("tags") or {}
            return Response(200, group_body(sub, group))
        group = create_group(emu, sub, rg, body["location"], body.get("tags"))
        return Response(201, group_body(sub, group))
    if req.method == "PATCH":
        if group is None:
            raise resource_group_not_found(rg)
        if "tags" in (req.body or {}):
            group["tags"] = req.body["tags"] or {}
        return Response(200, group_body(sub, group))
    if req.method == "DELETE":
        if group is None:
            raise resource_group_not_found(rg)
        group["state"] = "Deleting"
        op_id = "RESOURCEGROUPDELETIONJOB-" + new_guid().replace("-", "").upper()[:24]

        def finish():
            for res in list(store.in_resource_group(sub, rg)):
                if res.rid.parent() is None:
                    emu.engine.remove_now(res)
            store.resource_groups.pop((sub.lower(), rg.lower()), None)

        op = Operation(op_id, "delete", None, time.monotonic() + emu.scaled(15), [], "resources", "global",
                       finish=finish)
        store.add_operation(op)
        headers = {"Location": req.url(f"/subscriptions/{sub}/operationresults/{op_id}")}
        headers.update(emu.retry_after_headers(15))
        return Response(202, None, headers)
    raise ArmError(405, "MethodNotAllowed", f"The method {req.method} is not allowed.")


def poll_group_delete(emu, req, op_id):
    op = emu.store.operations.get(op_id)
    if op is None:
        raise ArmError(404, "OperationNotFound", f"The operation '{op_id}' could not be found.")
    if not op.finished:
        # ARM repeats the Location header on each 202 while the group is being deleted.
        headers = {"Location": req.url(req.path)}
        headers.update(emu.retry_after_headers(15))
        return Response(202, None, headers)
    return Response(200, None)


def list_resources(emu, req, sub, rg):
    """Resources_ListByResourceGroup (resources.json 2021-04-01); the generic module does the listing."""
    if emu.store.get_rg(sub, rg) is None:
        raise resource_group_not_found(rg)
    return generic.list_resources(emu, req, sub, rg)


def registration_state(emu, sub, namespace):
    key = (sub.lower(), namespace.lower())
    if key in emu.store.providers:
        return emu.store.providers[key]
    return "NotRegistered" if key in UNREGISTERED_AT_START else "Registered"


# The api-versions each namespace's resource types list, newest first (the Azure CLI takes the first stable one:
# azure-cli command_modules/resource/custom.py _ResourceUtils.resolve_api_version). Each is one the emulator is
# held to by a client or a spec: the azure-mgmt-* pins (arm-wire-contract.md section 0), the Azure CLI 2.91.0 ones
# (azure-cli aaz network commands, privatedns, acr via azure-mgmt-containerregistry, core/profiles/_shared.py),
# and the newest stable swagger folders in azure-rest-api-specs (network 2025-07-01, privatedns 2018-09-01,
# containerregistry 2025-11-01, resources 2021-04-01).
API_VERSIONS = {
    # 2025-09-01, 2025-01-01, 2023-09-01: Azure CLI 2.91 aaz `network public-ip`, `vnet-gateway` / `vpn-connection`
    # and `vpn-connection shared-key` (issue 19, emulator/tests/cli/test_vpn_cli.py).
    "microsoft.network": ["2026-03-01", "2026-01-01", "2025-09-01", "2025-07-01", "2025-01-01", "2024-07-01",
                          "2024-06-01", "2023-09-01", "2018-09-01"],
    "microsoft.containerregistry": ["2026-09-01-preview", "2025-11-01", "2023-11-01-preview", "2019-05-01"],
    "microsoft.resources": ["2025-04-01", "2024-11-01", "2022-12-01", "2021-04-01"],
    # azure-mgmt-msi 7.1.0's DEFAULT_API_VERSION (providers/identities.py).
    "microsoft.managedidentity": ["2024-11-30"],
    # Private Link targets beyond ACR (issue 15): the api-versions the collection's modules send (stable folders of
    # azure-rest-api-specs: storage 2023-05-01, keyvault 2023-07-01, sql 2023-08-01, cosmos-db 2024-11-15,
    # postgresql flexibleServers 2024-08-01, servicebus 2021-11-01) and the ones Azure CLI 2.91 sends
    # (contract/versions.py names each one's source).
    "microsoft.storage": ["2025-08-01", "2023-05-01", "2019-06-01"],
    "microsoft.keyvault": ["2026-02-01", "2023-07-01", "2019-09-01"],
    "microsoft.sql": ["2024-11-01-preview", "2023-08-01", "2018-06-01-preview"],
    "microsoft.documentdb": ["2024-11-15"],
    "microsoft.dbforpostgresql": ["2024-08-01"],
    "microsoft.servicebus": ["2021-11-01"],
}
# Private DNS's types are global (their location is always "global", arm-wire-contract.md 1.7).
GLOBAL_TYPES = {"privatednszones"}


def known_locations(emu, sub):
    """Emulator convention: the emulator accepts any region, so a regional type lists the regions in use in the
    subscription (its resource groups' and resources') rather than a made-up world map."""
    seen = {g["location"] for (s, _), g in emu.store.resource_groups.items() if s == sub.lower()}
    seen |= {(r.body.get("location") or "").replace(" ", "").lower() for r in emu.store.resources.values()
             if r.rid.subscription.lower() == sub.lower()}
    return sorted(loc for loc in seen if loc and loc != "global")


def all_namespaces(emu):
    """The namespaces the emulator serves: the known ones and every namespace a resource handler registered."""
    extra = sorted({h.namespace for h in emu.engine.handlers.values()} - set(KNOWN_NAMESPACES))
    return list(KNOWN_NAMESPACES) + extra


def provider_body(emu, sub, namespace):
    """Providers_Get / Providers_List item (resources.json 2021-04-01, Provider and ProviderResourceType):
    id, namespace, registrationState, registrationPolicy, resourceTypes[{resourceType, locations, apiVersions}].
    Top-level types only: the Azure CLI resolves a child's api-version from its top-level parent's type
    (azure-cli _ResourceUtils.resolve_api_version, "use parent resource's api-version")."""
    canonical = next((n for n in all_namespaces(emu) if n.lower() == namespace.lower()), namespace)
    types = sorted({h.types[0] for h in emu.engine.handlers.values() if h.namespace.lower() == namespace.lower()})
    if canonical == "Microsoft.Resources":
        types = sorted(set(types) | {"resourceGroups"})
    versions = API_VERSIONS.get(canonical.lower(), [])
    regional = known_locations(emu, sub)
    return {"id": f"/subscriptions/{sub}/providers/{canonical}", "namespace": canonical,
            "registrationState": registration_state(emu, sub, canonical),
            "registrationPolicy": "RegistrationRequired",
            "resourceTypes": [{"resourceType": t,
                               "locations": ["global"] if t.lower() in GLOBAL_TYPES else regional,
                               "apiVersions": list(versions)} for t in types]}


def require_registered(emu, sub, namespace, req):
    if req.method in ("PUT", "PATCH") and registration_state(emu, sub, namespace) != "Registered":
        message = (f"The subscription is not registered to use namespace '{namespace}'. See "
                   "https://aka.ms/rps-not-found for how to register subscriptions.")
        raise ArmError(409, "MissingSubscriptionRegistration", message,
                       details=[{"code": "MissingSubscriptionRegistration", "target": namespace, "message": message}])


def subscription_providers(emu, req, sub, rest, rest_low):
    """/subscriptions/{sub}/providers[/{ns}[/register | /{type} | /locations/{loc}/operations/{id}]]"""
    if not rest:
        return emu.engine.page(req, [provider_body(emu, sub, n) for n in all_namespaces(emu)])
    namespace = rest[0]
    if len(rest) == 1:
        return Response(200, provider_body(emu, sub, namespace))
    if len(rest) == 2 and rest_low[1] in ("register", "unregister") and req.method == "POST":
        state = "Registered" if rest_low[1] == "register" else "NotRegistered"
        emu.store.providers[(sub.lower(), namespace.lower())] = state
        return Response(200, provider_body(emu, sub, namespace))
    if len(rest) == 5 and rest_low[1] == "locations" and rest_low[3] in ("operations", "operationresults",
                                                                         "asyncoperations"):
        # asyncoperations: Storage's Location (a result poll; arm.py STORAGE)
        return emu.engine.poll(req, rest[4], "status" if rest_low[3] == "operations" else "result")
    if len(rest) == 4 and rest_low[1] == "locations":
        action = emu.engine.location_actions.get((namespace.lower(), rest_low[3], req.method))
        if action:
            return action(req, sub, None, rest[2])
    if len(rest) == 2 and req.method == "POST":
        action = emu.engine.subscription_actions.get((namespace.lower(), rest_low[1]))
        if action:
            return action(req, sub)
    if len(rest) == 2 and req.method == "GET":
        handler = emu.engine.handler_for(namespace, (rest[1],))
        if handler is not None and handler.list_by_subscription:
            items = emu.store.of_type(namespace, handler.types, sub=sub)
            return emu.engine.page(req, [handler.render(r) for r in items])
    raise ArmError(404, "NotFound", f"No route for {req.path}.")
