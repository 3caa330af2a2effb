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
  - The target is a resource id (O(target_id)) or, for a private link service, the alias its provider
    shares (O(target_alias)), as a consumer in another subscription or tenant receives it.
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
      - With O(state=present), give either O(target_id) or O(target_alias).
    type: str
  target_alias:
    description:
      - The alias of a private link service, C(<service name>.<GUID>.<region>.azure.privatelinkservice), which
        the service's provider shares with its consumers (the RV(privnet.azure.private_link_service#module:private_link_service.alias)
        of M(privnet.azure.private_link_service)). Azure generates it when it creates the service, and a consumer may
        request a connection with it instead of the service's resource id (Microsoft Learn,
        private-link/private-link-service-overview.md, "Alias").
      - Its form is checked before any request; the module then sends it to Azure as the connection's target. A
        service that does not exist, or is not visible to the endpoint's subscription (the service's
        C(visibility) list), is refused by Azure with
        C(ThirdPartyPrivateLinkServiceProvidedDuringPrivateEndpointCreationDoesNotExistOrIsNotVisible), which the
        module reports.
      - A private link service takes no group id; leave O(group_ids) out.
      - Mutually exclusive with O(target_id).
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
        tenant or when you lack rights on it. A manual request to a private link service from a subscription in
        the service's auto-approval list is approved at once.
      - Defaults to V(true) with O(target_alias) (a consumer given only the alias has, as a rule, no right to approve
        on the service; its request is approved at once when its subscription is in the service's auto-approval
        list, and waits as C(Pending) for the provider otherwise), and to V(false) with O(target_id).
    type: bool
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
  read_members:
    description:
      - With O(state=absent), whether the endpoint's network interface is read before the endpoint is deleted,
        for the RV(members) it had (to remove their DNS records).
      - V(false) saves that read when the members are known already (the teardown of the
        P(privnet.azure.acr_private_link#role) role reads them first, with M(privnet.azure.private_endpoint_info));
        RV(members) and RV(private_endpoint.members) are then empty. The diff does not show members either way.
      - Ignored with O(state=present), which always returns the members.
    type: bool
    default: true
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
      - A private link service's auto-approval list and visibility are not read in check mode, since a consumer may
        not read the provider's service. A manual request is predicted V(Pending) even where the auto-approval list
        will approve it at once, and an alias that is not visible is found only by a real run.
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
  - An endpoint created with O(target_alias) keeps the alias in its connection (C(privateLinkServiceId)), the form
    Terraform's azurerm provider reads back for such endpoints (its acceptance test of a connection by alias). The
    module compares the alias case-insensitively. If the connection names the service by resource id instead (an
    endpoint created with O(target_id), or an Azure that returns the resolved id), the module reads that service (one
    request) and compares its alias; when it may not read the service, it takes the service for the one the alias
    names if its name is the alias's prefix (the service's name, per the overview's "Alias"), with a warning. The same
    holds the other way round, for O(target_id) and an endpoint whose connection holds an alias.
  - The alias of a private link service created moments before may not resolve at once (reported in
    hashicorp/terraform-provider-azurerm pull request 16315); run the task again.
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

- name: Consumer in another subscription, connecting to a private link service by the alias its provider shared
  privnet.azure.private_endpoint:
    subscription_id: "{{ consumer_subscription_id }}"
    name: pe-orders
    resource_group: rg-consumer
    virtual_network: vnet-consumer
    subnet: snet-endpoints
    target_alias: pls-orders.6f1c2b7e-0d0a-4b7a-9b36-2f1d0c6d7a11.westeurope.azure.privatelinkservice
    request_message: Orders API for the shop (CHG-1234)
  register: orders_endpoint  # connection_state Approved if the service auto-approves the subscription, else Pending

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
      their DNS records, unless O(read_members=false)); empty if it did not exist.
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
      description:
        - Resource id of the resource the endpoint connects to.
        - None when the connection names a private link service by its alias (see RV(private_endpoint.target_alias)).
      type: str
      returned: always
    target_alias:
      description:
        - The private link service alias the connection names its target by, when it does; None otherwise.
      type: str
      returned: always
      sample: pls-orders.6f1c2b7e-0d0a-4b7a-9b36-2f1d0c6d7a11.westeurope.azure.privatelinkservice
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
          C(check_mode) attribute). Empty with O(state=absent) and O(read_members=false).
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

import json
from dataclasses import dataclass, field

from ansible_collections.privnet.azure.plugins.module_utils import _zone_group as zone_groups
from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API, properties, ref, writable
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule, HttpResponseError, means_absent
from ansible_collections.privnet.azure.plugins.module_utils._diff import ABSENT, Difference, ci, compare, unordered
from ansible_collections.privnet.azure.plugins.module_utils._endpoint import (
    NETWORK,
    PRIVATE_LINK_SERVICE_TYPE,
    REGISTRY_TYPE,
    check_members_given,
    check_subnet,
    connection_of,
    describe,
    endpoint_id,
    endpoint_result,
    get_endpoint,
    group_ids_for,
    location_key,
    predicted_members,
    read_members,
    static_ip_configurations,
)
from ansible_collections.privnet.azure.plugins.module_utils._ids import ResourceId, parse_resource_id, same_id
from ansible_collections.privnet.azure.plugins.module_utils._subnet import describe as describe_subnet
from ansible_collections.privnet.azure.plugins.module_utils._subnet import require_subnet, resolve_subnet
from ansible_collections.privnet.azure.plugins.module_utils._targets import PRIVATE_LINK_SERVICE_API_VERSION
from ansible_collections.privnet.azure.plugins.module_utils._validate import alias_prefix, private_link_service_alias
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    resource_group=dict(type="str", required=True),
    location=dict(type="str"),
    subnet_id=dict(type="str"),
    virtual_network=dict(type="str"),
    subnet=dict(type="str"),
    virtual_network_resource_group=dict(type="str"),
    target_id=dict(type="str"),
    target_alias=dict(type="str"),
    group_ids=dict(type="list", elements="str"),
    connection_name=dict(type="str"),
    manual=dict(type="bool"),
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
    read_members=dict(type="bool", default=True),
)

# Azure sets these only when it creates an endpoint; a change means delete and re-create.
IMMUTABLE = ("location", "subnet_id", "target_id", "target_alias", "group_ids", "connection_name", "manual",
             "ip_configurations", "network_interface_name")
# What Azure sets and a PUT ignores (readOnly in PrivateEndpoint and PrivateEndpointProperties, Network 2026-03-01
# privateEndpoint.json): left out of an endpoint sent back.
READ_ONLY = ("etag", "type")
READ_ONLY_PROPERTIES = ("networkInterfaces", "provisioningState")
NORMALISERS = {
    "location": location_key,
    "subnet_id": ci,
    "target_id": ci,
    # Azure writes the service's name lower-case in the alias it generates (a service 'acctestPLS-…' got the alias
    # 'acctestpls-….centralus.azure.privatelinkservice', Azure/azure-rest-api-specs issue 20289): compared so.
    "target_alias": ci,
    "group_ids": unordered(ci),
    "connection_name": ci,
    "ip_configurations": unordered(ci),
    "network_interface_name": ci,
}


@dataclass
class Plan:
    """What the task asks for, validated before any call to Azure."""

    name: str
    resource_group: str
    subnet: ResourceId
    target: ResourceId  # None when the target is a private link service named by its alias
    group_ids: list
    manual: bool = False
    alias: str = None
    static_ips: list = None
    zone_group: dict = None
    desired: dict = field(default_factory=dict)

    @property
    def what(self):
        return describe(self.resource_group, self.name)

    def id(self, subscription):
        return endpoint_id(subscription, self.resource_group, self.name)

    @property
    def to_registry(self):
        return self.target is not None and self.target.full_type.lower() == REGISTRY_TYPE.lower()

    @property
    def target_reference(self):
        """What the connection's privateLinkServiceId names: the alias, or the resource id."""
        return self.alias or str(self.target)


def main():
    module = AzureModule(
        argument_spec=ARGUMENT_SPEC,
        lro=True,
        supports_check_mode=True,
        mutually_exclusive=[("subnet_id", "subnet"), ("subnet_id", "virtual_network"),
                            ("subnet_id", "virtual_network_resource_group"), ("target_id", "target_alias")],
        required_together=[("virtual_network", "subnet")],
        required_if=[("state", "present", ("subnet_id", "subnet"), True),
                     ("state", "present", ("target_id", "target_alias"), True)],
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
    endpoint = get_endpoint(module, resource_group, name)
    diff = Difference()
    if endpoint is None:
        diff.add("state", "absent", "absent")
        module.exit(changed=False, diff=diff, private_endpoint={}, members=[], connection_state=None, replaced=False)
    # The members are read before the endpoint goes, so the playbook can remove their records (unless it has them).
    result = endpoint_result(endpoint, read_members(module, endpoint) if module.params["read_members"] else [])
    if not module.check_mode:
        module.arm().delete(endpoint_id(module.subscription_id, resource_group, name), NETWORK_API,
                            what=f"deleting {describe(resource_group, name)}")
    for key, value in dict(fields_of(result), tags=result["tags"]).items():
        if key != "request_message":
            diff.add(key, value, ABSENT)
    diff.add("state", ABSENT, "absent")
    module.exit(changed=True, diff=diff, private_endpoint=result, members=result["members"], connection_state=result["connection_state"],
                replaced=False)


# ---- state=present ------------------------------------------------------------------------

def present(module):
    # 1. Validate everything that needs no call to Azure.
    plan = plan_of(module)
    params = module.params

    # 2. Read the endpoint, and the subnet when the endpoint is to be created in it or moved to it (it must exist,
    #    must not be delegated, and static addresses must lie in its range, all checked before any write). An
    #    endpoint already in that subnet proves it exists; the subnet is then read only if the endpoint is re-created.
    endpoint = get_endpoint(module, plan.resource_group, plan.name)
    arm, resource_id = module.arm(), plan.id(module.subscription_id)
    subnet_checked = False
    if endpoint is None or not same_id(ref(properties(endpoint).get("subnet")), plan.subnet):
        check_subnet_for(module, plan)
        subnet_checked = True
    current_groups = zone_groups.list_zone_groups(module, endpoint) if plan.zone_group is not None else []

    # 3. Compare the fields the user set.
    current = current_fields(endpoint) if endpoint is not None else None
    if current is not None:
        reconcile_target(module, plan, current)
    plan.desired = desired_fields(module, plan, current)
    difference = compare(plan.desired, current, NORMALISERS)
    if endpoint is not None and properties(endpoint).get("provisioningState") == "Failed":
        # A failed endpoint is applied again, so that Azure retries it (or reports why it fails).
        difference.add("provisioning_state", "Failed", "Succeeded")
    if plan.zone_group is not None:
        difference.merge(module.validated(zone_groups.zone_group_difference, plan.zone_group, current_groups))
    zone_change = difference.has_difference_for("dns_zone_group")
    immutable = [key for key in difference.changed_keys if key in IMMUTABLE] if endpoint is not None else []
    zone_group_present = plan.zone_group is not None and plan.zone_group["state"] == "present"

    # 4. Apply.
    replaced = created = False
    members = None
    if endpoint is None or (immutable and params["replace"]):
        created, replaced = True, endpoint is not None
        if not subnet_checked:
            check_subnet_for(module, plan)
        location = creation_location(module, plan)
        if zone_group_present:
            require_zones(module, plan.zone_group["zones"])
        if plan.static_ips and plan.to_registry:
            members = predicted_members(module, plan.target, plan.group_ids, plan.static_ips)
            module.validated(check_members_given, plan.target, members, plan.static_ips)
        body = endpoint_body(module, plan, location)
        if module.check_mode:
            endpoint = planned_endpoint(module, body)
        else:
            if replaced:
                arm.delete(resource_id, NETWORK_API, must_wait=True, what=f"deleting {plan.what} to re-create it")
            endpoint = arm.put(resource_id, NETWORK_API, body, what=f"creating {plan.what}")
            if zone_group_present:
                zone_groups.apply(module, plan.resource_group, plan.name, plan.zone_group)
    elif immutable:
        message = immutable_message(plan.what, immutable, difference)
        if not module.check_mode:
            module.fail_json(msg=message, changed=False, immutable_changes=difference.only(immutable).as_diff())
        module.warn(message)
    elif difference.changed:
        if [key for key in difference.changed_keys if key != "dns_zone_group"]:
            endpoint = update_in_place(endpoint, plan.desired)
            if not module.check_mode:
                endpoint = arm.put(resource_id, NETWORK_API, writable(endpoint, READ_ONLY, READ_ONLY_PROPERTIES),
                                   what=f"updating {plan.what}")
        if zone_change:
            if zone_group_present:
                require_zones(module, plan.zone_group["zones"])
            zone_groups.apply(module, plan.resource_group, plan.name, plan.zone_group)

    # 5. Return what Azure has now (or, in check mode, what it would have).
    if endpoint is None:  # wait=false: the write returned nothing, read what Azure knows
        endpoint = get_endpoint(module, plan.resource_group, plan.name) or planned_endpoint(
            module, endpoint_body(module, plan, params["location"]), connection_state=False)
    if not (created and module.check_mode):
        members = read_members(module, endpoint)
    elif members is None:  # a predicted endpoint has no network interface yet: its members are predicted
        members = predicted_members(module, plan.target, plan.group_ids, plan.static_ips) if plan.to_registry else []
    zone_group = zone_groups.reported(module, plan.resource_group, plan.name, plan.zone_group, current_groups,
                                      zone_change or (created and plan.zone_group is not None))
    result = endpoint_result(endpoint, members, zone_group)
    if result["connection_state"] in ("Rejected", "Disconnected"):
        module.warn(f"{plan.what}: the connection is {result['connection_state']} "
                    f"({result['connection']['description']}): clients get no traffic through it. Once the target's "
                    "owner agrees, delete the endpoint (state=absent) and create it again to send a new request")
    module.exit(changed=difference.changed, diff=difference, private_endpoint=result, members=result["members"],
                connection_state=result["connection_state"], replaced=replaced)


def plan_of(module):
    params = module.params
    subnet = subnet_id_of(module)
    if params["target_alias"] is not None:
        # The alias's form is checked here, before any request (private-link-service-overview.md, "Alias").
        alias = module.validated(private_link_service_alias, params["target_alias"], "target_alias")
        target, target_type = None, PRIVATE_LINK_SERVICE_TYPE
    else:
        alias = None
        target = module.validated(parse_resource_id, params["target_id"], "target_id")
        target_type = target.full_type
    group_ids = module.validated(group_ids_for, target_type, params["group_ids"])
    # A consumer given the alias asks for a manual connection unless told otherwise: an automatic one needs the right
    # to approve on the service (private-endpoint-overview.md, approval workflow), which the service's auto-approval
    # list grants a manual request from the subscriptions it names anyway (private-link-service-overview.md,
    # "Control service access").
    manual = params["manual"] if params["manual"] is not None else alias is not None
    return Plan(name=params["name"], resource_group=params["resource_group"], subnet=subnet, target=target,
                group_ids=group_ids, manual=manual, alias=alias,
                static_ips=module.validated(static_ip_configurations, params["ip_configurations"], target_type,
                                            group_ids),
                zone_group=module.validated(zone_groups.zone_group_spec, params["dns_zone_group"],
                                            module.subscription_id, params["resource_group"]))


def reconcile_target(module, plan, current):
    """A connection names a private link service by alias or by resource id, and the task may name it the other way
    (an endpoint created with target_id, now given target_alias, or an Azure that returns the id it resolved): when
    both name the same service, the current field is set to what the task asks for, so that only another service is
    a difference. The service is read for its alias (one request, only in that case); see the module's notes."""
    if plan.alias is not None and current["target_alias"] is None and is_service_id(current["target_id"]):
        if same_service(module, current["target_id"], plan.alias):
            current["target_alias"] = plan.alias
    elif plan.alias is None and current["target_alias"] is not None and is_service_id(str(plan.target)):
        if same_service(module, str(plan.target), current["target_alias"]):
            current["target_id"] = str(plan.target)


def is_service_id(value):
    if not value or not str(value).startswith("/"):
        return False
    try:
        return parse_resource_id(value).full_type.lower() == PRIVATE_LINK_SERVICE_TYPE.lower()
    except ValueError:
        return False


def same_service(module, service_id, alias):
    """Whether the private link service ``service_id`` is the one ``alias`` names: its alias, read with one GET
    (PrivateLinkServices_Get), compared case-insensitively. A service that is gone is not. When the service may not be
    read (a consumer often has no right on the provider's resource, in another tenant none at all), its name is
    compared with the alias's prefix, the service's name (private-link-service-overview.md, "Alias"), with a
    warning that the rest of the alias could not be checked."""
    rid = parse_resource_id(service_id)
    arm = module.arm(rid.subscription)
    unreadable = object()

    def read():
        try:
            response = arm.send("GET", str(rid), PRIVATE_LINK_SERVICE_API_VERSION)
        except HttpResponseError as exc:
            if means_absent(exc):
                return None
            if exc.status_code in (401, 403):
                return unreadable
            raise
        return json.loads(response.text() or "null") or {}

    service = module.call(read, what=f"reading private link service '{rid.name}' (resource group "
                                     f"'{rid.resource_group}', subscription '{rid.subscription}') for its alias")
    if service is None:
        return False
    if service is unreadable:
        same = (alias_prefix(alias) or "").lower() == rid.name.lower()
        if same:
            module.warn(f"{plan_what(module)}: the connection names private link service {service_id}, the task its "
                        f"alias {alias}; the service may not be read here, so only its name (the alias's prefix) was "
                        "compared")
        return same
    return str(properties(service).get("alias") or "").lower() == alias.lower()


def plan_what(module):
    return describe(module.params["resource_group"], module.params["name"])


def check_subnet_for(module, plan):
    """One read of the subnet the endpoint goes in: it must exist and not be delegated, and the static addresses
    asked for must lie in its range (fails naming the option otherwise)."""
    subnet = module.validated(require_subnet, module, plan.subnet)
    module.validated(check_subnet, describe_subnet(plan.subnet), subnet, plan.static_ips)


def subnet_id_of(module):
    """The subnet's ResourceId; it must be in the endpoint's subscription (checked before any call)."""
    params = module.params
    if params["subnet_id"]:
        rid = module.validated(resolve_subnet, module, id_option="subnet_id")
    else:
        module.validated(valid_name, "subnet", params["subnet"], "subnet")
        vnet_group = params["virtual_network_resource_group"] or params["resource_group"]
        vnet = module.resolve_id(params["virtual_network"], "virtual_network", NETWORK, "virtualNetworks",
                                 resource_group=vnet_group, name_kind="virtual_network")
        module.validated(valid_name, "resource_group", vnet_group, "virtual_network_resource_group")
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


def fields_of(result):
    """The user-settable fields of an endpoint, from its result (endpoint_result)."""
    keys = ("location", "subnet_id", "target_id", "target_alias", "group_ids", "network_interface_name",
            "ip_configurations")
    view = {key: result[key] for key in keys}
    view.update(connection_name=result["connection"]["name"], manual=result["connection"]["manual"],
                request_message=result["connection"]["request_message"])
    return view


def current_fields(endpoint):
    current = dict(fields_of(endpoint_result(endpoint, [])), tags=dict(endpoint.get("tags") or {}))
    # An endpoint still being created has no network interface yet: its name is the one asked for.
    current["network_interface_name"] = (current["network_interface_name"]
                                         or properties(endpoint).get("customNetworkInterfaceName"))
    return current


def desired_fields(module, plan, current):
    params = module.params
    desired = {
        "location": params["location"],
        "subnet_id": str(plan.subnet),
        "target_id": str(plan.target) if plan.target is not None else None,
        "target_alias": plan.alias,
        "group_ids": plan.group_ids,
        "connection_name": params["connection_name"],
        "manual": plan.manual,
        "request_message": params["request_message"],
        "network_interface_name": params["network_interface_name"],
    }
    if plan.static_ips is not None:
        have = {(c["group_id"].lower(), c["member_name"].lower()): c["name"]
                for c in (current or {}).get("ip_configurations", [])}
        desired["ip_configurations"] = [
            dict(c, name=c["name"] or have.get((c["group_id"].lower(), c["member_name"].lower())) or c["member_name"])
            for c in plan.static_ips
        ]
    if params["tags"] is not None:
        tags = {str(k): str(v) for k, v in params["tags"].items()}
        if not params["purge_tags"] and current is not None:
            tags = dict(current["tags"], **tags)
        desired["tags"] = tags
    return desired


def require_zones(module, zones):
    """The zone group's zones must exist. In check mode a missing one is a warning, not a failure: an earlier task
    of the same run (privnet.azure.private_dns_zone) may only have predicted it; a real run still fails here."""
    try:
        zone_groups.missing_zones(module, zones)
    except ValueError as exc:
        if not module.check_mode:
            module.fail_json(msg=str(exc))
        module.warn(f"{exc} (check mode: assumed to be created by an earlier task of this run)")


def immutable_message(what, immutable, difference):
    changes = "; ".join(f"{key} is {difference.before[key]!r}, the task asks for {difference.after[key]!r}"
                        for key in immutable)
    return (f"{what}: {', '.join(immutable)} cannot be changed in place, Azure sets them only when it creates "
            f"an endpoint ({changes}). Set replace: true to delete and re-create the endpoint (its private IP "
            "addresses may change, so its DNS records must follow, and a manual connection must be approved "
            "again), or change the task back to the current values")


def creation_location(module, plan):
    """The region for a new endpoint: the subnet's virtual network's (read once), which a given
    location must match."""
    subnet = plan.subnet
    vnet = module.arm(subnet.subscription).read(
        str(subnet.parent), NETWORK_API,
        what=f"reading virtual network '{subnet.name}' (resource group '{subnet.resource_group}')")
    location = vnet.get("location")
    wanted = module.params["location"]
    if wanted and location_key(wanted) != location_key(location):
        module.fail_json(msg=f"location: {wanted!r} is not the region of virtual network '{subnet.name}' "
                             f"({location}); a private endpoint must be in its subnet's region: leave "
                             "location out or set it to that region")
    return wanted or location


def endpoint_body(module, plan, location):
    """The endpoint to create, as Azure's JSON (Network 2026-03-01 privateEndpoint.json)."""
    params = module.params
    # An alias goes where a resource id would: the connection's privateLinkServiceId is the one field for either
    # (private-link-service-overview.md, "Share your service"; Network privateEndpoint.json).
    link = {"privateLinkServiceId": plan.target_reference, "groupIds": plan.group_ids}
    if params["request_message"] is not None:
        link["requestMessage"] = params["request_message"]
    connection = {"name": params["connection_name"] or params["name"], "properties": link}
    props = {"subnet": {"id": str(plan.subnet)},
             "manualPrivateLinkServiceConnections" if plan.manual else "privateLinkServiceConnections":
                 [connection]}
    if plan.static_ips:
        props["ipConfigurations"] = [
            {"name": c["name"], "properties": {"groupId": c["group_id"], "memberName": c["member_name"],
                                               "privateIPAddress": c["private_ip_address"]}}
            for c in plan.desired["ip_configurations"]
        ]
    if params["network_interface_name"]:
        props["customNetworkInterfaceName"] = params["network_interface_name"]
    return {"location": location, "tags": plan.desired.get("tags") or {}, "properties": props}


def planned_endpoint(module, body, connection_state=True):
    """The endpoint as it will be once created (check mode), or as sent (wait=false, not readable yet): the
    body with its id and, with ``connection_state``, the state Azure gives its connection (an auto-approved
    connection is Approved at once, a manual one Pending until the target's owner approves it)."""
    params = module.params
    endpoint = dict(body, id=endpoint_id(module.subscription_id, params["resource_group"], params["name"]),
                    name=params["name"])
    if connection_state:
        connection, manual = connection_of(endpoint)
        connection["properties"]["privateLinkServiceConnectionState"] = {
            "status": "Pending" if manual else "Approved", "description": "" if manual else "Auto-Approved",
            "actionsRequired": "None"}
    return endpoint


def update_in_place(endpoint, desired):
    """Read-modify-write: the endpoint read with the in-place fields set; all else is sent back as read."""
    endpoint = json.loads(json.dumps(endpoint))
    if "tags" in desired:
        endpoint["tags"] = desired["tags"]
    connection, _manual = connection_of(endpoint)
    if desired.get("request_message") is not None and connection is not None:
        connection.setdefault("properties", {})["requestMessage"] = desired["request_message"]
    return endpoint


if __name__ == "__main__":
    main()
