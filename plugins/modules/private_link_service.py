#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: private_link_service
short_description: A private link service on a Standard load balancer's frontend, its visibility and auto-approval
version_added: 0.1.0
description:
  - Creates, updates or deletes an Azure private link service, which offers your own service behind a Standard
    internal load balancer to private endpoints in other virtual networks, subscriptions or tenants
    (C(az network private-link-service create/update/delete)).
  - Only the options given are compared and changed. An update sends back the service as read, so properties this
    module does not manage are kept.
  - Before any write, every frontend must exist on a Standard load balancer, and every NAT subnet must have its
    C(privateLinkServiceNetworkPolicies) V(Disabled). A subnet with them enabled fails the task naming the fix,
    unless O(disable_subnet_policies=true), in which case the module disables them first (keeping every other
    property of the subnet).
  - Consumers connect with the service's C(alias) (returned) or its resource id. Approve or reject their
    connections with M(privnet.azure.private_endpoint_connection) (O(auto_approval) approves some at once).
author:
  - privnet maintainers (!UNKNOWN)
requirements:
  - azure-mgmt-network >= 28 (only to read and update the NAT subnets)
options:
  name:
    description:
      - Name of the private link service.
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the private link service. Also the default resource group of the load balancers and
        virtual networks named without an id.
    type: str
    required: true
  location:
    description:
      - Region of the service. Default, the region of the load balancer of the first frontend; a service must be in
        the region of its load balancer and NAT subnets.
      - Cannot be changed once the service exists.
    type: str
  load_balancer_frontends:
    description:
      - The frontend IP configurations of Standard load balancers the service is offered on.
      - Required to create the service; when left out, the service keeps its frontends.
    type: list
    elements: dict
    suboptions:
      id:
        description:
          - Resource id of the frontend IP configuration.
          - Mutually exclusive with O(load_balancer_frontends[].load_balancer) and
            O(load_balancer_frontends[].name).
        type: str
      load_balancer:
        description:
          - Name of the load balancer in O(resource_group), or its resource id.
        type: str
      name:
        description:
          - Name of the frontend IP configuration of O(load_balancer_frontends[].load_balancer).
          - May be left out when the load balancer has a single frontend.
        type: str
  ip_configurations:
    description:
      - The NAT IP configurations (one to eight), whose addresses the service's traffic comes from.
      - Required to create the service; when given, it is the complete list.
      - Each subnet must have C(privateLinkServiceNetworkPolicies) V(Disabled) (see O(disable_subnet_policies)).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the IP configuration. Default, C(<service name>_ipconfig_<index>) (as the Azure CLI names them).
        type: str
      subnet_id:
        description:
          - Resource id of the subnet. Mutually exclusive with O(ip_configurations[].virtual_network) and
            O(ip_configurations[].subnet).
        type: str
      virtual_network:
        description:
          - Name of the virtual network (in O(ip_configurations[].virtual_network_resource_group)), or its resource
            id. With O(ip_configurations[].subnet).
        type: str
      virtual_network_resource_group:
        description:
          - Resource group of O(ip_configurations[].virtual_network) given as a name. Default, O(resource_group).
        type: str
      subnet:
        description:
          - Name of the subnet in O(ip_configurations[].virtual_network).
        type: str
      private_ip_address:
        description:
          - A static private IP address in the subnet. Left out, Azure picks one (V(Dynamic) allocation).
        type: str
      primary:
        description:
          - Whether this is the primary IP configuration. Exactly one is; default, the first one.
        type: bool
  visibility:
    description:
      - Subscription ids whose private endpoints may find and request the service, or V(*) for anyone who has its
        alias.
      - Added to the current list, unless O(purge_visibility=true). Left out, the list is kept.
    type: list
    elements: str
  purge_visibility:
    description:
      - With V(true), O(visibility) is the complete list and subscriptions not in it are removed.
      - With V(false) (default), the subscriptions of O(visibility) are added and the others kept.
    type: bool
    default: false
  auto_approval:
    description:
      - Subscription ids whose private endpoints' connections are approved at once (the others wait as V(Pending)
        for M(privnet.azure.private_endpoint_connection)). They should be in O(visibility) as well.
      - Added to the current list, unless O(purge_auto_approval=true). Left out, the list is kept.
    type: list
    elements: str
  purge_auto_approval:
    description:
      - With V(true), O(auto_approval) is the complete list and subscriptions not in it are removed.
      - With V(false) (default), the subscriptions of O(auto_approval) are added and the others kept.
    type: bool
    default: false
  fqdns:
    description:
      - The FQDNs of the service, for consumers' DNS. When given, the complete list (order ignored).
    type: list
    elements: str
  enable_proxy_protocol:
    description:
      - Whether the service sends the PROXY protocol v2 header (with the connection's link identifier) to the
        backends.
    type: bool
  tags:
    description:
      - Tags of the service.
    type: dict
  purge_tags:
    description:
      - With V(true), tags not in O(tags) are removed; with V(false) they are kept. Only used with O(tags).
    type: bool
    default: true
  disable_subnet_policies:
    description:
      - With V(true), a NAT subnet whose C(privateLinkServiceNetworkPolicies) is V(Enabled) gets them V(Disabled)
        first (as M(privnet.azure.subnet_network_policies) with O(privnet.azure.subnet_network_policies#module:private_link_service_network_policies=Disabled)
        does).
      - With V(false), such a subnet fails the task before any write.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the service; V(absent) deletes it, with its network interface and its
        private endpoint connections (the consumers' endpoints then show V(Disconnected)).
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
      - The diff shows the fields the task sets, before and after, and the NAT subnets' policies it disables.
  idempotent:
    support: full
notes:
  - Azure limits a service to eight NAT IP configurations, on a frontend of a Standard load balancer in the same
    region (Microsoft Learn, "What is Azure Private Link service?").
seealso:
  - module: privnet.azure.private_link_service_info
  - module: privnet.azure.private_endpoint_connection
  - module: privnet.azure.subnet_network_policies
  - name: What is Azure Private Link service?
    description: Visibility, auto-approval, NAT IPs, alias.
    link: https://learn.microsoft.com/azure/private-link/private-link-service-overview
"""

EXAMPLES = r"""
- name: Offer the app behind lb-app to the consumer subscription, approving one subscription at once
  privnet.azure.private_link_service:
    name: pls-app
    resource_group: rg-provider
    load_balancer_frontends:
      - load_balancer: lb-app
        name: frontend
    ip_configurations:
      - virtual_network: vnet-provider
        subnet: snet-nat
    visibility:
      - 8c4e1a2b-5d3f-4b6a-9e8d-7f0c1b2a3d4e
      - 0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e
    auto_approval:
      - 8c4e1a2b-5d3f-4b6a-9e8d-7f0c1b2a3d4e
    fqdns: [app.provider.example]
  register: pls

- name: Tell the consumers the alias
  ansible.builtin.debug:
    msg: "{{ pls.private_link_service.alias }}"

- name: Exactly these subscriptions see the service (others removed)
  privnet.azure.private_link_service:
    name: pls-app
    resource_group: rg-provider
    visibility: [8c4e1a2b-5d3f-4b6a-9e8d-7f0c1b2a3d4e]
    purge_visibility: true

- name: Remove the service
  privnet.azure.private_link_service:
    name: pls-app
    resource_group: rg-provider
    state: absent
"""

RETURN = r"""
private_link_service:
  description:
    - The private link service after the change; in check mode, as it would be (a new service's C(alias) is then
      V((known after apply))). Empty after O(state=absent).
  returned: success
  type: dict
  contains:
    id:
      description: Resource id of the service.
      type: str
      returned: when present
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-provider/providers/Microsoft.Network/privateLinkServices/pls-app
    name:
      description: Name of the service.
      type: str
      returned: when present
      sample: pls-app
    resource_group:
      description: Resource group of the service.
      type: str
      returned: when present
      sample: rg-provider
    location:
      description: Region of the service.
      type: str
      returned: when present
      sample: westeurope
    alias:
      description: The alias consumers connect with.
      type: str
      returned: when present
      sample: pls-app.6f1c2b8a-3d4e-4f5a-9b0c-1d2e3f4a5b6c.westeurope.azure.privatelinkservice
    load_balancer_frontend_ids:
      description: Resource ids of the load balancer frontends.
      type: list
      elements: str
      returned: when present
    ip_configurations:
      description: The NAT IP configurations.
      type: list
      elements: dict
      returned: when present
      contains:
        name:
          description: Name of the IP configuration.
          type: str
          returned: always
          sample: pls-app_ipconfig_0
        subnet_id:
          description: Resource id of its subnet.
          type: str
          returned: always
        private_ip_allocation_method:
          description: V(Dynamic) or V(Static).
          type: str
          returned: always
          sample: Dynamic
        private_ip_address:
          description: Its address (none yet in check mode for a new V(Dynamic) one).
          type: str
          returned: always
          sample: 10.50.2.4
        primary:
          description: Whether it is the primary one.
          type: bool
          returned: always
          sample: true
    visibility:
      description: Subscription ids that can see the service (V(*) for anyone with the alias).
      type: list
      elements: str
      returned: when present
    auto_approval:
      description: Subscription ids whose connections are approved at once.
      type: list
      elements: str
      returned: when present
    fqdns:
      description: FQDNs of the service.
      type: list
      elements: str
      returned: when present
    enable_proxy_protocol:
      description: Whether the PROXY protocol is on.
      type: bool
      returned: when present
    tags:
      description: Tags of the service.
      type: dict
      returned: when present
    network_interface_ids:
      description: The network interface Azure made for the service (not yours to change).
      type: list
      elements: str
      returned: when present
    provisioning_state:
      description: Provisioning state of the service.
      type: str
      returned: when present
      sample: Succeeded
    connections:
      description: The private endpoint connections of the service, as M(privnet.azure.private_endpoint_connection)
        returns them.
      type: list
      elements: dict
      returned: when present
      contains:
        id:
          description: Resource id of the connection.
          type: str
          returned: always
        name:
          description: Name of the connection.
          type: str
          returned: always
        private_endpoint_id:
          description: Resource id of the consumer's private endpoint.
          type: str
          returned: always
        status:
          description: V(Pending), V(Approved), V(Rejected) or V(Disconnected).
          type: str
          returned: always
          sample: Pending
        description:
          description: The reason recorded with the status (the consumer's request message while pending).
          type: str
          returned: always
        actions_required:
          description: Whether the consumer must act.
          type: str
          returned: always
        provisioning_state:
          description: Provisioning state of the connection.
          type: str
          returned: always
subnet_policies:
  description: The NAT subnets whose private link service network policies were (or, in check mode, would be)
    disabled, by subnet id.
  returned: success
  type: list
  elements: str
"""

import ipaddress

from ansible_collections.privnet.azure.plugins.module_utils import _subnet
from ansible_collections.privnet.azure.plugins.module_utils._arm import ArmResources
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import ABSENT, Difference, ci, unordered
from ansible_collections.privnet.azure.plugins.module_utils._endpoint import location_key
from ansible_collections.privnet.azure.plugins.module_utils._ids import (
    build_resource_id,
    parse_resource_id,
    resolve_resource_id,
)
from ansible_collections.privnet.azure.plugins.module_utils._linkservice import (
    API_VERSION,
    FRONTEND_TYPE,
    LOAD_BALANCER_TYPE,
    MAX_NAT_IPS,
    NETWORK,
    SERVICE_TYPE,
    body_of,
    check_name,
    check_standard,
    check_subscriptions,
    comparable_ip_configurations,
    fields,
    frontend_of,
    merged,
    service_result,
)
from ansible_collections.privnet.azure.plugins.module_utils._validate import ip_in_prefix, name as valid_name

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    resource_group=dict(type="str", required=True),
    location=dict(type="str"),
    load_balancer_frontends=dict(type="list", elements="dict", options=dict(
        id=dict(type="str"),
        load_balancer=dict(type="str"),
        name=dict(type="str"),
    ), mutually_exclusive=[("id", "load_balancer"), ("id", "name")], required_one_of=[("id", "load_balancer")]),
    ip_configurations=dict(type="list", elements="dict", options=dict(
        name=dict(type="str"),
        subnet_id=dict(type="str"),
        virtual_network=dict(type="str"),
        virtual_network_resource_group=dict(type="str"),
        subnet=dict(type="str"),
        private_ip_address=dict(type="str"),
        primary=dict(type="bool"),
    ), mutually_exclusive=[("subnet_id", "virtual_network"), ("subnet_id", "subnet"),
                           ("subnet_id", "virtual_network_resource_group")],
        required_one_of=[("subnet_id", "subnet")], required_together=[("virtual_network", "subnet")]),
    visibility=dict(type="list", elements="str"),
    purge_visibility=dict(type="bool", default=False),
    auto_approval=dict(type="list", elements="str"),
    purge_auto_approval=dict(type="bool", default=False),
    fqdns=dict(type="list", elements="str"),
    enable_proxy_protocol=dict(type="bool"),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    disable_subnet_policies=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)

NORMALISERS = {
    "location": location_key,
    "load_balancer_frontend_ids": unordered(ci),
    "ip_configurations": comparable_ip_configurations,
    "visibility": unordered(ci),
    "auto_approval": unordered(ci),
    "fqdns": unordered(ci),
}
POLICY = "private_link_service_network_policies"  # in subnet_result(); Azure's JSON: privateLinkServiceNetworkPolicies


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True)
    params = module.params

    # 1. Validate what needs no call to Azure.
    module.validated(check_name, params["name"], "name")
    module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    service_id = build_resource_id(module.subscription_id, params["resource_group"], NETWORK, SERVICE_TYPE,
                                   params["name"])
    what = f"private link service '{params['name']}' (resource group '{params['resource_group']}')"
    arm = ArmResources(module)
    if params["state"] == "absent":
        absent(module, arm, service_id, what)
    frontends = module.validated(frontend_requests, module)
    nat = module.validated(ip_configuration_requests, module)
    visibility = module.validated(check_subscriptions, params["visibility"], "visibility", True)
    auto_approval = module.validated(check_subscriptions, params["auto_approval"], "auto_approval", False)
    if params["fqdns"] is not None:
        module.validated(check_fqdns, params["fqdns"])

    # 2. Read the service, its load balancers' frontends and (when the NAT IPs change) their subnets.
    current = arm.get(service_id, API_VERSION, what=f"reading {what}")
    if current is None and frontends is None:
        module.fail_json(msg=f"load_balancer_frontends: {what} does not exist; give the load balancer frontend(s) to "
                             "create it on. Nothing was changed.")
    if current is None and nat is None:
        module.fail_json(msg=f"ip_configurations: {what} does not exist; give its NAT IP configuration(s) (a subnet "
                             "with private link service network policies disabled) to create it. Nothing was changed.")
    load_balancers = read_frontends(module, arm, frontends) if frontends is not None else []
    location = service_location(module, current, load_balancers, what)

    # 3. Compare the fields the task sets.
    now = fields(current) if current is not None else {}
    desired = desired_fields(module, now, location, load_balancers, nat, visibility, auto_approval)
    difference = Difference()
    if current is None:
        difference.add("state", "absent", "present")
    for key in sorted(desired):
        difference.add(key, now.get(key, ABSENT) if current is not None else ABSENT, desired[key],
                       NORMALISERS.get(key))
    if current is not None and str((current.get("properties") or {}).get("provisioningState")).lower() == "failed":
        difference.add("provisioning_state", "Failed", "Succeeded")  # applied again, so Azure retries it
    seen = set(auto_approval or []) - set(s.lower() for s in desired.get("visibility", now.get("visibility", [])))
    if auto_approval and "*" not in desired.get("visibility", now.get("visibility", [])) and seen:
        module.warn(f"auto_approval: {', '.join(sorted(seen))} not in visibility: their endpoints cannot find the "
                    "service unless they have access to it; add them to visibility")

    # NAT subnets: checked (and, on request, their policies disabled) before the service is written.
    subnet_changes = []
    if nat is not None and (current is None or difference.has_difference_for("ip_configurations")):
        subnet_changes = check_nat_subnets(module, nat, what)
        if subnet_changes:
            difference.add("subnet_policies", {str(rid): before for rid, _s, before in subnet_changes},
                           {str(rid): "Disabled" for rid, _s, _b in subnet_changes})

    # 4. Apply (not in check mode): the subnets' policies first, then the service.
    service = current
    if difference.changed:
        for rid, subnet, _before in subnet_changes:
            _subnet.update_subnet(module, rid, subnet, {"privateLinkServiceNetworkPolicies": "Disabled"})
        body = body_of(current, location, {k: v for k, v in desired.items() if k != "location"})
        if module.check_mode:
            service = planned(service_id, params["name"], current, body)
        else:
            verb = "creating" if current is None else "updating"
            service = arm.put(service_id, API_VERSION, body, what=f"{verb} {what}")
            if service is None:  # wait=false
                service = arm.get(service_id, API_VERSION, what=f"reading {what}") or planned(
                    service_id, params["name"], current, body)

    # 5. Return.
    module.exit(changed=difference.changed, diff=difference, private_link_service=service_result(service),
                subnet_policies=[str(rid) for rid, _s, _b in subnet_changes])


def absent(module, arm, service_id, what):
    current = arm.get(service_id, API_VERSION, what=f"reading {what}")
    difference = Difference()
    if current is None:
        difference.add("state", "absent", "absent")
        module.exit(changed=False, diff=difference, private_link_service={}, subnet_policies=[])
    for key, value in fields(current).items():
        difference.add(key, value, ABSENT)
    difference.add("state", "present", "absent")
    if not module.check_mode:
        arm.delete(service_id, API_VERSION, what=f"deleting {what}")
    module.exit(changed=True, diff=difference, private_link_service={}, subnet_policies=[])


# ---- the task's requests, checked before any call ----------------------------------------------------------

def frontend_requests(module):
    """[(option, load balancer ResourceId, frontend name or None)] (a frontend id split), or None when not given."""
    params = module.params
    given = params["load_balancer_frontends"]
    if given is None:
        return None
    if not given:
        raise ValueError("load_balancer_frontends: is empty; a private link service needs at least one load balancer "
                         "frontend (give load_balancer and name, or id), or leave the option out to keep the current "
                         "ones")
    requests = []
    for index, item in enumerate(given):
        option = f"load_balancer_frontends[{index}]"
        if item["id"]:
            rid = parse_resource_id(item["id"], f"{option}.id")
            if rid.full_type.lower() != f"{NETWORK}/{LOAD_BALANCER_TYPE}/{FRONTEND_TYPE}".lower():
                raise ValueError(f"{option}.id: {item['id']!r} is a {rid.full_type} id; expected /subscriptions/<sub>/"
                                 f"resourceGroups/<group>/providers/{NETWORK}/{LOAD_BALANCER_TYPE}/<lb>/"
                                 f"{FRONTEND_TYPE}/<frontend>")
            requests.append((option, rid.parent, rid.leaf_name))
            continue
        if not str(item["load_balancer"]).startswith("/"):
            check_name(item["load_balancer"], f"{option}.load_balancer", "load balancer")
        lb = resolve_resource_id(item["load_balancer"], option=f"{option}.load_balancer",
                                 subscription=lambda: module.subscription_id, resource_group=params["resource_group"],
                                 provider=NETWORK, type_=LOAD_BALANCER_TYPE)
        if item["name"] is not None:
            check_name(item["name"], f"{option}.name", "frontend")
        requests.append((option, lb, item["name"]))
    return requests


def ip_configuration_requests(module):
    """The NAT IP configurations asked for (documented form, subnet ids resolved), or None when not given."""
    params = module.params
    given = params["ip_configurations"]
    if given is None:
        return None
    if not given:
        raise ValueError("ip_configurations: is empty; a private link service needs one to eight NAT IP "
                         "configurations, or leave the option out to keep the current ones")
    if len(given) > MAX_NAT_IPS:
        raise ValueError(f"ip_configurations: {len(given)} given; Azure allows at most {MAX_NAT_IPS} NAT IP "
                         "configurations per private link service")
    if sum(1 for item in given if item["primary"]) > 1:
        raise ValueError("ip_configurations: more than one is primary; set primary: true on one of them only")
    configs, names = [], set()
    for index, item in enumerate(given):
        option = f"ip_configurations[{index}]"
        name = item["name"] if item["name"] is not None else f"{params['name']}_ipconfig_{index}"
        check_name(name, f"{option}.name", "IP configuration")
        if name.lower() in names:
            raise ValueError(f"{option}.name: '{name}' is given twice; each IP configuration needs a name of its own")
        names.add(name.lower())
        if item["subnet_id"]:
            rid = parse_resource_id(item["subnet_id"], f"{option}.subnet_id")
            if rid.full_type.lower() != f"{NETWORK}/virtualNetworks/subnets".lower():
                raise ValueError(f"{option}.subnet_id: {item['subnet_id']!r} is a {rid.full_type} id; expected "
                                 f"/subscriptions/.../resourceGroups/.../providers/{NETWORK}/virtualNetworks/<vnet>/"
                                 "subnets/<subnet>")
        else:
            if not str(item["virtual_network"]).startswith("/"):
                valid_name("virtual_network", item["virtual_network"], f"{option}.virtual_network")
            valid_name("subnet", item["subnet"], f"{option}.subnet")
            vnet_group = item["virtual_network_resource_group"] or params["resource_group"]
            valid_name("resource_group", vnet_group, f"{option}.virtual_network_resource_group")
            vnet = resolve_resource_id(item["virtual_network"], option=f"{option}.virtual_network",
                                       subscription=lambda: module.subscription_id,
                                       resource_group=vnet_group, provider=NETWORK,
                                       type_="virtualNetworks")
            rid = vnet.child("subnets", item["subnet"])
        address = item["private_ip_address"]
        if address is not None:
            try:
                address = str(ipaddress.ip_address(address.strip()))
            except ValueError:
                raise ValueError(f"{option}.private_ip_address: {item['private_ip_address']!r} is not an IP "
                                 "address") from None
        configs.append({"name": name, "subnet_id": str(rid),
                        "private_ip_allocation_method": "Static" if address else "Dynamic",
                        "private_ip_address": address,
                        "primary": bool(item["primary"]) if any(i["primary"] for i in given) else index == 0})
    return configs


def check_fqdns(values):
    for index, value in enumerate(values):
        text = str(value).strip().rstrip(".")
        labels = text.split(".")
        if not text or len(text) > 253 or not all(0 < len(label) <= 63 for label in labels) or " " in text:
            raise ValueError(f"fqdns[{index}]: {value!r} is not a DNS name; give names like app.example.com")
    return values


# ---- reads ----------------------------------------------------------------------------------------------------

def read_frontends(module, arm, requests):
    """[(option, load balancer wire, frontend wire)]: every frontend must exist, on a Standard load balancer."""
    cache = {}
    found = []
    for option, lb_rid, frontend_name in requests:
        key = str(lb_rid).lower()
        if key not in cache:
            cache[key] = arm.get(str(lb_rid), API_VERSION,
                                 what=f"reading load balancer '{lb_rid.name}' (resource group '{lb_rid.resource_group}')")
        lb = cache[key]
        if lb is None:
            module.fail_json(msg=f"{option}: load balancer '{lb_rid.name}' was not found in resource group "
                                 f"'{lb_rid.resource_group}' (subscription '{lb_rid.subscription}'); create it first, "
                                 "or fix the name. Nothing was changed.")
        module.validated(check_standard, lb, option)
        frontend = module.validated(frontend_of, lb, frontend_name, option)
        found.append((option, lb, frontend))
    return found


def service_location(module, current, load_balancers, what):
    """The service's region: as it is, else the one given, else the first frontend's load balancer's; a given one
    must match the service's and its load balancers'."""
    wanted = module.params["location"]
    if current is not None:
        if wanted and location_key(wanted) != location_key(current.get("location")):
            module.fail_json(msg=f"location: {what} is in {current.get('location')}; a service's region cannot be "
                                 "changed (delete it and create it again, or leave location out). Nothing was changed.")
        location = current.get("location")
    else:
        location = wanted or (load_balancers[0][1].get("location") if load_balancers else None)
    for option, lb, _frontend in load_balancers:
        if location_key(lb.get("location")) != location_key(location):
            module.fail_json(msg=f"{option}: load balancer '{lb.get('name')}' is in {lb.get('location')}, the "
                                 f"service in {location}; a private link service must be in its load balancer's "
                                 "region (leave location out to take the load balancer's). Nothing was changed.")
    return location


def check_nat_subnets(module, nat, what):
    """Each NAT subnet must exist and have its private link service network policies Disabled; a static address
    must lie in it. Returns [(subnet rid, subnet model, current policy)] to disable (disable_subnet_policies);
    fails, naming the fix, for a subnet with them enabled otherwise. Every subnet is checked before any write."""
    to_disable, seen = [], set()
    for index, config in enumerate(nat):
        option = f"ip_configurations[{index}]"
        rid = parse_resource_id(config["subnet_id"])
        subnet = module.validated(_subnet.require_subnet, module, rid)
        view = _subnet.subnet_result(subnet)
        if config["private_ip_address"]:
            prefix = view["address_prefix"] or (view["address_prefixes"] or [None])[0]
            if prefix:
                module.validated(ip_in_prefix, config["private_ip_address"], prefix, f"{option}.private_ip_address")
        policy = view[POLICY] or "Enabled"
        if policy.lower() == "disabled" or str(rid).lower() in seen:
            continue
        seen.add(str(rid).lower())
        if not module.params["disable_subnet_policies"]:
            message = (f"{option}: {_subnet.describe(rid)} has private link service network policies {policy}; a "
                       "private link service's NAT IP needs them Disabled. Disable them first with "
                       "privnet.azure.subnet_network_policies (private_link_service_network_policies: Disabled), or "
                       "set disable_subnet_policies: true.")
            if not module.check_mode:
                module.fail_json(msg=f"{message} Nothing was changed.")
            # An earlier task of the same check-mode run may only have predicted disabling them; a real run fails here
            # if they are still on.
            module.warn(f"{message} (check mode: assumed to be done by an earlier task of this run)")
            continue
        to_disable.append((rid, subnet, policy))
    return to_disable


# ---- what the task asks for ----------------------------------------------------------------------------------

def desired_fields(module, now, location, load_balancers, nat, visibility, auto_approval):
    params = module.params
    desired = {}
    if params["location"] or not now:
        desired["location"] = location
    if load_balancers:
        desired["load_balancer_frontend_ids"] = list(dict.fromkeys(f["id"] for _o, _lb, f in load_balancers))
    if nat is not None:
        # A Dynamic address is Azure's choice: shown in the diff as it is while the configuration keeps its subnet.
        have = {str(c["name"]).lower(): c for c in now.get("ip_configurations", [])}
        desired["ip_configurations"] = [
            dict(c, private_ip_address=have[c["name"].lower()]["private_ip_address"])
            if c["private_ip_allocation_method"] == "Dynamic" and c["name"].lower() in have
            and str(have[c["name"].lower()]["subnet_id"]).lower() == c["subnet_id"].lower() else c
            for c in nat]
    for option, value, purge in (("visibility", visibility, params["purge_visibility"]),
                                 ("auto_approval", auto_approval, params["purge_auto_approval"])):
        wanted = merged(now.get(option, []), value, purge)
        if wanted is not None:
            desired[option] = wanted
    if params["fqdns"] is not None:
        desired["fqdns"] = [str(f).strip().rstrip(".") for f in params["fqdns"]]
    if params["enable_proxy_protocol"] is not None:
        desired["enable_proxy_protocol"] = params["enable_proxy_protocol"]
    if params["tags"] is not None:
        tags = {str(k): str(v) for k, v in params["tags"].items()}
        if not params["purge_tags"]:
            tags = dict(now.get("tags") or {}, **tags)
        desired["tags"] = tags
    return desired


def planned(service_id, name, current, body):
    """The service as it would be (check mode), or as sent (wait=false and not readable yet)."""
    service = dict(current or {}, id=service_id, name=name, location=body["location"])
    if "tags" in body:
        service["tags"] = body["tags"]
    props = dict((current or {}).get("properties") or {}, **body["properties"])
    props.setdefault("alias", "(known after apply)")
    props.setdefault("privateEndpointConnections", [])
    service["properties"] = props
    return service


if __name__ == "__main__":
    main()
