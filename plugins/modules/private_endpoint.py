#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: private_endpoint
short_description: Create, update, replace or delete an Azure private endpoint, and read its members
version_added: 0.1.0
description:
  - Manages a private endpoint in a subnet that connects privately to a resource such as a Premium
    Azure Container Registry (C(az network private-endpoint create)), steps 4 and 5 of the ACR Private
    Link procedure.
  - Returns the endpoint's RV(members), read from its network interface. Each member has the
    group id, the member name Azure requires (C(registry), C(registry_data_<region>) for each
    geo-replica of a registry), the private IP address given to it and the public names that must
    resolve to that address. Turn them into private DNS records with the
    P(privnet.azure.members_to_records#filter) filter.
  - Every option you set is compared with the endpoint in Azure on each run. Azure sets the subnet,
    the target, the group ids, the connection name and mode (auto-approved or manual), the static IP
    addresses, the network interface name and the location only when it creates an endpoint. When one
    of them differs, the module fails without changing anything and names the fields, unless
    O(replace=true), which deletes the endpoint and creates it again. In check mode it reports the
    change with a warning instead of failing.
  - Tags, the request message and the DNS zone group are changed in place. Properties the module does
    not manage (application security groups, custom DNS configurations, ...) are kept; the endpoint is
    read and written back as read.
author:
  - privnet maintainers (!UNKNOWN)
requirements:
  - azure-mgmt-network >= 28
  - azure-mgmt-privatedns >= 1.1 (only to check the zones of O(dns_zone_group))
  - azure-mgmt-containerregistry >= 10 (only in check mode, to predict a new registry endpoint's members)
options:
  name:
    description:
      - Name of the private endpoint.
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the private endpoint (and of its network interface).
    type: str
    required: true
  location:
    description:
      - Azure region of the endpoint. It must be the region of the subnet's virtual network, which is
        the default.
      - Only set when the endpoint is created; a different value on an existing endpoint needs
        O(replace=true).
    type: str
  subnet_id:
    description:
      - Resource id of the subnet the endpoint's network interface goes in. It may be in another resource
        group, but not in another subscription - Azure requires a private endpoint in the subscription
        and region of its virtual network (the target may be anywhere).
      - Give either O(subnet_id), or O(virtual_network) and O(subnet).
    type: str
  virtual_network:
    description:
      - Name of the subnet's virtual network, in O(virtual_network_resource_group), or its resource id
        (in this module's O(subscription_id), since a private endpoint must be in its virtual network's
        subscription).
    type: str
  subnet:
    description:
      - Name of the subnet in O(virtual_network).
    type: str
  virtual_network_resource_group:
    description:
      - Resource group of O(virtual_network) when it is a name. Defaults to O(resource_group).
    type: str
  target_id:
    description:
      - Resource id of the resource the endpoint connects to, such as
        C(/subscriptions/<sub>/resourceGroups/<group>/providers/Microsoft.ContainerRegistry/registries/<name>).
      - A container registry must be on the Premium tier; Azure refuses an endpoint to a Basic or
        Standard registry, and the module reports its error.
      - Required with O(state=present).
    type: str
  group_ids:
    description:
      - The target's sub-resource the endpoint connects to, such as V(registry), V(blob) or V(vault).
      - Azure permits one group id per endpoint (C(OnlyOneGroupIdPermitted)); for two sub-resources of one
        target (a storage account's V(blob) and V(file)) create two endpoints.
      - Defaults to V([registry]) for a container registry and to none for a private link service;
        required for every other kind of target.
    type: list
    elements: str
  connection_name:
    description:
      - Name of the endpoint's private link service connection.
      - Defaults to O(name) when the endpoint is created; not compared when not given.
    type: str
  manual:
    description:
      - V(false) asks for a connection that Azure approves at once, which needs rights on the target.
      - V(true) asks for a manual connection, which stays C(Pending) until the target's owner approves it
        (for a registry, C(az acr private-endpoint-connection approve)). Use it for a target in another
        tenant or when you lack rights on it.
    type: bool
    default: false
  request_message:
    description:
      - Message sent to the target's owner with a manual connection request. Changed in place.
    type: str
  ip_configurations:
    description:
      - Static private IP addresses, one per member. Without them Azure picks free addresses in the
        subnet.
      - Every member must be listed. For a registry that is V(registry) and V(registry_data_<region>)
        for the home region and each geo-replica region; Azure refuses an incomplete list.
      - Each address must lie inside the subnet's address range and not be one of the five addresses
        Azure reserves in every subnet; the module checks this before any change.
      - Only set when the endpoint is created; a different list on an existing endpoint needs
        O(replace=true).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the IP configuration. Defaults to the current name of the same member, or to
            O(ip_configurations[].member_name) for a new endpoint.
        type: str
      group_id:
        description:
          - Group id the member belongs to, one of O(group_ids).
        type: str
        required: true
      member_name:
        description:
          - The member, such as V(registry) or V(registry_data_westeurope).
        type: str
        required: true
      private_ip_address:
        description:
          - The static private IPv4 address of the member.
        type: str
        required: true
  network_interface_name:
    description:
      - Name of the endpoint's network interface. Azure names it C(<name>.nic.<guid>) when not given.
      - Only set when the endpoint is created; a different name on an existing endpoint needs
        O(replace=true). Not compared when not given.
    type: str
  dns_zone_group:
    description:
      - A private DNS zone group, for when you let Azure write the endpoint's A records into private DNS
        zones (records with a TTL Azure chooses, which follow the endpoint's lifecycle).
      - Leave it out to write the records yourself with the P(privnet.azure.members_to_records#filter)
        filter, as the ACR procedure does, or when a policy manages the zone group (C(deployedByPolicy));
        an existing zone group is then left alone.
      - Azure allows one zone group per endpoint.
    type: dict
    suboptions:
      name:
        description:
          - Name of the zone group.
        type: str
        default: default
      zones:
        description:
          - Private DNS zones, each a name (in O(dns_zone_group.zone_resource_group)) or a resource id. The
            zones must exist.
          - Required with O(dns_zone_group.state=present).
        type: list
        elements: str
      zone_resource_group:
        description:
          - Resource group of the zones given by name. Defaults to O(resource_group).
        type: str
      state:
        description:
          - V(absent) removes the zone group named O(dns_zone_group.name) (Azure then deletes the records
            it wrote).
        type: str
        choices: [present, absent]
        default: present
  tags:
    description:
      - Tags of the endpoint. Changed in place. Not changed when not given.
    type: dict
  purge_tags:
    description:
      - With V(true), tags not in O(tags) are removed; with V(false) they are kept.
    type: bool
    default: true
  replace:
    description:
      - Allow deleting and re-creating the endpoint when a field that Azure sets only at creation
        differs. The endpoint is unreachable in between, its private IP addresses may change (the
        returned RV(members) have the new ones) and a manual connection must be approved again.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the endpoint; V(absent) deletes it (Azure also deletes its network
        interface and DNS zone group, but not A records you wrote yourself).
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
    details:
      - Makes no change, and returns the endpoint as it would be. For an endpoint not created yet, the
        connection state is predicted (V(Approved), or V(Pending) with O(manual=true)) and so are a
        registry's members (from its private link resources), with the static address asked for or
        C((known after apply\)); other targets' members are returned empty.
  diff_mode:
    support: full
    details:
      - The diff shows the options you set, before and after.
  idempotent:
    support: full
notes:
  - Deleting an endpoint leaves the A records you wrote and the DNS zones' virtual network links; remove
    the records with the members this module returns on deletion, or clients get stale addresses.
  - Adding a geo-replica to a registry adds a member (and a private IP address) to its endpoints and
    sets their connection back to C(Pending); run the module again to read the new member.
seealso:
  - module: privnet.azure.private_endpoint_info
  - plugin: privnet.azure.members_to_records
    plugin_type: filter
  - module: privnet.azure.subnet_network_policies
  - name: Connect privately to an Azure container registry using Azure Private Link
    description: The procedure this module implements steps 4 and 5 of.
    link: https://learn.microsoft.com/azure/container-registry/container-registry-private-link
"""

EXAMPLES = r"""
- name: Private endpoint to a Premium container registry
  privnet.azure.private_endpoint:
    name: pe-acrprivnetdemo
    resource_group: rg-network
    virtual_network: vnet-app
    subnet: snet-workload
    target_id: /subscriptions/{{ subscription_id }}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/acrprivnetdemo
    connection_name: acrprivnetdemo-connection
  register: endpoint

- name: One A record per member (registry, and registry data for each replica region)
  privnet.azure.private_dns_records:
    resource_group: rg-network
    zone: privatelink.azurecr.io
    records: "{{ endpoint.members | privnet.azure.members_to_records('privatelink.azurecr.io') }}"

- name: Manual connection to a registry in another tenant, waiting for its owner's approval
  privnet.azure.private_endpoint:
    name: pe-partner-acr
    resource_group: rg-network
    subnet_id: "{{ subnet_id }}"
    target_id: "{{ partner_registry_id }}"
    manual: true
    request_message: Pull access for the build agents of team X
    tags:
      owner: platform

- name: Static addresses for the registry and its two regions
  privnet.azure.private_endpoint:
    name: pe-acrprivnetdemo
    resource_group: rg-network
    virtual_network: vnet-app
    subnet: snet-workload
    target_id: "{{ registry_id }}"
    network_interface_name: nic-pe-acrprivnetdemo
    ip_configurations:
      - {group_id: registry, member_name: registry, private_ip_address: 10.20.1.10}
      - {group_id: registry, member_name: registry_data_westeurope, private_ip_address: 10.20.1.11}
      - {group_id: registry, member_name: registry_data_eastus, private_ip_address: 10.20.1.12}

- name: Storage blob endpoint in the hub subscription, whose records Azure writes through a DNS zone group
  privnet.azure.private_endpoint:
    subscription_id: "{{ hub_subscription }}"  # the endpoint goes in its virtual network's subscription
    name: pe-stdata-blob
    resource_group: rg-data
    virtual_network: /subscriptions/{{ hub_subscription }}/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub
    subnet: snet-private-endpoints
    target_id: "{{ storage_account_id }}"
    group_ids: [blob]
    dns_zone_group:
      name: default
      zones: [privatelink.blob.core.windows.net]
      zone_resource_group: rg-dns

- name: Move the endpoint to another subnet (delete and re-create)
  privnet.azure.private_endpoint:
    name: pe-acrprivnetdemo
    resource_group: rg-network
    virtual_network: vnet-app
    subnet: snet-vm
    target_id: "{{ registry_id }}"
    replace: true

- name: Delete the endpoint, then the A records it had
  privnet.azure.private_endpoint:
    name: pe-acrprivnetdemo
    resource_group: rg-network
    state: absent
  register: deleted
"""

RETURN = r"""
private_endpoint:
  description:
    - The endpoint after the change; in check mode, as it would be.
    - With O(state=absent), the endpoint as it was before it was deleted (with its members, to remove
      their DNS records); empty if it did not exist.
    - With O(wait=false), what Azure reported when it accepted the change.
  returned: success
  type: dict
  contains:
    id:
      description: Resource id of the endpoint.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/privateEndpoints/pe-acr
    name:
      description: Name of the endpoint.
      type: str
      returned: always
      sample: pe-acr
    resource_group:
      description: Resource group of the endpoint.
      type: str
      returned: always
      sample: rg-network
    location:
      description: Azure region of the endpoint.
      type: str
      returned: always
      sample: westeurope
    subnet_id:
      description: Resource id of the endpoint's subnet.
      type: str
      returned: always
    target_id:
      description: Resource id of the resource the endpoint connects to.
      type: str
      returned: always
    group_ids:
      description: Group ids of the connection.
      type: list
      elements: str
      returned: always
      sample: [registry]
    connection:
      description: The endpoint's private link service connection.
      type: dict
      returned: always
      contains:
        name:
          description: Name of the connection.
          type: str
          returned: always
          sample: acrprivnetdemo-connection
        status:
          description: C(Approved), C(Pending), C(Rejected) or C(Disconnected).
          type: str
          returned: always
          sample: Approved
        description:
          description: The reason given with the status.
          type: str
          returned: always
          sample: Auto-Approved
        actions_required:
          description: What the endpoint's owner must do, if anything.
          type: str
          returned: always
          sample: None
        manual:
          description: Whether the connection is a manual one.
          type: bool
          returned: always
          sample: false
        request_message:
          description: Message sent with a manual connection request.
          type: str
          returned: always
    connection_state:
      description: The connection's status (same as RV(private_endpoint.connection.status)).
      type: str
      returned: always
      sample: Pending
    network_interface_id:
      description: Resource id of the endpoint's network interface.
      type: str
      returned: always
    network_interface_name:
      description: Name of the endpoint's network interface.
      type: str
      returned: always
      sample: pe-acr.nic.6f1c2b7e-0d0a-4b7a-9b36-2f1d0c6d7a11
    ip_configurations:
      description: Static IP configurations of the endpoint (empty when Azure picked the addresses).
      type: list
      elements: dict
      returned: always
      contains:
        name:
          description: Name of the IP configuration.
          type: str
          returned: always
        group_id:
          description: Group id of the member.
          type: str
          returned: always
        member_name:
          description: The member.
          type: str
          returned: always
        private_ip_address:
          description: Its static address.
          type: str
          returned: always
    members:
      description:
        - The endpoint's members, read from its network interface, one per IP configuration.
        - Empty until Azure has created the network interface; predicted in check mode (see the
          C(check_mode) attribute).
      type: list
      elements: dict
      returned: always
      contains:
        group_id:
          description: Group id of the member.
          type: str
          returned: always
          sample: registry
        required_member_name:
          description: The member, C(registry) or C(registry_data_<region>) for a registry.
          type: str
          returned: always
          sample: registry_data_westeurope
        private_ip:
          description: Private IP address of the member.
          type: str
          returned: always
          sample: 10.20.1.5
        fqdns:
          description: Public names that must resolve to RV(private_endpoint.members[].private_ip).
          type: list
          elements: str
          returned: always
          sample: [acrprivnetdemo.westeurope.data.azurecr.io]
    dns_zone_group:
      description: The DNS zone group, when O(dns_zone_group) is set and it exists.
      type: dict
      returned: when O(dns_zone_group) is set
      contains:
        name:
          description: Name of the zone group.
          type: str
          returned: always
        zones:
          description: Resource ids of its private DNS zones.
          type: list
          elements: str
          returned: always
        records:
          description: The records Azure wrote for the endpoint (C(name), C(type), C(ttl), C(fqdn), C(values)).
          type: list
          elements: dict
          returned: always
    tags:
      description: Tags of the endpoint.
      type: dict
      returned: always
      sample: {owner: platform}
    provisioning_state:
      description: Provisioning state of the endpoint.
      type: str
      returned: always
      sample: Succeeded
members:
  description: Same as RV(private_endpoint.members), for short expressions.
  returned: success
  type: list
  elements: dict
  sample:
    - {group_id: registry, required_member_name: registry, private_ip: 10.20.1.4, fqdns: [acrprivnetdemo.azurecr.io]}
    - group_id: registry
      required_member_name: registry_data_westeurope
      private_ip: 10.20.1.5
      fqdns: [acrprivnetdemo.westeurope.data.azurecr.io]
connection_state:
  description: Same as RV(private_endpoint.connection_state).
  returned: success
  type: str
  sample: Approved
replaced:
  description: Whether the endpoint was (or, in check mode, would be) deleted and created again.
  returned: success
  type: bool
  sample: false
"""

import ipaddress

from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import ci, compare, text, unordered
from ansible_collections.privnet.azure.plugins.module_utils._endpoint import (
    NETWORK,
    PRIVATE_LINK_SERVICE_TYPE,
    REGISTRY_TYPE,
    connection_of,
    describe,
    endpoint_result,
    location_key,
    predicted_members,
    read_members,
)
from ansible_collections.privnet.azure.plugins.module_utils._ids import build_resource_id, parse_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._subnet import describe as describe_subnet
from ansible_collections.privnet.azure.plugins.module_utils._subnet import require_subnet, resolve_subnet
from ansible_collections.privnet.azure.plugins.module_utils._validate import dns_zone_name
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name

try:
    from azure.mgmt.network import models
except ImportError:  # AzureModule.client() reports the missing SDK
    models = None

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    resource_group=dict(type="str", required=True),
    location=dict(type="str"),
    subnet_id=dict(type="str"),
    virtual_network=dict(type="str"),
    subnet=dict(type="str"),
    virtual_network_resource_group=dict(type="str"),
    target_id=dict(type="str"),
    group_ids=dict(type="list", elements="str"),
    connection_name=dict(type="str"),
    manual=dict(type="bool", default=False),
    request_message=dict(type="str"),
    ip_configurations=dict(type="list", elements="dict", options=dict(
        name=dict(type="str"),
        group_id=dict(type="str", required=True),
        member_name=dict(type="str", required=True),
        private_ip_address=dict(type="str", required=True),
    )),
    network_interface_name=dict(type="str"),
    dns_zone_group=dict(type="dict", options=dict(
        name=dict(type="str", default="default"),
        zones=dict(type="list", elements="str"),
        zone_resource_group=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    ), required_if=[("state", "present", ("zones",))]),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    replace=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)

# Azure sets these only when it creates an endpoint; a change means delete and re-create.
IMMUTABLE = ("location", "subnet_id", "target_id", "group_ids", "connection_name", "manual", "ip_configurations",
             "network_interface_name")
NORMALISERS = {
    "location": location_key,
    "subnet_id": ci,
    "target_id": ci,
    "group_ids": unordered(ci),
    "connection_name": ci,
    "ip_configurations": unordered(ci),
    "network_interface_name": ci,
}
PRIVATE_DNS = "Microsoft.Network/privateDnsZones"


def main():
    module = AzureModule(
        argument_spec=ARGUMENT_SPEC,
        lro=True,
        supports_check_mode=True,
        mutually_exclusive=[("subnet_id", "subnet"), ("subnet_id", "virtual_network"),
                            ("subnet_id", "virtual_network_resource_group")],
        required_together=[("virtual_network", "subnet")],
        required_if=[("state", "present", ("subnet_id", "subnet"), True), ("state", "present", ("target_id",))],
    )
    params = module.params
    module.validated(valid_name, "private_endpoint", params["name"], "name")
    module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    if params["state"] == "absent":
        absent(module)
    else:
        present(module)


# ---- state=absent -------------------------------------------------------------------------

def absent(module):
    name, resource_group = module.params["name"], module.params["resource_group"]
    client = module.client("network")
    endpoint = module.get_or_none(client.private_endpoints.get, resource_group, name,
                                  what=f"reading {describe(resource_group, name)}")
    if endpoint is None:
        module.exit(changed=False, diff={"before": {"state": "absent"}, "after": {"state": "absent"}},
                    private_endpoint={}, members=[], connection_state=None, replaced=False)
    # The members are read before the endpoint goes, so the playbook can remove their records.
    result = endpoint_result(endpoint, read_members(module, endpoint))
    if not module.check_mode:
        module.begin(client.private_endpoints.begin_delete, resource_group, name,
                     what=f"deleting {describe(resource_group, name)}")
    module.exit(changed=True, diff={"before": diff_view(result), "after": {"state": "absent"}},
                private_endpoint=result, members=result["members"], connection_state=result["connection_state"],
                replaced=False)


def diff_view(result):
    """The user-settable fields of a returned endpoint, for the diff of a deletion."""
    keys = ("location", "subnet_id", "target_id", "group_ids", "network_interface_name", "ip_configurations",
            "tags")
    view = {key: result[key] for key in keys}
    view["connection_name"] = result["connection"]["name"]
    view["manual"] = result["connection"]["manual"]
    return view


# ---- state=present ------------------------------------------------------------------------

def present(module):
    params = module.params
    name, resource_group = params["name"], params["resource_group"]
    what = describe(resource_group, name)

    # 1. Parse and validate everything that needs no call to Azure.
    subnet_rid = subnet_id_of(module)
    target = module.validated(parse_resource_id, params["target_id"], "target_id")
    group_ids = group_ids_of(module, target)
    wanted_ips = ip_configurations_of(module, target, group_ids)
    zone_group = zone_group_of(module)

    # 2. Read the subnet (static addresses are checked against its range before any write) and the endpoint.
    subnet = require_subnet(module, subnet_rid)
    check_subnet(module, subnet_rid, subnet, wanted_ips)
    client = module.client("network")
    endpoint = module.get_or_none(client.private_endpoints.get, resource_group, name, what=f"reading {what}")
    current_groups = list_zone_groups(module, endpoint) if zone_group is not None else []

    # 3. Compare the fields the user set.
    current = current_fields(endpoint) if endpoint is not None else None
    desired = desired_fields(module, subnet_rid, target, group_ids, wanted_ips, current)
    difference = compare(desired, current, NORMALISERS)
    if endpoint is not None and text(endpoint.provisioning_state) == "Failed":
        # A failed endpoint is applied again, so that Azure retries it (or reports why it fails).
        difference.changed_keys.append("provisioning_state")
        difference.before["provisioning_state"], difference.after["provisioning_state"] = "Failed", "Succeeded"
    zone_change = compare_zone_group(module, zone_group, current_groups, difference)
    immutable = [key for key in difference.changed_keys if key in IMMUTABLE] if endpoint is not None else []

    # 4. Apply.
    replaced = endpoint_created = False
    predicted = None
    if endpoint is None or (immutable and params["replace"]):
        endpoint_created = True
        replaced = endpoint is not None
        location = creation_location(module, subnet_rid, endpoint)
        if zone_group is not None and zone_group["state"] == "present":
            require_zones(module, zone_group["zones"])
        predicted = None
        if wanted_ips and target.full_type.lower() == REGISTRY_TYPE.lower():
            predicted = predicted_members(module, target, group_ids, wanted_ips)
            check_members_given(module, target, predicted, wanted_ips)
        model = endpoint_model(module, location, subnet_rid, target, group_ids, desired, wanted_ips)
        if module.check_mode:
            endpoint = predicted_endpoint(module, model)
        else:
            if replaced:
                module.begin(client.private_endpoints.begin_delete, resource_group, name, must_wait=True,
                             what=f"deleting {what} to re-create it")
            endpoint = module.begin(client.private_endpoints.begin_create_or_update, resource_group, name, model,
                                    what=f"creating {what}")
            if zone_group is not None and zone_group["state"] == "present":
                put_zone_group(module, zone_group)
    elif immutable:
        message = immutable_message(what, immutable, difference)
        if not module.check_mode:
            module.fail_json(msg=message, changed=False, immutable_changes={
                "before": {k: difference.before[k] for k in immutable},
                "after": {k: difference.after[k] for k in immutable}})
        module.warn(message)
    elif difference.changed:
        in_place = [key for key in difference.changed_keys if key not in ("dns_zone_group",)]
        if in_place:
            update_in_place(endpoint, desired)
            if not module.check_mode:
                endpoint = module.begin(client.private_endpoints.begin_create_or_update, resource_group, name,
                                        endpoint, what=f"updating {what}")
        if zone_change:
            apply_zone_group(module, zone_group, current_groups)

    # 5. Return what Azure has now (or, in check mode, what it would have).
    endpoint = settled(module, endpoint, desired, subnet_rid, target, group_ids, wanted_ips)
    # A predicted endpoint (check mode) has no network interface yet: its members are predicted.
    if endpoint_created and module.check_mode:
        endpoint_members = predicted if predicted is not None else predicted_members(module, target, group_ids,
                                                                                     wanted_ips)
    else:
        endpoint_members = read_members(module, endpoint)
    zone_group_written = zone_change or (endpoint_created and zone_group is not None)
    result = endpoint_result(endpoint, endpoint_members,
                             zone_group_model(module, zone_group, current_groups, zone_group_written))
    if result["connection_state"] in ("Rejected", "Disconnected"):
        module.warn(f"{what}: the connection is {result['connection_state']} "
                    f"({result['connection']['description']}): clients get no traffic through it. Once the target's "
                    "owner agrees, delete the endpoint (state=absent) and create it again to send a new request")
    module.exit(changed=difference.changed, diff=difference, private_endpoint=result, members=result["members"],
                connection_state=result["connection_state"], replaced=replaced)


def subnet_id_of(module):
    """The subnet's ResourceId; it must be in the endpoint's subscription (checked before any call)."""
    params = module.params
    if params["subnet_id"]:
        rid = resolve_subnet(module, id_option="subnet_id")
    else:
        module.validated(valid_name, "subnet", params["subnet"], "subnet")
        if not params["virtual_network"].startswith("/"):
            module.validated(valid_name, "virtual_network", params["virtual_network"], "virtual_network")
        vnet_group = params["virtual_network_resource_group"] or params["resource_group"]
        module.validated(valid_name, "resource_group", vnet_group, "virtual_network_resource_group")
        vnet = module.resolve_id(params["virtual_network"], "virtual_network", NETWORK, "virtualNetworks",
                                 resource_group=vnet_group)
        rid = vnet.child("subnets", params["subnet"])
    # "The private endpoint must be deployed in the same region and subscription as the virtual
    # network" (Microsoft Learn, private-link/private-endpoint-overview.md, private endpoint properties).
    if rid.subscription.lower() != module.subscription_id.lower():
        option = "subnet_id" if params["subnet_id"] else "virtual_network"
        module.fail_json(msg=f"{option}: the subnet is in subscription {rid.subscription}, the endpoint would be in "
                             f"{module.subscription_id}; Azure requires a private endpoint in the same subscription "
                             f"(and region) as its virtual network: set subscription_id to {rid.subscription} (the "
                             "target may stay in another subscription)")
    return rid


def group_ids_of(module, target):
    group_ids = module.params["group_ids"]
    if group_ids is None:
        if target.full_type.lower() == REGISTRY_TYPE.lower():
            return ["registry"]
        if target.full_type.lower() == PRIVATE_LINK_SERVICE_TYPE.lower():
            return []
        module.fail_json(msg=f"group_ids: required for a {target.full_type} target; give the sub-resource to "
                             "connect to, e.g. [blob] for a storage account or [vault] for a key vault")
    if len(group_ids) > 1:
        module.fail_json(msg=f"group_ids: {group_ids} names {len(group_ids)} group ids; Azure permits one per "
                             "private endpoint (OnlyOneGroupIdPermitted): create one endpoint per group id")
    if not group_ids and target.full_type.lower() != PRIVATE_LINK_SERVICE_TYPE.lower():
        module.fail_json(msg=f"group_ids: a {target.full_type} target needs at least one group id, "
                             "e.g. [registry] for a container registry")
    return list(group_ids)


def ip_configurations_of(module, target, group_ids):
    """The static IP configurations asked for, checked for what needs no subnet."""
    configs = module.params["ip_configurations"]
    if configs is None:
        return None
    seen_members, seen_ips, seen_names = set(), set(), set()
    result = []
    for index, config in enumerate(configs):
        option = f"ip_configurations[{index}]"
        address = config["private_ip_address"].strip()
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            module.fail_json(msg=f"{option}.private_ip_address: {address!r} is not an IP address")
        if ip.version != 4:
            module.fail_json(msg=f"{option}.private_ip_address: {address} is not an IPv4 address; private "
                                 "endpoints take static IPv4 addresses")
        if not any(config["group_id"].lower() == g.lower() for g in group_ids):
            module.fail_json(msg=f"{option}.group_id: {config['group_id']!r} is not one of group_ids "
                                 f"{group_ids}; use one of those")
        member = (config["group_id"].lower(), config["member_name"].lower())
        if member in seen_members:
            module.fail_json(msg=f"{option}.member_name: {config['member_name']!r} is listed twice; give each "
                                 "member one address")
        if str(ip) in seen_ips:
            module.fail_json(msg=f"{option}.private_ip_address: {ip} is given to two members; give each member "
                                 "its own address")
        if config["name"]:
            if config["name"].lower() in seen_names:
                module.fail_json(msg=f"{option}.name: {config['name']!r} is used twice; names must be unique")
            seen_names.add(config["name"].lower())
        seen_members.add(member)
        seen_ips.add(str(ip))
        result.append({"name": config["name"], "group_id": config["group_id"], "member_name": config["member_name"],
                       "private_ip_address": str(ip)})
    if target.full_type.lower() == REGISTRY_TYPE.lower() and result:
        names = [c["member_name"].lower() for c in result]
        if "registry" not in names or not any(n.startswith("registry_data_") for n in names):
            module.fail_json(msg="ip_configurations: a registry endpoint needs an address for every member: "
                                 "'registry' and 'registry_data_<region>' for the registry's home region and "
                                 "each geo-replica region (e.g. registry_data_westeurope); Azure refuses the "
                                 "endpoint with missing member names")
    return result


def check_members_given(module, target, predicted, wanted_ips):
    """Static addresses must cover exactly the members the registry requires (its home region and each
    replica region), as its private link resources list them: Azure refuses an incomplete list."""
    if not predicted:
        return  # the registry lists none (it is missing, or not Premium): Azure's answer will say why
    required = [m["required_member_name"] for m in predicted]
    given = [c["member_name"] for c in wanted_ips]
    missing = [m for m in required if m.lower() not in {g.lower() for g in given}]
    unknown = [g for g in given if g.lower() not in {m.lower() for m in required}]
    if missing or unknown:
        parts = ([f"no address for {', '.join(missing)}"] if missing else []) + \
                ([f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not a member of it"] if unknown else [])
        module.fail_json(msg=f"ip_configurations: {'; '.join(parts)} (registry '{target.name}' requires "
                             f"{', '.join(required)}: one address each)")


def zone_group_of(module):
    """The zone group asked for, with zone names resolved to ids, or None."""
    spec = module.params["dns_zone_group"]
    if spec is None:
        return None
    if not spec["name"] or len(spec["name"]) > 80:
        module.fail_json(msg="dns_zone_group.name: give a name of 1 to 80 characters, e.g. default")
    zone_group = {"name": spec["name"], "state": spec["state"], "zones": []}
    if spec["state"] == "absent":
        return zone_group
    if not spec["zones"]:
        module.fail_json(msg="dns_zone_group.zones: give at least one private DNS zone, e.g. privatelink.azurecr.io")
    resource_group = spec["zone_resource_group"] or module.params["resource_group"]
    for zone in spec["zones"]:
        rid = module.resolve_id(zone, "dns_zone_group.zones", NETWORK, "privateDnsZones", resource_group=resource_group)
        module.validated(dns_zone_name, rid.name, "dns_zone_group.zones")
        zone_group["zones"].append(str(rid))
    if len({z.lower() for z in zone_group["zones"]}) != len(zone_group["zones"]):
        module.fail_json(msg="dns_zone_group.zones: a zone is listed twice")
    return zone_group


def check_subnet(module, rid, subnet, wanted_ips):
    """Checks that need the subnet: delegation, and static addresses inside its range."""
    if subnet.delegations:
        services = ", ".join(d.service_name or d.name for d in subnet.delegations)
        module.fail_json(msg=f"subnet: {describe_subnet(rid)} is delegated to {services}; a private endpoint "
                             "cannot go in a delegated subnet: pick another subnet")
    prefixes = [p for p in [subnet.address_prefix] + list(subnet.address_prefixes or []) if p]
    for index, config in enumerate(wanted_ips or []):
        option = f"ip_configurations[{index}].private_ip_address"
        ip = ipaddress.ip_address(config["private_ip_address"])
        network = next((n for n in (ipaddress.ip_network(p, strict=False) for p in prefixes)
                        if n.version == ip.version and ip in n), None)
        if network is None:
            module.fail_json(msg=f"{option}: {ip} is outside {describe_subnet(rid)}, whose range is "
                                 f"{', '.join(prefixes)}; pick an address inside it")
        reserved = [network.network_address + i for i in range(4)] + [network.broadcast_address]
        if ip in reserved:
            module.fail_json(msg=f"{option}: {ip} is reserved by Azure in {network} (the first four addresses "
                                 "and the last one of every subnet); pick another address inside it")


def list_zone_groups(module, endpoint):
    if endpoint is None:
        return []
    rid = parse_resource_id(endpoint.id)
    client = module.client("network")
    return module.call(lambda: list(client.private_dns_zone_groups.list(rid.name, rid.resource_group)),
                       what=f"listing the DNS zone groups of {describe(rid.resource_group, rid.name)}")


def current_fields(endpoint):
    connection, manual = connection_of(endpoint)
    nic_id = endpoint.network_interfaces[0].id if endpoint.network_interfaces else None
    return {
        "location": endpoint.location,
        "subnet_id": endpoint.subnet.id if endpoint.subnet is not None else None,
        "target_id": connection.private_link_service_id if connection is not None else None,
        "group_ids": list(connection.group_ids or []) if connection is not None else [],
        "connection_name": connection.name if connection is not None else None,
        "manual": manual,
        "request_message": connection.request_message if connection is not None else None,
        "ip_configurations": [
            {"name": c.name, "group_id": c.group_id, "member_name": c.member_name,
             "private_ip_address": c.private_ip_address}
            for c in endpoint.ip_configurations or []
        ],
        "network_interface_name": (nic_id.rstrip("/").rsplit("/", 1)[-1] if nic_id
                                   else endpoint.custom_network_interface_name),
        "tags": dict(endpoint.tags or {}),
    }


def desired_fields(module, subnet_rid, target, group_ids, wanted_ips, current):
    params = module.params
    desired = {
        "location": params["location"],
        "subnet_id": str(subnet_rid),
        "target_id": str(target),
        "group_ids": group_ids,
        "connection_name": params["connection_name"],
        "manual": params["manual"],
        "request_message": params["request_message"],
        "network_interface_name": params["network_interface_name"],
    }
    if wanted_ips is not None:
        have = {(c["group_id"].lower(), c["member_name"].lower()): c["name"]
                for c in (current or {}).get("ip_configurations", [])}
        desired["ip_configurations"] = [
            dict(c, name=c["name"] or have.get((c["group_id"].lower(), c["member_name"].lower())) or c["member_name"])
            for c in wanted_ips
        ]
    if params["tags"] is not None:
        tags = {str(k): str(v) for k, v in params["tags"].items()}
        if not params["purge_tags"] and current is not None:
            tags = dict(current["tags"], **tags)
        desired["tags"] = tags
    return desired


def compare_zone_group(module, zone_group, current_groups, difference):
    """Add the zone group to ``difference``; True if it must change. Fails, before any write,
    when the endpoint already has another zone group (Azure allows one)."""
    if zone_group is None:
        return False
    mine = next((g for g in current_groups if (g.name or "").lower() == zone_group["name"].lower()), None)
    others = [g.name for g in current_groups if g is not mine]
    if zone_group["state"] == "present" and others:
        module.fail_json(msg=f"dns_zone_group.name: the endpoint already has the DNS zone group '{others[0]}' "
                             "and Azure allows one per endpoint; set dns_zone_group.name to "
                             f"'{others[0]}' to manage it, or leave dns_zone_group out to leave it alone")
    before = ({"name": mine.name, "zones": [c.private_dns_zone_id for c in mine.private_dns_zone_configs or []]}
              if mine is not None else None)
    after = {"name": zone_group["name"], "zones": zone_group["zones"]} if zone_group["state"] == "present" else None
    difference.before["dns_zone_group"] = before
    difference.after["dns_zone_group"] = after
    if before is None and after is None:
        return False
    if before is None or after is None or sorted(ci(before["zones"])) != sorted(ci(after["zones"])):
        difference.changed_keys.append("dns_zone_group")
        return True
    return False


def immutable_message(what, immutable, difference):
    changes = "; ".join(f"{key} is {difference.before[key]!r}, the task asks for {difference.after[key]!r}"
                        for key in immutable)
    return (f"{what}: {', '.join(immutable)} cannot be changed in place, Azure sets them only when it creates "
            f"an endpoint ({changes}). Set replace: true to delete and re-create the endpoint (its private IP "
            "addresses may change, so its DNS records must follow, and a manual connection must be approved "
            "again), or change the task back to the current values")


def creation_location(module, subnet_rid, endpoint):
    """The region for a new endpoint: the subnet's virtual network's (read once), which a given
    location must match."""
    client = module.client("network", subscription_id=subnet_rid.subscription)
    vnet = module.call(client.virtual_networks.get, subnet_rid.resource_group, subnet_rid.name,
                       what=f"reading virtual network '{subnet_rid.name}' (resource group "
                            f"'{subnet_rid.resource_group}')")
    wanted = module.params["location"]
    if wanted and location_key(wanted) != location_key(vnet.location):
        module.fail_json(msg=f"location: {wanted!r} is not the region of virtual network '{subnet_rid.name}' "
                             f"({vnet.location}); a private endpoint must be in its subnet's region: leave "
                             "location out or set it to that region")
    return wanted or vnet.location


def require_zones(module, zone_ids):
    for zone_id in zone_ids:
        rid = parse_resource_id(zone_id)
        client = module.client("privatedns", subscription_id=rid.subscription)
        zone = module.get_or_none(client.private_zones.get, rid.resource_group, rid.name,
                                  what=f"reading private DNS zone '{rid.name}'")
        if zone is None:
            module.fail_json(msg=f"dns_zone_group.zones: private DNS zone '{rid.name}' (resource group "
                                 f"'{rid.resource_group}', subscription '{rid.subscription}') was not found; "
                                 "create it first (privnet.azure.private_dns_zone) or fix the name")


def endpoint_model(module, location, subnet_rid, target, group_ids, desired, wanted_ips):
    params = module.params
    connection = models.PrivateLinkServiceConnection(
        name=params["connection_name"] or params["name"], private_link_service_id=str(target), group_ids=group_ids,
        request_message=params["request_message"])
    model = models.PrivateEndpoint(location=location, tags=desired.get("tags") or {},
                                   subnet=models.Subnet(id=str(subnet_rid)))
    if params["manual"]:
        model.manual_private_link_service_connections = [connection]
    else:
        model.private_link_service_connections = [connection]
    if wanted_ips:
        model.ip_configurations = [
            models.PrivateEndpointIPConfiguration(name=c["name"], group_id=c["group_id"], member_name=c["member_name"],
                                                  private_ip_address=c["private_ip_address"])
            for c in desired["ip_configurations"]
        ]
    if params["network_interface_name"]:
        model.custom_network_interface_name = params["network_interface_name"]
    return model


def predicted_endpoint(module, model):
    """The endpoint check mode reports for one not created yet: the model to be sent, with its id and
    the connection state Azure gives it (an auto-approved connection is Approved at once, a manual one
    Pending until the target's owner approves it)."""
    params = module.params
    model.id = build_resource_id(module.subscription_id, params["resource_group"], NETWORK, "privateEndpoints",
                                 params["name"])
    model.name = params["name"]
    connection, manual = connection_of(model)
    connection.private_link_service_connection_state = models.PrivateLinkServiceConnectionState(
        status="Pending" if manual else "Approved", description="" if manual else "Auto-Approved",
        actions_required="None")
    return model


def update_in_place(endpoint, desired):
    """Read-modify-write: set the in-place fields on the model read; all else is sent back as read."""
    if "tags" in desired:
        endpoint.tags = desired["tags"]
    connection, _manual = connection_of(endpoint)
    if desired.get("request_message") is not None and connection is not None:
        connection.request_message = desired["request_message"]


def zone_group_body(zone_group):
    return models.PrivateDnsZoneGroup(private_dns_zone_configs=[
        # Each config needs a name; the portal and the CLI use the zone name with dashes.
        models.PrivateDnsZoneConfig(name=parse_resource_id(z).name.replace(".", "-"), private_dns_zone_id=z)
        for z in zone_group["zones"]
    ])


def put_zone_group(module, zone_group):
    params = module.params
    client = module.client("network")
    return module.begin(client.private_dns_zone_groups.begin_create_or_update, params["resource_group"],
                        params["name"], zone_group["name"], zone_group_body(zone_group),
                        what=f"writing DNS zone group '{zone_group['name']}' of "
                             f"{describe(params['resource_group'], params['name'])}")


def apply_zone_group(module, zone_group, current_groups):
    params = module.params
    if zone_group["state"] == "present":
        require_zones(module, zone_group["zones"])
        if not module.check_mode:
            put_zone_group(module, zone_group)
    elif not module.check_mode:
        client = module.client("network")
        module.begin(client.private_dns_zone_groups.begin_delete, params["resource_group"], params["name"],
                     zone_group["name"], what=f"deleting DNS zone group '{zone_group['name']}' of "
                                              f"{describe(params['resource_group'], params['name'])}")


def zone_group_model(module, zone_group, current_groups, written):
    """The zone group to return: as listed when unchanged, predicted in check mode, re-read
    (with the records Azure wrote) after a write."""
    if zone_group is None or zone_group["state"] == "absent":
        return None
    if not written:
        return next((g for g in current_groups if (g.name or "").lower() == zone_group["name"].lower()), None)
    if module.check_mode:
        model = zone_group_body(zone_group)
        model.name = zone_group["name"]
        return model
    params = module.params
    client = module.client("network")
    return module.get_or_none(client.private_dns_zone_groups.get, params["resource_group"], params["name"],
                              zone_group["name"], what=f"reading DNS zone group '{zone_group['name']}'")


def settled(module, endpoint, desired, subnet_rid, target, group_ids, wanted_ips):
    """The endpoint to report. With wait=false the write returned nothing: read what Azure knows."""
    if endpoint is not None:
        return endpoint
    params = module.params
    client = module.client("network")
    found = module.get_or_none(client.private_endpoints.get, params["resource_group"], params["name"],
                               what=f"reading {describe(params['resource_group'], params['name'])}")
    if found is not None:
        return found
    model = endpoint_model(module, params["location"], subnet_rid, target, group_ids, desired, wanted_ips)
    model.id = build_resource_id(module.subscription_id, params["resource_group"], NETWORK, "privateEndpoints",
                                 params["name"])
    model.name = params["name"]
    return model


if __name__ == "__main__":
    main()
