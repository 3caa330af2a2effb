#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: service_endpoint
short_description: Manage the service endpoints and service endpoint policies of a subnet
version_added: 0.1.0
description:
  - Enables or removes virtual network service endpoints (C(Microsoft.Storage), C(Microsoft.Sql),
    C(Microsoft.KeyVault), ...) on an existing subnet, and attaches or detaches service endpoint policies
    (C(az network vnet subnet update --service-endpoints ... --service-endpoint-policy ...)).
  - By default the services you list are added and the others are left alone; O(purge=true) removes the
    ones you do not list.
  - Endpoints are compared by service name, because Azure fills in the locations of an endpoint you
    create without them. Locations are compared only when you give them.
  - The subnet is read and written back as read, so every other property (address prefixes, network
    security group, route table, NAT gateway, delegations, network policies, ...) is kept as it is.
  - B(Enabling or removing an endpoint switches the source addresses) the subnet uses towards that
    service between public and private addresses, and resets open connections to it. IP firewall rules
    of the service that allowed the subnet's public addresses stop matching; add a virtual network rule
    for the subnet on the service instead. The module warns whenever it makes such a change.
  - The subnet must exist; the module does not create virtual networks or subnets.
author:
  - privnet maintainers (!UNKNOWN)
options:
  subnet_id:
    description:
      - Resource id of the subnet,
        C(/subscriptions/<sub>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>).
      - Give either O(subnet_id), or O(virtual_network) and O(name).
    type: str
  virtual_network:
    description:
      - Name of the virtual network, in O(resource_group), or its resource id (which may be in another
        subscription).
    type: str
  name:
    description:
      - Name of the subnet in O(virtual_network).
    type: str
  resource_group:
    description:
      - Resource group of the virtual network, needed when O(virtual_network) is a name.
      - Also the resource group of service endpoint policies given by name.
    type: str
  services:
    description:
      - The service endpoints, each a service name such as V(Microsoft.Storage), or a dict with C(service)
        and optional C(locations).
      - Service names are case-insensitive. Valid names are C(Microsoft.Storage),
        C(Microsoft.Storage.Global), C(Microsoft.Sql), C(Microsoft.AzureCosmosDB), C(Microsoft.KeyVault),
        C(Microsoft.ServiceBus), C(Microsoft.EventHub), C(Microsoft.AzureActiveDirectory), C(Microsoft.Web),
        C(Microsoft.CognitiveServices) and C(Microsoft.ContainerRegistry).
      - C(locations) limits the regions the endpoint serves (for example V(westeurope)); without it Azure
        chooses (the subnet's region and its pair for storage, the region for SQL, V(*) for most others),
        and the module leaves whatever locations the endpoint has.
      - With O(state=absent), the services to remove (their locations are ignored).
    type: list
    elements: raw
  purge:
    description:
      - With O(state=present), remove the service endpoints of the subnet that O(services) does not list.
      - O(services=[]) with O(purge=true) removes every service endpoint.
    type: bool
    default: false
  service_endpoint_policies:
    description:
      - Service endpoint policies to attach to the subnet (to detach with O(state=absent)), by resource id
        or by name in O(resource_group) (the subnet's resource group with O(subnet_id)).
      - A policy restricts which resources of a service the subnet may reach through the endpoint; the
        subnet needs the endpoint of each policy's service, which is checked before any change.
    type: list
    elements: str
  purge_policies:
    description:
      - With O(state=present), detach the policies that O(service_endpoint_policies) does not list.
      - Ignored when O(service_endpoint_policies) is not given.
    type: bool
    default: false
  state:
    description:
      - V(present) adds (and with O(purge) or O(purge_policies), removes the unlisted) endpoints and policies.
      - V(absent) removes the listed endpoints and policies, and leaves the others.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.wait
  - privnet.azure.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff shows the subnet's service endpoints (and, when you give them, its policies) before and
        after. Locations Azure has not filled in yet are shown as an empty list.
  idempotent:
    support: full
notes:
  - Service endpoints do not serve traffic from on-premises networks; allow their public NAT addresses
    in the service's firewall instead. Azure SQL endpoints apply only within the virtual network's region.
  - The service side needs a virtual network rule for the subnet to accept its traffic; that is managed
    on the service (storage account, SQL server, key vault, ...), not by this module.
  - Changing endpoints needs C(Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action)
    besides write access to the subnet.
seealso:
  - module: privnet.azure.subnet_network_policies
  - name: Virtual network service endpoints
    description: What a service endpoint changes, and its limits.
    link: https://learn.microsoft.com/azure/virtual-network/virtual-network-service-endpoints-overview
  - name: Service endpoint policies
    description: Restrict which resources of a service a subnet reaches.
    link: https://learn.microsoft.com/azure/virtual-network/virtual-network-service-endpoint-policies-overview
"""

EXAMPLES = r"""
- name: Add storage and key vault endpoints to a subnet (other endpoints are kept)
  privnet.azure.service_endpoint:
    resource_group: rg-network
    virtual_network: vnet-app
    name: snet-workload
    services:
      - Microsoft.Storage
      - Microsoft.KeyVault

- name: Exactly these endpoints, storage limited to two regions
  privnet.azure.service_endpoint:
    subnet_id: "{{ subnet_id }}"
    services:
      - service: Microsoft.Storage
        locations: [westeurope, northeurope]
      - Microsoft.Sql
    purge: true

- name: Restrict the storage endpoint with a service endpoint policy
  privnet.azure.service_endpoint:
    resource_group: rg-network
    virtual_network: vnet-app
    name: snet-workload
    services: [Microsoft.Storage]
    service_endpoint_policies: [sep-allowed-storage]

- name: Remove the SQL endpoint only
  privnet.azure.service_endpoint:
    resource_group: rg-network
    virtual_network: vnet-app
    name: snet-workload
    services: [Microsoft.Sql]
    state: absent
"""

RETURN = r"""
subnet:
  description:
    - The subnet after the change; in check mode, as it would be.
    - With O(wait=false), the state sent to Azure, before Azure finished applying it.
  returned: success
  type: dict
  contains:
    id:
      description: Resource id of the subnet.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-app/subnets/snet-workload
    name:
      description: Name of the subnet.
      type: str
      returned: always
      sample: snet-workload
    resource_group:
      description: Resource group of the virtual network.
      type: str
      returned: always
      sample: rg-network
    virtual_network:
      description: Name of the virtual network.
      type: str
      returned: always
      sample: vnet-app
    address_prefix:
      description: Address prefix of the subnet, when it has a single one.
      type: str
      returned: always
      sample: 10.20.1.0/24
    address_prefixes:
      description: Address prefixes of the subnet, when it has several.
      type: list
      elements: str
      returned: always
      sample: []
    service_endpoints:
      description: Service endpoints of the subnet.
      type: list
      elements: dict
      returned: always
      contains:
        service:
          description: The service.
          type: str
          returned: always
          sample: Microsoft.Storage
        locations:
          description: Regions the endpoint serves (empty in check mode or with O(wait=false) when Azure has not filled them in).
          type: list
          elements: str
          returned: always
          sample: ["westeurope", "northeurope"]
    service_endpoint_policies:
      description: Resource ids of the service endpoint policies attached to the subnet.
      type: list
      elements: str
      returned: always
      sample: []
    private_endpoint_network_policies:
      description: Private endpoint network policies (kept as they are).
      type: str
      returned: always
      sample: Disabled
    private_link_service_network_policies:
      description: Private link service network policies (kept as they are).
      type: str
      returned: always
      sample: Enabled
    network_security_group_id:
      description: Resource id of the network security group, if any.
      type: str
      returned: always
    route_table_id:
      description: Resource id of the route table, if any.
      type: str
      returned: always
    nat_gateway_id:
      description: Resource id of the NAT gateway, if any.
      type: str
      returned: always
    delegations:
      description: Delegations of the subnet to services.
      type: list
      elements: dict
      returned: always
      contains:
        name:
          description: Name of the delegation.
          type: str
          returned: always
          sample: aci
        service_name:
          description: The service the subnet is delegated to.
          type: str
          returned: always
          sample: Microsoft.ContainerInstance/containerGroups
    provisioning_state:
      description: Provisioning state of the subnet.
      type: str
      returned: always
      sample: Succeeded
"""

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API, properties, ref
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import Difference
from ansible_collections.privnet.azure.plugins.module_utils._ids import resolve_resource_id, same_id
from ansible_collections.privnet.azure.plugins.module_utils._subnet import (
    describe,
    require_subnet,
    resolve_named_subnet,
    subnet_constraints,
    subnet_result,
    update_subnet,
)

NETWORK = "Microsoft.Network"
# The service names Azure accepts for a subnet service endpoint (az network vnet list-endpoint-services).
SERVICES = (
    "Microsoft.Storage",
    "Microsoft.Storage.Global",
    "Microsoft.Sql",
    "Microsoft.AzureCosmosDB",
    "Microsoft.KeyVault",
    "Microsoft.ServiceBus",
    "Microsoft.EventHub",
    "Microsoft.AzureActiveDirectory",
    "Microsoft.Web",
    "Microsoft.CognitiveServices",
    "Microsoft.ContainerRegistry",
)
_CANONICAL = {s.lower(): s for s in SERVICES}

ARGUMENT_SPEC = dict(
    subnet_id=dict(type="str"),
    virtual_network=dict(type="str"),
    name=dict(type="str"),
    resource_group=dict(type="str"),
    services=dict(type="list", elements="raw"),
    purge=dict(type="bool", default=False),
    service_endpoint_policies=dict(type="list", elements="str"),
    purge_policies=dict(type="bool", default=False),
    state=dict(type="str", default="present", choices=["present", "absent"]),
)


# ---- parse and validate -------------------------------------------------------------------

def canonical_service(value, option):
    """The canonical spelling of a service name; fails listing the valid names."""
    text = str(value or "").strip()
    service = _CANONICAL.get(text.lower())
    if service is None:
        raise ValueError(f"{option}: {text!r} is not a service endpoint service; use one of {', '.join(SERVICES)} "
                         "(case does not matter)")
    return service


def location_key(value):
    """Azure writes locations as 'westeurope' or 'West Europe': compare without case and spaces."""
    return str(value).replace(" ", "").lower()


def parse_services(values):
    """[{service, locations or None}] from strings or dicts; one entry per service."""
    out = {}
    for index, item in enumerate(values or []):
        option = f"services[{index}]"
        if isinstance(item, str):
            service, locations = canonical_service(item, option), None
        elif isinstance(item, dict):
            unknown = sorted(set(item) - {"service", "locations"})
            if unknown:
                raise ValueError(f"{option}: unknown key(s) {', '.join(unknown)}; an entry is a service name or a "
                                 "dict with service and locations")
            service = canonical_service(item.get("service"), f"{option}.service")
            locations = item.get("locations")
            if locations is not None:
                if isinstance(locations, str):
                    locations = [locations]
                if not isinstance(locations, list) or not all(isinstance(x, str) and x.strip() for x in locations):
                    raise ValueError(f"{option}.locations: give a list of region names, e.g. [westeurope]")
                locations = [x.strip() for x in locations]
        else:
            raise ValueError(f"{option}: give a service name such as Microsoft.Storage, or a dict with service and "
                             "locations")
        if service in out:
            raise ValueError(f"{option}: {service} is listed twice; list each service once")
        out[service] = locations
    return out


def resolve_policies(module, subnet_rid):
    ids = []
    for index, value in enumerate(module.params["service_endpoint_policies"] or []):
        option = f"service_endpoint_policies[{index}]"
        rid = module.validated(resolve_resource_id, value, option=option, subscription=subnet_rid.subscription,
                               resource_group=module.params["resource_group"] or subnet_rid.resource_group,
                               provider=NETWORK, type_="serviceEndpointPolicies", name_kind="service_endpoint_policy")
        # "The service endpoint policy must be in the same region and subscription as the virtual
        # network" (Microsoft Learn, virtual-network-service-endpoint-policies-overview.md, limitations).
        if module.params["state"] == "present" and rid.subscription.lower() != subnet_rid.subscription.lower():
            module.fail_json(msg=f"{option}: policy '{rid.name}' is in subscription {rid.subscription}, the subnet in "
                                 f"{subnet_rid.subscription}; Azure attaches only a service endpoint policy of the "
                                 "virtual network's subscription and region: create the policy there")
        if not any(same_id(str(rid), str(other)) for other in ids):
            ids.append(rid)
    return ids


# ---- compare ------------------------------------------------------------------------------

def endpoint_view(endpoints):
    """Service endpoints (a subnet's serviceEndpoints) as plain dicts, for diff and comparison."""
    return [{"service": canonical_name(e.get("service")), "locations": list(e.get("locations") or [])}
            for e in endpoints or []]


def canonical_name(service):
    return _CANONICAL.get((service or "").lower(), service)


def desired_endpoints(current, wanted, state, purge):
    """The subnet's endpoint list after the change (dicts), keeping current order and entries."""
    result = []
    handled = set()
    for entry in current:
        service = entry["service"]
        if service in wanted:
            handled.add(service)
            if state == "absent":
                continue
            locations = wanted[service]
            if locations is not None and (sorted(map(location_key, locations))
                                          != sorted(map(location_key, entry["locations"]))):
                result.append({"service": service, "locations": list(locations), "changed": True})
            else:
                result.append(dict(entry))
        elif not (purge and state == "present"):
            result.append(dict(entry))
    if state == "present":
        for service, locations in wanted.items():
            if service not in handled:
                result.append({"service": service, "locations": list(locations or []), "changed": True,
                               "new": True, "locations_given": locations is not None})
    return result


def desired_policies(current, wanted, state, purge):
    if state == "absent":
        return [p for p in current if not any(same_id(p, str(w)) for w in wanted)]
    result = [p for p in current if not purge or any(same_id(p, str(w)) for w in wanted)]
    for rid in wanted:
        if not any(same_id(p, str(rid)) for p in result):
            result.append(str(rid))
    return result


def policy_ids(subnet):
    return [ref(p) for p in properties(subnet).get("serviceEndpointPolicies") or [] if ref(p)]


# ---- main -------------------------------------------------------------------------------------

def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True,
                         **subnet_constraints("services", "service_endpoint_policies"))
    params = module.params
    state = params["state"]

    # 1. Parse and validate, before any call to Azure.
    subnet_id = module.validated(resolve_named_subnet, module)
    wanted = module.validated(parse_services, params["services"])
    manage_services = params["services"] is not None
    wanted_policies = resolve_policies(module, subnet_id)
    manage_policies = params["service_endpoint_policies"] is not None

    # 2. Read the current state.
    subnet = module.validated(require_subnet, module, subnet_id)
    current = endpoint_view(properties(subnet).get("serviceEndpoints"))
    current_policies = policy_ids(subnet)

    # 3. Compare: services by name, locations only where given; policies by id.
    after = desired_endpoints(current, wanted, state, params["purge"]) if manage_services else current
    plain_after = [{"service": e["service"], "locations": e["locations"]} for e in after]
    services_changed = manage_services and (
        [e["service"] for e in plain_after] != [e["service"] for e in current]
        or any(e.get("changed") for e in after))
    policies_after = (desired_policies(current_policies, wanted_policies, state, params["purge_policies"])
                      if manage_policies else current_policies)
    policies_changed = manage_policies and ([p.lower() for p in policies_after]
                                            != [p.lower() for p in current_policies])
    changed = bool(services_changed or policies_changed)

    # Policies being attached must exist, and the subnet must keep the endpoint of each policy's service.
    services_after = {e["service"] for e in plain_after}
    removed_services = {e["service"] for e in current} - services_after
    to_check = [p for p in policies_after
                if removed_services or not any(same_id(p, c) for c in current_policies)]
    if to_check:
        check_policies(module, subnet_id, to_check, current_policies, services_after)

    diff = Difference()
    if manage_services:
        diff.add("service_endpoints", current, plain_after, changed=bool(services_changed))
    if manage_policies:
        diff.add("service_endpoint_policies", current_policies, policies_after, changed=bool(policies_changed))

    # 4. Apply, keeping every other subnet property (update_subnet honours check mode).
    if changed:
        warn_source_switch(module, subnet_id, current, plain_after)
        changes = {}
        if services_changed:
            changes["serviceEndpoints"] = build_endpoints(subnet, after)
        if policies_changed:
            changes["serviceEndpointPolicies"] = build_policies(subnet, policies_after)
        subnet = update_subnet(module, subnet_id, subnet, changes)

    # 5. Return.
    module.exit(changed=changed, diff=diff, subnet=result(subnet))


def build_endpoints(subnet, after):
    """The serviceEndpoints list to send: untouched entries exactly as read (locations Azure
    filled in, network identifiers), changed or new ones with only what the user gave."""
    by_service = {canonical_name(e.get("service")): e for e in properties(subnet).get("serviceEndpoints") or []}
    out = []
    for entry in after:
        if not entry.get("changed") and entry["service"] in by_service:
            out.append(by_service[entry["service"]])
        elif entry.get("new") and not entry.get("locations_given"):
            out.append({"service": entry["service"]})
        else:
            out.append({"service": entry["service"], "locations": entry["locations"]})
    return out


def build_policies(subnet, policies_after):
    """The serviceEndpointPolicies references to send: kept ones as read, new ones by id."""
    current = {ref(p).lower(): p for p in properties(subnet).get("serviceEndpointPolicies") or [] if ref(p)}
    return [current.get(p.lower()) or {"id": p} for p in policies_after]


def check_policies(module, subnet_rid, policies, current_policies, services_after):
    """Each policy must exist (unless attached already), be in the virtual network's region and find its
    service's endpoint on the subnet."""
    vnet_location = None
    for policy_id in policies:
        rid = module.validated(resolve_resource_id, policy_id, option="service_endpoint_policies",
                               subscription=None, resource_group=None, provider=NETWORK,
                               type_="serviceEndpointPolicies")
        policy = module.arm(rid.subscription).get(str(rid), NETWORK_API,
                                                  what=f"reading service endpoint policy '{rid.name}'")
        if policy is None:
            if any(same_id(policy_id, p) for p in current_policies):
                continue  # attached already; not ours to judge
            module.fail_json(msg=f"service_endpoint_policies: service endpoint policy '{rid.name}' (resource group "
                                 f"'{rid.resource_group}', subscription '{rid.subscription}') was not found; create "
                                 "it first, or fix the name")
        if not any(same_id(policy_id, p) for p in current_policies):
            if vnet_location is None:
                vnet_location = read_vnet_location(module, subnet_rid)
            if location_key(policy.get("location") or "") != location_key(vnet_location or ""):
                module.fail_json(msg=f"service_endpoint_policies: policy '{rid.name}' is in {policy.get('location')}, virtual "
                                     f"network '{subnet_rid.name}' in {vnet_location}; Azure attaches only a service "
                                     "endpoint policy of the virtual network's region and subscription: create the "
                                     f"policy in {vnet_location}")
        for definition in properties(policy).get("serviceEndpointPolicyDefinitions") or []:
            service = canonical_name(properties(definition).get("service"))
            if service and service not in services_after:
                module.fail_json(msg=f"service_endpoint_policies: policy '{rid.name}' restricts {service}, but the "
                                     f"subnet would have no {service} service endpoint; add {service} to services "
                                     "(or do not remove it)")


def read_vnet_location(module, subnet_rid):
    """The region of the subnet's virtual network (one read; a missing one fails the task)."""
    vnet_rid = subnet_rid.parent
    vnet = module.arm(vnet_rid.subscription).read(str(vnet_rid), NETWORK_API,
                                                  what=f"reading virtual network '{subnet_rid.name}'")
    return (vnet or {}).get("location")


def warn_source_switch(module, subnet_id, before, after):
    before_services = {e["service"] for e in before}
    after_services = {e["service"] for e in after}
    added = sorted(after_services - before_services)
    removed = sorted(before_services - after_services)
    where = describe(subnet_id)
    if added:
        module.warn(f"Service endpoints {', '.join(added)} enabled on {where}: the subnet now reaches "
                    "these services from its private addresses instead of public ones, and open connections to them "
                    "are reset. IP firewall rules of those services that allowed the subnet's public addresses stop "
                    "matching; add a virtual network rule for the subnet instead.")
    if removed:
        module.warn(f"Service endpoints {', '.join(removed)} removed from {where}: the subnet reaches these "
                    "services from public addresses again, open connections to them are reset, and their virtual "
                    "network rules for this subnet stop matching.")


def result(subnet):
    out = subnet_result(subnet)
    out["service_endpoints"] = endpoint_view(properties(subnet).get("serviceEndpoints"))
    out["service_endpoint_policies"] = policy_ids(subnet)
    return out


if __name__ == "__main__":
    main()
