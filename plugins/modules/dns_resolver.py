#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: dns_resolver
short_description: An Azure DNS Private Resolver in a virtual network, with its inbound and outbound endpoints
version_added: 0.1.0
description:
  - Creates, updates or deletes an Azure DNS Private Resolver (C(az dns-resolver create/update/delete)) and its
    inbound endpoints (the private IP addresses on-premises DNS servers forward to) and outbound endpoints (what DNS
    forwarding rulesets, M(privnet.azure.dns_forwarding_ruleset), send queries through).
  - Only the options given are compared and changed. Endpoints that are not listed are kept, unless
    O(purge_endpoints=true).
  - Before any write, the subnet of every endpoint to create is read and must be in the resolver's virtual network,
    delegated to C(Microsoft.Network/dnsResolvers) (and nothing else), IPv4 only, and V(/28) to V(/24); a static
    address must lie in it and not be one Azure reserves. Two endpoints cannot share a subnet. Otherwise the task
    fails naming the option and the fix, and nothing is changed.
  - An endpoint's subnet (and an inbound endpoint's static address) cannot be changed in place, nor the resolver's
    virtual network or region; the task fails naming the fix (a new endpoint name, and O(purge_endpoints=true) to
    remove the old one).
author:
  - privnet maintainers (!UNKNOWN)
options:
  name:
    description:
      - Name of the DNS resolver.
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the DNS resolver. Also the resource group of O(virtual_network) given as a name.
    type: str
    required: true
  location:
    description:
      - Region of the resolver; it must be the region of its virtual network. Default, the virtual network's region.
      - Cannot be changed once the resolver exists.
    type: str
  virtual_network:
    description:
      - The virtual network the resolver is in, by name (in O(resource_group)) or by resource id.
      - Required to create the resolver; cannot be changed afterwards. A virtual network has at most one resolver.
    type: str
  inbound_endpoints:
    description:
      - Inbound endpoints (at most 5 per resolver), each in a dedicated subnet. Their private IP addresses are what
        on-premises DNS servers' conditional forwarders point at (returned in RV(dns_resolver.inbound_ip_addresses)).
      - Endpoints of the resolver that are not listed are kept, unless O(purge_endpoints=true). Left out, the inbound
        endpoints are not looked at.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the inbound endpoint.
        type: str
        required: true
      subnet:
        description:
          - Name of a subnet of the resolver's virtual network, or a subnet id (which must be in that virtual
            network).
        type: str
        required: true
      private_ip_address:
        description:
          - A static private IP address in the subnet (not one of the five Azure reserves in every subnet).
          - Left out, Azure picks one (V(Dynamic), usually the fifth address of the subnet) and an existing
            endpoint's address is left as it is.
        type: str
  outbound_endpoints:
    description:
      - Outbound endpoints (at most 5 per resolver), each in a dedicated subnet, through which DNS forwarding
        rulesets forward queries.
      - Endpoints of the resolver that are not listed are kept, unless O(purge_endpoints=true). Left out, the
        outbound endpoints are not looked at.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the outbound endpoint.
        type: str
        required: true
      subnet:
        description:
          - Name of a subnet of the resolver's virtual network, or a subnet id (which must be in that virtual
            network).
        type: str
        required: true
  purge_endpoints:
    description:
      - With V(true), endpoints of the resolver that are not listed are deleted, for each of O(inbound_endpoints)
        and O(outbound_endpoints) that is given (V([]) deletes all of that kind; a list left out is not touched).
      - With V(false) (default), endpoints that are not listed are kept. Deleting an endpoint breaks whatever uses
        it (on-premises forwarders pointing at an inbound endpoint's address, rulesets on an outbound endpoint), so
        it is never done unless asked for.
      - Azure refuses to delete an outbound endpoint while a DNS forwarding ruleset uses it; delete or change the
        ruleset first.
    type: bool
    default: false
  tags:
    description:
      - Tags of the resolver.
    type: dict
  purge_tags:
    description:
      - With V(true), tags not in O(tags) are removed; with V(false) they are kept. Only used with O(tags).
    type: bool
    default: true
  state:
    description:
      - V(present) creates or updates the resolver and the listed endpoints.
      - V(absent) deletes its endpoints (outbound, then inbound) and the resolver. Delete the DNS forwarding
        rulesets that use its outbound endpoints first.
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
      - The diff shows the fields the task sets (location, virtual network, tags), and the inbound and outbound
        endpoints (name, subnet, static address) before and after.
  idempotent:
    support: full
notes:
  - With O(wait=false) the module still waits for the resolver to be created before creating its endpoints, and for
    purged endpoints to be deleted before creating others.
  - Limits (Microsoft Learn, "Azure DNS Private Resolver" restrictions and limits) - 5 inbound and 5 outbound endpoints
    per resolver, one resolver per virtual network, subnets V(/28) to V(/24), one endpoint per subnet, no IPv6 subnets.
seealso:
  - module: privnet.azure.dns_forwarding_ruleset
  - module: privnet.azure.virtual_network_dns_servers
  - name: What is Azure DNS Private Resolver?
    description: Endpoints, rulesets, restrictions.
    link: https://learn.microsoft.com/azure/dns/dns-private-resolver-overview
  - name: Azure DNS Private Resolver endpoints and rulesets
    description: What inbound and outbound endpoints do.
    link: https://learn.microsoft.com/azure/dns/private-resolver-endpoints-rulesets
"""

EXAMPLES = r"""
- name: A resolver in the hub, with an inbound endpoint for on-premises and an outbound endpoint for rulesets
  privnet.azure.dns_resolver:
    name: dnspr-hub
    resource_group: rg-hub
    virtual_network: vnet-hub
    inbound_endpoints:
      - name: inbound
        subnet: snet-dns-inbound
        private_ip_address: 10.10.0.4
    outbound_endpoints:
      - name: outbound
        subnet: snet-dns-outbound
    tags:
      role: hybrid-dns
  register: resolver

- name: Tell the on-premises DNS team where to forward the privatelink zones
  ansible.builtin.debug:
    msg: "Conditional forwarders for privatelink.azurecr.io: {{ resolver.dns_resolver.inbound_ip_addresses }}"

- name: Exactly this inbound endpoint (others deleted); the outbound endpoints are not touched
  privnet.azure.dns_resolver:
    name: dnspr-hub
    resource_group: rg-hub
    inbound_endpoints:
      - name: inbound
        subnet: snet-dns-inbound
    purge_endpoints: true

- name: Remove the resolver and its endpoints
  privnet.azure.dns_resolver:
    name: dnspr-hub
    resource_group: rg-hub
    state: absent
"""

RETURN = r"""
dns_resolver:
  description:
    - The resolver and its endpoints after the change; in check mode, as they would be (a new V(Dynamic) inbound
      endpoint's address is then null). Empty after O(state=absent).
  returned: success
  type: dict
  contains:
    id:
      description: Resource id of the resolver.
      type: str
      returned: when present
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/dnsResolvers/dnspr-hub
    name:
      description: Name of the resolver.
      type: str
      returned: when present
      sample: dnspr-hub
    resource_group:
      description: Resource group of the resolver.
      type: str
      returned: when present
      sample: rg-hub
    location:
      description: Region of the resolver.
      type: str
      returned: when present
      sample: westeurope
    virtual_network_id:
      description: Resource id of its virtual network.
      type: str
      returned: when present
    tags:
      description: Tags of the resolver.
      type: dict
      returned: when present
    dns_resolver_state:
      description: V(Connected) or V(Disconnected) (null in check mode for a new resolver).
      type: str
      returned: when present
      sample: Connected
    provisioning_state:
      description: Provisioning state of the resolver.
      type: str
      returned: when present
      sample: Succeeded
    inbound_endpoints:
      description: All inbound endpoints of the resolver, by name.
      type: list
      elements: dict
      returned: when present
      contains:
        id:
          description: Resource id of the endpoint.
          type: str
          returned: always
        name:
          description: Name of the endpoint.
          type: str
          returned: always
          sample: inbound
        subnet_id:
          description: Resource id of its subnet.
          type: str
          returned: always
        private_ip_address:
          description: Its private IP address (null in check mode for a new V(Dynamic) one).
          type: str
          returned: always
          sample: 10.10.0.4
        private_ip_allocation_method:
          description: V(Static) or V(Dynamic).
          type: str
          returned: always
          sample: Static
        provisioning_state:
          description:
            - Provisioning state of the endpoint.
            - V(null) in check mode for an endpoint the task would create (it does not exist yet).
          type: str
          returned: always
          sample: Succeeded
    outbound_endpoints:
      description: All outbound endpoints of the resolver, by name.
      type: list
      elements: dict
      returned: when present
      contains:
        id:
          description: Resource id of the endpoint (what M(privnet.azure.dns_forwarding_ruleset) takes).
          type: str
          returned: always
        name:
          description: Name of the endpoint.
          type: str
          returned: always
          sample: outbound
        subnet_id:
          description: Resource id of its subnet.
          type: str
          returned: always
        provisioning_state:
          description:
            - Provisioning state of the endpoint.
            - V(null) in check mode for an endpoint the task would create (it does not exist yet).
          type: str
          returned: always
          sample: Succeeded
    inbound_ip_addresses:
      description: The private IP addresses of the inbound endpoints, for on-premises conditional forwarders.
      type: list
      elements: str
      returned: when present
      sample: [10.10.0.4]
"""

from ansible_collections.privnet.azure.plugins.module_utils import _subnet
from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API, properties, ref, writable
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import ABSENT, Difference, ci
from ansible_collections.privnet.azure.plugins.module_utils._endpoint import location_key
from ansible_collections.privnet.azure.plugins.module_utils._ids import build_resource_id, parse_resource_id, same_id
from ansible_collections.privnet.azure.plugins.module_utils._resolver import (
    DNS_RESOLVER_API,
    ENDPOINT_READ_ONLY_PROPERTIES,
    INBOUND,
    MAX_INBOUND,
    MAX_OUTBOUND,
    NETWORK,
    OUTBOUND,
    READ_ONLY,
    RESOLVER_READ_ONLY_PROPERTIES,
    RESOLVER_TYPE,
    check_endpoint_subnet,
    endpoint_subnet,
    inbound_result,
    outbound_result,
    resolver_result,
    static_address,
)
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name
from ansible_collections.privnet.azure.plugins.module_utils._vpn import tags_wanted

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    resource_group=dict(type="str", required=True),
    location=dict(type="str"),
    virtual_network=dict(type="str"),
    inbound_endpoints=dict(type="list", elements="dict", options=dict(
        name=dict(type="str", required=True),
        subnet=dict(type="str", required=True),
        private_ip_address=dict(type="str"),
    )),
    outbound_endpoints=dict(type="list", elements="dict", options=dict(
        name=dict(type="str", required=True),
        subnet=dict(type="str", required=True),
    )),
    purge_endpoints=dict(type="bool", default=False),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
# Per kind: the option, the child collection, Azure's limit per resolver.
KINDS = (("inbound_endpoints", INBOUND, MAX_INBOUND), ("outbound_endpoints", OUTBOUND, MAX_OUTBOUND))


class Endpoint:
    """An endpoint the task lists: its option, name, subnet (resolved once the virtual network is known), static
    address, and the endpoint as it is (None when it is to be created)."""

    def __init__(self, kind, option, name, subnet, address):
        self.kind, self.option, self.name, self.subnet, self.address = kind, option, name, subnet, address
        self.subnet_id = None
        self.current = None
        self.result = None

    def view(self):
        """The endpoint in the diff, as it will be."""
        if self.current is not None:
            return endpoint_view(self.kind, self.current)
        view = {"name": self.name, "subnet_id": self.subnet_id}
        if self.kind == INBOUND:
            view["private_ip_address"] = self.address
        return view

    def body(self, location):
        if self.kind == INBOUND:
            config = {"subnet": {"id": self.subnet_id},
                      "privateIpAllocationMethod": "Static" if self.address else "Dynamic"}
            if self.address:
                config["privateIpAddress"] = self.address
            props = {"ipConfigurations": [config]}
        else:
            props = {"subnet": {"id": self.subnet_id}}
        if self.current is not None:  # a failed endpoint sent again, as read
            return writable(self.current, READ_ONLY, ENDPOINT_READ_ONLY_PROPERTIES)
        return {"location": location, "properties": props}


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True)
    params = module.params

    # 1. Validate what needs no call to Azure.
    module.validated(valid_name, "dns_resolver", params["name"], "name")
    module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    resolver_id = build_resource_id(module.subscription_id, params["resource_group"], NETWORK, RESOLVER_TYPE,
                                    params["name"])
    what = f"DNS resolver '{params['name']}' (resource group '{params['resource_group']}')"
    arm = module.arm()
    if params["state"] == "absent":
        absent(module, arm, resolver_id, what)
    vnet_rid = (module.resolve_id(params["virtual_network"], "virtual_network", NETWORK, "virtualNetworks",
                                  name_kind="virtual_network") if params["virtual_network"] else None)
    wanted = requests(module)
    if params["purge_endpoints"] and params["inbound_endpoints"] is None and params["outbound_endpoints"] is None:
        module.fail_json(msg="purge_endpoints: true needs inbound_endpoints or outbound_endpoints, the complete list "
                             "of that kind (an empty list deletes them all); nothing was changed")

    # 2. Read the resolver, its virtual network (to create it) and its endpoints.
    current = arm.get(resolver_id, DNS_RESOLVER_API, what=f"reading {what}")
    if current is None:
        if vnet_rid is None:
            module.fail_json(msg=f"virtual_network: {what} does not exist; give the virtual network to create it in. "
                                 "Nothing was changed.")
        vnet = arm.get(str(vnet_rid), NETWORK_API, what=f"reading virtual network '{vnet_rid.name}'")
        if vnet is None:
            module.fail_json(msg=f"virtual_network: virtual network '{vnet_rid.name}' was not found in resource group "
                                 f"'{vnet_rid.resource_group}' (subscription '{vnet_rid.subscription}'); create it "
                                 "first, or fix the name. Nothing was changed.")
        location = params["location"] or vnet.get("location")
        if location_key(location) != location_key(vnet.get("location")):
            module.fail_json(msg=f"location: virtual network '{vnet_rid.name}' is in {vnet.get('location')}; a DNS "
                                 f"resolver must be in its virtual network's region, not {location} (leave location "
                                 "out to take the virtual network's). Nothing was changed.")
        found = {INBOUND: [], OUTBOUND: []}
    else:
        location = current.get("location")
        current_vnet = ref(properties(current).get("virtualNetwork"))
        if vnet_rid is not None and not same_id(str(vnet_rid), current_vnet):
            module.fail_json(msg=f"virtual_network: {what} is in virtual network "
                                 f"'{parse_resource_id(current_vnet).name}' and a resolver's virtual network "
                                 "cannot be changed (delete the resolver and create it again, or leave "
                                 "virtual_network out). Nothing was changed.")
        if params["location"] and location_key(params["location"]) != location_key(location):
            module.fail_json(msg=f"location: {what} is in {location}; its region cannot be changed (delete it and "
                                 "create it again, or leave location out). Nothing was changed.")
        vnet_rid = parse_resource_id(current_vnet, "virtual_network")
        found = {kind: arm.list(f"{resolver_id}/{kind}", DNS_RESOLVER_API, what=f"listing the {kind} of {what}")
                 for kind in (INBOUND, OUTBOUND)}

    # 3. Plan the endpoints; check every subnet to use before any write.
    for endpoint in wanted:
        endpoint.subnet_id = str(module.validated(endpoint_subnet, endpoint.subnet, vnet_rid,
                                                  f"{endpoint.option}.subnet"))
    to_delete = plan_endpoints(module, wanted, found)
    for endpoint in wanted:
        if endpoint.current is None:
            rid = parse_resource_id(endpoint.subnet_id)
            subnet = module.validated(_subnet.require_subnet, module, rid)
            module.validated(check_endpoint_subnet, subnet, rid, endpoint.option, endpoint.address)

    # 4. Compare.
    difference = Difference()
    if current is None:
        difference.add("state", "absent", "present")
    if params["location"] or current is None:
        difference.add("location", current.get("location") if current else ABSENT, location, location_key)
    if params["virtual_network"] or current is None:
        difference.add("virtual_network", ref(properties(current).get("virtualNetwork")) if current else ABSENT,
                       str(vnet_rid), ci)
    tags = tags_wanted(current, params["tags"], params["purge_tags"])
    if tags is not None:
        difference.add("tags", dict(current.get("tags") or {}) if current else ABSENT, tags)
    resolver_failed = current is not None and str(properties(current).get("provisioningState")).lower() == "failed"
    if resolver_failed:
        difference.add("provisioning_state", "Failed", "Succeeded")  # sent again, so Azure retries it
    resolver_changed = difference.changed
    deleted = {str(e.get("id")).lower() for e in to_delete}
    for option, kind, _limit in KINDS:
        if params[option] is None:
            continue
        before = sorted((endpoint_view(kind, e) for e in found[kind]), key=lambda v: v["name"].lower())
        after = [endpoint_view(kind, e) for e in found[kind] if str(e.get("id")).lower() not in deleted
                 and not any(w.kind == kind and w.current is e for w in wanted)]
        after = sorted(after + [w.view() for w in wanted if w.kind == kind], key=lambda v: v["name"].lower())
        failed = any(w.kind == kind and w.current is not None and provisioning(w.current) == "failed" for w in wanted)
        difference.add(option, before if current is not None else ABSENT, after, ci,
                       changed=(ci(before) != ci(after)) or failed)
    to_create = [w for w in wanted if w.current is None or provisioning(w.current) == "failed"]

    # 5. Apply (not in check mode): the resolver, the purged endpoints, then the new ones.
    resolver = current
    results = {INBOUND: {}, OUTBOUND: {}}
    for kind in (INBOUND, OUTBOUND):
        for endpoint in found[kind]:
            if str(endpoint.get("id")).lower() not in deleted:
                results[kind][str(endpoint.get("name")).lower()] = endpoint
    if difference.changed and not module.check_mode:
        if resolver_changed:
            body = resolver_body(current, location, str(vnet_rid), tags)
            verb = "creating" if current is None else "updating"
            resolver = arm.put(resolver_id, DNS_RESOLVER_API, body, what=f"{verb} {what}",
                               must_wait=bool(to_create)) or dict(body, id=resolver_id, name=params["name"])
        for endpoint in sorted(to_delete, key=lambda e: "/inboundendpoints/" in str(e.get("id")).lower()):
            arm.delete(endpoint["id"], DNS_RESOLVER_API, what=f"deleting endpoint '{endpoint.get('name')}' of {what}",
                       must_wait=bool(to_create))
        for endpoint in to_create:
            endpoint_id = f"{resolver_id}/{endpoint.kind}/{endpoint.name}"
            body = endpoint.body(location)
            endpoint.result = arm.put(endpoint_id, DNS_RESOLVER_API, body,
                                      what=f"creating {endpoint.option} '{endpoint.name}' of {what}")
            as_written = dict(body, id=endpoint_id, name=endpoint.name)
            results[endpoint.kind][endpoint.name.lower()] = endpoint.result or as_written
    elif difference.changed:  # check mode: as it would be
        if resolver_changed:
            resolver = dict(resolver_body(current, location, str(vnet_rid), tags), id=resolver_id, name=params["name"])
        for endpoint in to_create:
            endpoint_id = f"{resolver_id}/{endpoint.kind}/{endpoint.name}"
            results[endpoint.kind][endpoint.name.lower()] = dict(endpoint.body(location), id=endpoint_id,
                                                                 name=endpoint.name)

    # 6. Return.
    module.exit(changed=difference.changed, diff=difference,
                dns_resolver=resolver_result(resolver, list(results[INBOUND].values()),
                                             list(results[OUTBOUND].values())))


def requests(module):
    """The endpoints the task lists, checked (names, static addresses, no name twice), before any call."""
    wanted = []
    for option, kind, _limit in KINDS:
        seen = set()
        for index, item in enumerate(module.params[option] or []):
            where = f"{option}[{index}]"
            name = module.validated(valid_name, "dns_resolver_endpoint", item["name"], f"{where}.name")
            if name.lower() in seen:
                module.fail_json(msg=f"{where}.name: '{name}' is given twice; each endpoint needs a name of its own")
            seen.add(name.lower())
            address = item.get("private_ip_address")
            if address is not None:
                address = module.validated(static_address, address, f"{where}.private_ip_address")
            wanted.append(Endpoint(kind, where, name, item["subnet"], address))
    return wanted


def plan_endpoints(module, wanted, found):
    """Match the listed endpoints with the current ones (their subnet and static address cannot change), pick the
    ones to delete (purge_endpoints), and check the limits and that no two endpoints share a subnet. Returns the
    endpoints to delete."""
    params = module.params
    to_delete = []
    for option, kind, limit in KINDS:
        if params[option] is None:
            continue
        mine = [w for w in wanted if w.kind == kind]
        names = {w.name.lower() for w in mine}
        for endpoint in mine:
            endpoint.current = next((e for e in found[kind] if str(e.get("name")).lower() == endpoint.name.lower()),
                                    None)
            if endpoint.current is None:
                continue
            view = endpoint_view(kind, endpoint.current)
            if not same_id(view["subnet_id"], endpoint.subnet_id):
                module.fail_json(msg=f"{endpoint.option}.subnet: endpoint '{endpoint.name}' is in subnet "
                                     f"'{parse_resource_id(view['subnet_id']).leaf_name}' and an endpoint's subnet "
                                     "cannot be changed; give the new endpoint another name (and remove this one with "
                                     "purge_endpoints: true), or give its current subnet. Nothing was changed.")
            if endpoint.address and view.get("private_ip_address") != endpoint.address:
                module.fail_json(msg=f"{endpoint.option}.private_ip_address: endpoint '{endpoint.name}' has "
                                     f"{view.get('private_ip_address')} and an inbound endpoint's address cannot be "
                                     "changed in place; give the new endpoint another name (and remove this one with "
                                     "purge_endpoints: true), or leave private_ip_address out. Nothing was changed.")
        kept = [e for e in found[kind] if str(e.get("name")).lower() not in names]
        if params["purge_endpoints"]:
            to_delete += kept
            kept = []
        if len(kept) + len(mine) > limit:
            module.fail_json(msg=f"{option}: the resolver would have {len(kept) + len(mine)} {kind}; Azure allows at "
                                 f"most {limit} per resolver (remove some, or set purge_endpoints: true to delete the "
                                 "unlisted ones). Nothing was changed.")
    # One endpoint per subnet, whatever its kind.
    deleted = {str(e.get("id")).lower() for e in to_delete}
    listed = {(w.kind, w.name.lower()) for w in wanted}
    users = [(f"endpoint '{e.get('name')}'", endpoint_view(kind, e)["subnet_id"])
             for kind in (INBOUND, OUTBOUND) for e in found[kind]
             if str(e.get("id")).lower() not in deleted and (kind, str(e.get("name")).lower()) not in listed]
    for endpoint in wanted:
        taken = next((who for who, subnet in users if same_id(subnet, endpoint.subnet_id)), None)
        if taken:
            module.fail_json(msg=f"{endpoint.option}.subnet: subnet '{parse_resource_id(endpoint.subnet_id).leaf_name}'"
                                 f" is already used by {taken}; a subnet holds one DNS resolver endpoint only: give "
                                 "each endpoint a subnet of its own. Nothing was changed.")
        users.append((endpoint.option, endpoint.subnet_id))
    return to_delete


def absent(module, arm, resolver_id, what):
    current = arm.get(resolver_id, DNS_RESOLVER_API, what=f"reading {what}")
    difference = Difference()
    if current is None:
        difference.add("state", "absent", "absent")
        module.exit(changed=False, diff=difference, dns_resolver={})
    endpoints = {kind: arm.list(f"{resolver_id}/{kind}", DNS_RESOLVER_API, what=f"listing the {kind} of {what}")
                 for kind in (INBOUND, OUTBOUND)}
    view = resolver_result(current, endpoints[INBOUND], endpoints[OUTBOUND])
    for key in ("location", "virtual_network_id", "tags"):
        difference.add(key, view[key], ABSENT)
    for option, kind, _limit in KINDS:
        difference.add(option, sorted((endpoint_view(kind, e) for e in endpoints[kind]),
                                      key=lambda v: v["name"].lower()), ABSENT)
    difference.add("state", "present", "absent")
    if not module.check_mode:
        # Outbound endpoints first (a ruleset still on one makes Azure refuse, naming it), then inbound, then the
        # resolver, each waited for: a resolver is deleted once it has no endpoints left.
        for kind in (OUTBOUND, INBOUND):
            for endpoint in endpoints[kind]:
                arm.delete(endpoint["id"], DNS_RESOLVER_API, what=f"deleting endpoint '{endpoint.get('name')}' of "
                                                                  f"{what}", must_wait=True)
        arm.delete(resolver_id, DNS_RESOLVER_API, what=f"deleting {what}")
    module.exit(changed=True, diff=difference, dns_resolver={})


def endpoint_view(kind, endpoint):
    if kind == INBOUND:
        view = inbound_result(endpoint)
        return {"name": view["name"], "subnet_id": view["subnet_id"], "private_ip_address": view["private_ip_address"]}
    view = outbound_result(endpoint)
    return {"name": view["name"], "subnet_id": view["subnet_id"]}


def provisioning(resource):
    return str(properties(resource).get("provisioningState") or "").lower()


def resolver_body(current, location, vnet_id, tags):
    if current is not None:
        body = writable(current, READ_ONLY, RESOLVER_READ_ONLY_PROPERTIES)
    else:
        body = {"location": location, "properties": {"virtualNetwork": {"id": vnet_id}}}
    if tags is not None:
        body["tags"] = tags
    return body


if __name__ == "__main__":
    main()
