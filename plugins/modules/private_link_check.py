#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: private_link_check
short_description: Verify a private endpoint end to end, the way the documents do from inside the VNet
version_added: 0.1.0
description:
  - Audits one private endpoint and reports findings, each with a severity and the fix. It changes nothing.
  - For every member of the endpoint (read from its network interface), checks that the private DNS zone
    exists, is linked to the endpoint's virtual network, and holds an A record with exactly the member's
    private IP.
  - Reports stale records in the zone for the same target (for example a removed geo-replica's data
    endpoint), a connection that is not C(Approved), and, for a container registry, public network
    access left on.
  - With O(resolver), asks that DNS server what each public name resolves to, as a VM in the VNet would
    (C(dig <registry>.azurecr.io)); against Azure, give a DNS Private Resolver inbound endpoint or any
    resolver inside the VNet that forwards to Azure DNS.
  - Reads the DNS servers of the virtual network whose VMs' view is checked (O(virtual_network), by default the
    endpoint's own). With Azure-provided DNS, the zone must be linked to that virtual network. With custom DNS
    servers, VMs there are answered by those servers, not by the private DNS zones linked to the virtual network
    (Microsoft Learn, virtual-networks-name-resolution-for-vms-and-role-instances.md and
    dns-private-resolver-overview.md), so the zone's link to it decides nothing; the module asks each server
    (at its IP on port 53, or where O(dns_address_map) says the controller reaches it) and reports an error when
    one does not answer the endpoint's private IP, and a warning when one cannot be asked.
  - With O(inbound_endpoint_addresses), also asks a DNS Private Resolver's inbound endpoints what on-premises
    clients (whose DNS servers forward to them) get.
  - Usable alone, as an audit of existing estates, and as the last step of the
    P(privnet.azure.acr_private_link#role) role.
  - Reads the endpoint, its network interface, each zone and its links and record sets, and the registry. What
    earlier tasks of the play already returned can be given instead (O(endpoint), O(zones),
    O(public_network_access)); only what is not given is read, so a procedure that has just read or written those
    resources verifies them without reading them again.
author:
  - privnet maintainers (!UNKNOWN)
requirements:
  - dnspython >= 2.6 (for O(resolver), O(inbound_endpoint_addresses) and a virtual network with custom DNS servers)
options:
  name:
    description: Name of the private endpoint.
    type: str
    required: true
  resource_group:
    description: Resource group of the private endpoint.
    type: str
    required: true
  zone:
    description:
      - The private DNS zone that serves the endpoint's names.
      - Defaults to the zone Microsoft documents for the members' names in their cloud (for a registry
        C(privatelink.azurecr.io), in Azure Government C(privatelink.azurecr.us), in Azure China
        C(privatelink.azurecr.cn)).
    type: str
  data_zones:
    description:
      - Where a registry's data endpoints (C(<reg>.<region>.data.azurecr.io)) have their records.
      - V(shared) - in O(zone), as C(<reg>.<region>.data).
      - V(regional) - in the regional zone C(<region>.data.privatelink.azurecr.io), as C(<reg>), one zone per region
        (Microsoft's private endpoint DNS table lists both zones for Container Registry); each must exist in
        O(zone_resource_group) and be linked to the virtual network.
    type: str
    choices: [shared, regional]
    default: shared
  zone_resource_group:
    description: Resource group of the private DNS zone. Defaults to O(resource_group).
    type: str
  zone_subscription_id:
    description: Subscription of the private DNS zone. Defaults to the module's subscription.
    type: str
  resolver:
    description:
      - A DNS server that answers as Azure DNS answers a VM in the endpoint's virtual network, as
        C(address) or C(address:port).
      - Without it, name resolution through Azure DNS is not checked (a virtual network's custom DNS servers and
        O(inbound_endpoint_addresses) are asked all the same).
    type: str
  virtual_network:
    description:
      - The virtual network whose VMs' view is checked, as a name (in O(virtual_network_resource_group)) or a
        resource id; for example a spoke whose VMs use the hub's endpoint.
      - Default - the virtual network of the endpoint's subnet.
      - The zone must be linked to it (when it uses Azure-provided DNS), and its custom DNS servers are asked.
    type: str
  virtual_network_resource_group:
    description: Resource group of O(virtual_network) given as a name. Defaults to O(resource_group).
    type: str
  virtual_network_dns_servers:
    description:
      - The DNS servers of O(virtual_network) (or of the endpoint's virtual network) as an earlier task returned
        them (RV(privnet.azure.virtual_network_dns_servers#module:virtual_network.dns_servers) of
        M(privnet.azure.virtual_network_dns_servers)); V([]) means Azure-provided DNS. Given, the virtual network
        is not read.
      - Give only what is in Azure now, not what check mode only predicted.
    type: list
    elements: str
  dns_address_map:
    description:
      - Where the controller reaches a DNS server it is to ask, by the server's own IP address (a custom DNS
        server of the virtual network, or an address of O(inbound_endpoint_addresses)), as C(address) or
        C(address:port); for example a port forwarded through a bastion or VPN when the controller cannot route
        to the virtual network.
      - A server not in the map is asked at its IP on port 53.
    type: dict
  inbound_endpoint_addresses:
    description:
      - IP addresses of DNS Private Resolver inbound endpoints that on-premises DNS servers forward to
        (RV(privnet.azure.dns_resolver#module:dns_resolver.inbound_ip_addresses) of M(privnet.azure.dns_resolver)).
        Each is asked what each public name resolves to, as on-premises clients get it; an answer that is not the
        member's private IP is an error (typically the zone is not linked to the resolver's virtual network).
    type: list
    elements: str
  dns_timeout:
    description: Seconds to wait for each DNS answer.
    type: float
    default: 3
  check_public_access:
    description: Report a registry target whose public network access is still enabled.
    type: bool
    default: true
  fail_on:
    description:
      - Fail the task when there is a finding of this severity or worse.
      - V(never) only reports.
    type: str
    choices: [never, error, warning]
    default: never
  endpoint:
    description:
      - The endpoint as an earlier task returned it, with its members -
        RV(privnet.azure.private_endpoint#module:private_endpoint) of M(privnet.azure.private_endpoint), or an
        element of RV(privnet.azure.private_endpoint_info#module:private_endpoints) of
        M(privnet.azure.private_endpoint_info). Given, neither the endpoint nor its network interface is read.
      - It must be the endpoint O(name) in O(resource_group), with its C(subnet_id), C(target_id), C(connection)
        and C(members); the task fails naming what is wrong otherwise.
      - Give it only as it is in Azure now. In check mode, the endpoint an earlier task only predicted (created or
        changed) is not; leave this option out then.
    type: dict
  zones:
    description:
      - What earlier tasks already know of the private DNS zones this check looks at (O(zone), and with
        O(data_zones=regional) the regional zones). For a zone listed here with O(zones[].linked_virtual_networks) or
        O(zones[].records), the zone is known to exist and is not read, and only what is not given of it is read.
      - Zones not listed are read as usual.
      - Give only what is in Azure now, not what check mode only predicted.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the zone.
        type: str
        required: true
      linked_virtual_networks:
        description:
          - Resource ids of the virtual networks linked to the zone, as M(privnet.azure.private_dns_zone) returns
            them - RV(privnet.azure.private_dns_zone#module:links[].virtual_network_id) of every link that exists
            after its task, that is whose RV(privnet.azure.private_dns_zone#module:links[].action) is not V(deleted)
            and that has an RV(privnet.azure.private_dns_zone#module:links[].id) (a link it was asked to remove and
            did not find has none). Given, the zone's links are not listed.
        type: list
        elements: str
      records:
        description:
          - Every record set of the zone, as M(privnet.azure.private_dns_records) returns them with
            O(privnet.azure.private_dns_records#module:return_zone_records=true)
            (RV(privnet.azure.private_dns_records#module:zone_records)), each a dict with C(name), C(type) (default
            V(A)) and C(values); other keys are ignored. Given, the zone's record sets are not listed.
          - The whole zone, not only the records one task wrote, since stale records are looked for among them.
        type: list
        elements: dict
  public_network_access:
    description:
      - The registry's public network access as an earlier task returned it
        (RV(privnet.azure.acr_network#module:registry.public_network_access) of M(privnet.azure.acr_network),
        V(Enabled) or V(Disabled)). Given, the registry is not read for O(check_public_access).
      - Ignored for a target that is not a container registry, and with O(check_public_access=false).
    type: str
notes:
  - Asking a server checks what it answers, not whether VMs or on-premises clients can reach it (routes, NSGs,
    firewalls).
  - In check mode, an endpoint that does not exist yet (an earlier task of the run only predicted it) is
    not verified; the module warns and returns RV(ok=false) without findings, whatever O(fail_on) says.
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.attributes.info_module
seealso:
  - module: privnet.azure.private_endpoint
  - module: privnet.azure.private_dns_records
"""

EXAMPLES = r"""
- name: Verify a registry's private link from the VNet's point of view
  privnet.azure.private_link_check:
    name: pe-acrprivnetdemo
    resource_group: rg-network
    resolver: 10.20.0.4
    fail_on: error
  register: check

- name: Show what a VM in the VNet resolves
  ansible.builtin.debug:
    msg: "{{ item.fqdn }} -> {{ item.resolves_to | join(', ') }} (expected {{ item.private_ip }})"
  loop: "{{ check.names }}"

# A spoke with custom DNS servers that uses the hub's endpoint; the controller reaches the spoke's DNS server and
# the hub resolver's inbound endpoint through forwarded ports.
- name: Verify what VMs in the spoke and on-premises clients resolve
  privnet.azure.private_link_check:
    name: pe-acrprivnetdemo
    resource_group: rg-network
    virtual_network: vnet-spoke2
    dns_address_map:
      10.62.1.10: 127.0.0.1:10053
      10.60.0.4: 127.0.0.1:20053
    inbound_endpoint_addresses: "{{ hub_resolver.dns_resolver.inbound_ip_addresses }}"
    fail_on: error

# After the tasks that wrote them (registered as endpoint, zone, records, registry and, from
# privnet.azure.virtual_network_dns_servers, vnet_dns), without reading them again.
- name: Verify what the procedure's tasks returned
  privnet.azure.private_link_check:
    name: pe-acrprivnetdemo
    resource_group: rg-network
    endpoint: "{{ endpoint.private_endpoint }}"
    zones:
      - name: privatelink.azurecr.io
        linked_virtual_networks: >-
          {{ zone.links | rejectattr('action', 'eq', 'deleted') | selectattr('id') | map(attribute='virtual_network_id') }}
        records: "{{ records.zone_records }}"
    public_network_access: "{{ registry.registry.public_network_access }}"
    virtual_network_dns_servers: "{{ vnet_dns.virtual_network.dns_servers }}"
    fail_on: error
"""

RETURN = r"""
ok:
  description: True when there is no finding of severity C(error) or C(warning).
  returned: always
  type: bool
findings:
  description: What is wrong, worst first.
  returned: always
  type: list
  elements: dict
  contains:
    severity:
      description: C(error) (private access broken), C(warning) (works, but not as documented).
      type: str
    check:
      description: >-
        Which check: C(connection), C(zone), C(zone_link), C(record), C(stale_record), C(resolution),
        C(custom_dns) (the virtual network's custom DNS servers), C(inbound_endpoint), C(public_access),
        C(members).
      type: str
    subject:
      description: The name, zone or resource the finding is about.
      type: str
    message:
      description: What was found.
      type: str
    fix:
      description: How to fix it.
      type: str
names:
  description: One row per public name of the endpoint's members.
  returned: always
  type: list
  elements: dict
  contains:
    fqdn:
      description: The public name, for example C(myreg.azurecr.io).
      type: str
    member:
      description: The required member name, for example C(registry_data_westeurope).
      type: str
    private_ip:
      description: The member's private IP address.
      type: str
    record:
      description: The record name in the zone, for example C(myreg.westeurope.data).
      type: str
    record_values:
      description: The addresses the zone's record holds (empty when the record is missing).
      type: list
      elements: str
    resolves_to:
      description: The addresses O(resolver) answered (empty when not checked or not resolvable).
      type: list
      elements: str
    ok:
      description: >-
        True when the record, and every server that answered (O(resolver), the custom DNS servers, the inbound
        endpoints), gives the private IP.
      type: bool
virtual_network:
  description:
    - The virtual network whose VMs' view was checked, and the DNS servers they use.
    - RV(virtual_network.dns_servers) is null when it is not known (in check mode, a virtual network an earlier task
      only predicted).
  returned: always
  type: dict
  contains:
    id:
      description: Its resource id.
      type: str
    dns_servers:
      description: Its custom DNS servers, in order; empty for Azure-provided DNS.
      type: list
      elements: str
    azure_provided_dns:
      description: True when VMs there use Azure-provided DNS (168.63.129.16).
      type: bool
  sample: {id: /subscriptions/.../virtualNetworks/vnet-spoke2, dns_servers: [10.62.1.10], azure_provided_dns: false}
dns_answers:
  description: One row per server asked (custom DNS servers, then inbound endpoints) and public name.
  returned: always
  type: list
  elements: dict
  contains:
    server:
      description: The server's IP address, as the virtual network or the resolver lists it.
      type: str
    kind:
      description: C(custom_dns_server) (a DNS server of the virtual network) or C(inbound_endpoint).
      type: str
    asked_at:
      description: Where the controller asked it (C(address:port)).
      type: str
    fqdn:
      description: The public name asked.
      type: str
    private_ip:
      description: The member's private IP address.
      type: str
    answered:
      description: False when the server could not be asked (no answer, unreachable); nothing was verified then.
      type: bool
    resolves_to:
      description: The A addresses it answered, at the end of the CNAME chain.
      type: list
      elements: str
    error:
      description: C(NXDOMAIN), C(SERVFAIL) and the like, or why it could not be asked; null for an answer.
      type: str
    ok:
      description: True when it answered exactly the private IP.
      type: bool
zone:
  description: The zone checked, its resource group, and the virtual networks linked to it.
  returned: always
  type: dict
  sample: {name: privatelink.azurecr.io, resource_group: rg-network, exists: true, linked_virtual_networks: []}
data_zones:
  description: With O(data_zones=regional), each regional zone checked, in the same form as RV(zone).
  returned: always
  type: list
  elements: dict
  sample: [{name: westeurope.data.privatelink.azurecr.io, resource_group: rg-network, exists: true,
            linked_virtual_networks: []}]
connection_state:
  description: The endpoint's connection status (C(Approved), C(Pending), C(Rejected), C(Disconnected)).
  returned: always
  type: str
"""

import traceback

from ansible_collections.privnet.azure.plugins.module_utils._armjson import (
    CONTAINER_REGISTRY_API,
    NETWORK_API,
    PRIVATE_DNS_API,
    properties,
    ref,
)
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._dns import zone_id
from ansible_collections.privnet.azure.plugins.module_utils._dnscheck import (
    address_map,
    ask,
    parse_server_address,
    reached_at,
    server_ip,
    show,
)
from ansible_collections.privnet.azure.plugins.module_utils._endpoint import endpoint_result, get_endpoint, read_members
from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id, same_id
from ansible_collections.privnet.azure.plugins.module_utils._privatelink import (
    ZONE_OF_TARGET,
    public_suffixes,
    regional_data_zone,
    relative_name,
    zone_of_name,
)
from ansible_collections.privnet.azure.plugins.module_utils._resolver import AZURE_DNS, dns_servers, vnet_dns_servers
from ansible_collections.privnet.azure.plugins.module_utils._validate import dns_zone_name

SEVERITY_ORDER = {"error": 0, "warning": 1}

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    resource_group=dict(type="str", required=True),
    zone=dict(type="str"),
    zone_resource_group=dict(type="str"),
    zone_subscription_id=dict(type="str"),
    resolver=dict(type="str"),
    dns_timeout=dict(type="float", default=3),
    check_public_access=dict(type="bool", default=True),
    data_zones=dict(type="str", choices=["shared", "regional"], default="shared"),
    fail_on=dict(type="str", choices=["never", "error", "warning"], default="never"),
    endpoint=dict(type="dict"),
    zones=dict(type="list", elements="dict", options=dict(
        name=dict(type="str", required=True),
        linked_virtual_networks=dict(type="list", elements="str"),
        records=dict(type="list", elements="dict"),
    )),
    public_network_access=dict(type="str"),
    virtual_network=dict(type="str"),
    virtual_network_resource_group=dict(type="str"),
    virtual_network_dns_servers=dict(type="list", elements="str"),
    dns_address_map=dict(type="dict"),
    inbound_endpoint_addresses=dict(type="list", elements="str"),
)
ENDPOINT_HINT = ("give private_endpoint as privnet.azure.private_endpoint returned it, or an element of "
                 "private_endpoints as privnet.azure.private_endpoint_info returned it, or leave endpoint out")


class Findings(list):
    def add(self, severity, check, subject, message, fix):
        self.append({"severity": severity, "check": check, "subject": subject, "message": message, "fix": fix})

    def worst_first(self):
        return sorted(self, key=lambda f: SEVERITY_ORDER[f["severity"]])


def parse_resolver(value):
    """'10.0.0.4' or '127.0.0.1:5353' or '[::1]:53' -> (address, port); the address must be an IP
    (a VM's resolver is an address, and dnspython takes nothing else)."""
    return parse_server_address(value, "resolver")


def inbound_addresses(values):
    """O(inbound_endpoint_addresses) checked: IP addresses, each once; an empty list asks nothing, so it is refused."""
    if not values:
        raise ValueError("inbound_endpoint_addresses: is empty; give the inbound endpoints' IP addresses "
                         "(privnet.azure.dns_resolver returns them as dns_resolver.inbound_ip_addresses), or leave "
                         "the option out")
    addresses = []
    for index, value in enumerate(values):
        address = server_ip(value, f"inbound_endpoint_addresses[{index}]")
        if address in addresses:
            raise ValueError(f"inbound_endpoint_addresses[{index}]: {address} is given twice; list each address once")
        addresses.append(address)
    return addresses


def dnspython():
    """The dnspython package with its resolver, imported only when a resolver is given (a run without one does not
    pay for the import); raises ImportError when it is not installed."""
    import dns.exception
    import dns.resolver
    return dns


def given_endpoint(endpoint, name, resource_group):
    """The endpoint an earlier task returned, checked: the one this task names, with what the checks use."""
    missing = [key for key in ("name", "subnet_id", "target_id", "connection", "connection_state", "members")
               if key not in endpoint]
    if missing:
        raise ValueError(f"endpoint: has no {', '.join(missing)}; {ENDPOINT_HINT}")
    group = endpoint.get("resource_group") or (parse_resource_id(endpoint["id"], "endpoint.id").resource_group
                                               if endpoint.get("id") else None)
    if str(endpoint["name"]).lower() != name.lower() or (group and str(group).lower() != resource_group.lower()):
        raise ValueError(f"endpoint: describes private endpoint '{endpoint['name']}' (resource group '{group}'), not "
                         f"'{name}' (resource group '{resource_group}'); give the result of the task that read or wrote "
                         f"'{name}', or leave endpoint out")
    for key in ("subnet_id", "target_id"):
        if endpoint[key]:
            parse_resource_id(endpoint[key], f"endpoint.{key}")
    if not isinstance(endpoint["connection"], dict):
        raise ValueError(f"endpoint.connection: is a {type(endpoint['connection']).__name__}, not a dict; {ENDPOINT_HINT}")
    if not isinstance(endpoint["members"], list):
        raise ValueError(f"endpoint.members: is a {type(endpoint['members']).__name__}, not a list; {ENDPOINT_HINT}")
    members = []
    for index, member in enumerate(endpoint["members"]):
        if not isinstance(member, dict) or not isinstance(member.get("fqdns"), list) \
                or "private_ip" not in member or "required_member_name" not in member:
            raise ValueError(f"endpoint.members[{index}]: is not a member with required_member_name, private_ip and "
                             f"fqdns; {ENDPOINT_HINT}")
        members.append(dict(member, fqdns=[str(f).rstrip(".").lower() for f in member["fqdns"]]))
    return dict(endpoint, members=members)


def given_zones(zones):
    """{zone name: {linked_virtual_networks: [ids] or None, records: {record: [addresses]} or None}} of O(zones)."""
    known = {}
    for index, zone in enumerate(zones or []):
        option = f"zones[{index}]"
        name = dns_zone_name(zone["name"], f"{option}.name")
        if name in known:
            raise ValueError(f"{option}.name: zone '{name}' is listed twice; list each zone once")
        records = None
        if zone["records"] is not None:
            records = {}
            for number, record in enumerate(zone["records"]):
                where = f"{option}.records[{number}]"
                values = record.get("values")
                if not isinstance(record.get("name"), str) or not record["name"] or not isinstance(values, list):
                    raise ValueError(f"{where}: is not a record set with a name and a list of values; give "
                                     "zone_records as privnet.azure.private_dns_records returns them "
                                     "(return_zone_records=true)")
                if str(record.get("type") or "A").upper() == "A":
                    records[record["name"].lower()] = sorted(str(v) for v in values)
        known[name] = {"linked_virtual_networks": zone["linked_virtual_networks"], "records": records}
    return known


def resolve(address, port, name, timeout):
    """The A addresses a resolver gives for a name, following CNAMEs; [] when it has none."""
    dns = dnspython()
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [address]
    resolver.port = port
    resolver.lifetime = timeout
    try:
        return sorted(str(r) for r in resolver.resolve(name, "A"))
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.NoNameservers):
        return []


def public_zone_of(fqdn, serving):
    """The public DNS zone an on-premises or custom DNS server forwards for ``fqdn`` (C(azurecr.io) for
    C(privatelink.azurecr.io)): Learn, private-endpoint-dns-integration.md, forward the public DNS zone, not the
    privatelink one."""
    return next((suffix for suffix in public_suffixes(serving)
                 if suffix != serving and fqdn.endswith("." + suffix)), serving)


def no_answer_text(row):
    return ", ".join(row["resolves_to"]) or row["error"] or "nothing"


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    resolver = module.validated(parse_resolver, params["resolver"]) if params["resolver"] else None
    if not params["dns_timeout"] > 0:
        module.fail_json(msg=f"dns_timeout: {params['dns_timeout']} is not a number of seconds above 0; give e.g. 3")
    if params["virtual_network_resource_group"] and not params["virtual_network"]:
        module.fail_json(msg="virtual_network_resource_group: given without virtual_network; give virtual_network "
                             "too, or leave it out to check the endpoint's own virtual network")
    checked_vnet = module.resolve_id(params["virtual_network"], "virtual_network", "Microsoft.Network",
                                     "virtualNetworks", resource_group=params["virtual_network_resource_group"],
                                     name_kind="virtual_network") if params["virtual_network"] else None
    given_servers = module.validated(dns_servers, params["virtual_network_dns_servers"],
                                     "virtual_network_dns_servers") \
        if params["virtual_network_dns_servers"] is not None else None
    mapped = module.validated(address_map, params["dns_address_map"], "dns_address_map")
    inbound = module.validated(inbound_addresses, params["inbound_endpoint_addresses"]) \
        if params["inbound_endpoint_addresses"] is not None else []
    if resolver or inbound:
        try:
            dnspython()
        except ImportError:
            option = "resolver" if resolver else "inbound_endpoint_addresses"
            module.fail_json(msg=f"{option} needs the dnspython package (pip install dnspython)",
                             exception=traceback.format_exc())
    given = module.validated(given_endpoint, params["endpoint"], params["name"], params["resource_group"]) \
        if params["endpoint"] is not None else None
    known_zones = module.validated(given_zones, params["zones"])
    findings = Findings()

    # The endpoint and its members (one GET each), unless an earlier task gave them.
    if given is not None:
        summary = given
    else:
        endpoint = get_endpoint(module, params["resource_group"], params["name"])
        if endpoint is None:
            missing = (f"private endpoint '{params['name']}' was not found in resource group "
                       f"'{params['resource_group']}'")
            if not module.check_mode:
                module.fail_json(msg=f"{missing}; check name and resource_group")
            module.warn(f"{missing}: nothing to verify until a real run creates it (check mode)")
            module.exit(changed=False, ok=False, findings=[], names=[], connection_state=None, data_zones=[],
                        zone={"name": params["zone"], "resource_group": params["zone_resource_group"] or
                              params["resource_group"], "exists": None, "linked_virtual_networks": []},
                        virtual_network={"id": str(checked_vnet) if checked_vnet else None,
                                         "dns_servers": given_servers,
                                         "azure_provided_dns": None if given_servers is None else not given_servers},
                        dns_answers=[])
        summary = endpoint_result(endpoint, read_members(module, endpoint))
    members = summary["members"]
    target_id = summary["target_id"]
    target = parse_resource_id(target_id, "target") if target_id else None
    endpoint_vnet_id = str(parse_resource_id(summary["subnet_id"], "subnet").parent) if summary["subnet_id"] else None

    # The virtual network whose VMs' view is checked, and the DNS servers they use (one GET, unless given).
    vnet_id = str(checked_vnet) if checked_vnet else endpoint_vnet_id
    servers = given_servers
    if servers is None and vnet_id:
        vnet_rid = parse_resource_id(vnet_id, "virtual_network")
        where = (f"virtual network '{vnet_rid.name}' (resource group '{vnet_rid.resource_group}', subscription "
                 f"'{vnet_rid.subscription}')")
        vnet = module.arm(vnet_rid.subscription).get(vnet_id, NETWORK_API, what=f"reading {where}")
        if vnet is not None:
            servers = vnet_dns_servers(vnet)
        elif checked_vnet and not module.check_mode:
            module.fail_json(msg=f"virtual_network: {where} was not found; check virtual_network and "
                                 "virtual_network_resource_group")
        else:
            module.warn(f"{where} was not found: its DNS servers are not known, so only Azure-provided DNS is "
                        "checked" + (" (check mode: an earlier task may only have predicted it)"
                                     if module.check_mode else ""))
    vnet_name = parse_resource_id(vnet_id).name if vnet_id else None
    # Custom DNS servers answer the VMs; the private DNS zones linked to the virtual network do not (Learn,
    # virtual-network/virtual-networks-name-resolution-for-vms-and-role-instances.md, "Specifying DNS servers";
    # dns/dns-private-resolver-overview.md). 168.63.129.16 listed as a server is Azure DNS itself.
    custom = [s for s in servers or [] if s != AZURE_DNS or s in mapped]
    zone_link_decides = not servers or AZURE_DNS in servers

    if summary["connection_state"] != "Approved":
        findings.add("error", "connection", summary["connection"]["name"] or params["name"],
                     f"the connection is {summary['connection_state']}: no traffic flows until it is Approved",
                     "approve it on the target (for a registry: privnet.azure.acr_private_endpoint_connection "
                     "state=approved)")
    if not members:
        findings.add("error", "members", params["name"], "the endpoint's network interface has no members yet",
                     "wait for the endpoint to finish provisioning, then check again")

    # The zone: exists, linked to the checked VNet (when its VMs use Azure DNS), records match the members.
    # By default the zone Microsoft documents for the members' names in their cloud (privatelink.azurecr.us
    # for <reg>.azurecr.us), else for the target's kind.
    known = [zone_of_name(fqdn) for member in members for fqdn in member["fqdns"] or []]
    zone = (params["zone"] or next((z for z in known if z), None)
            or ZONE_OF_TARGET.get(target.full_type.lower() if target else "", "")).lower()
    if not zone:
        module.fail_json(msg=f"zone: no default private DNS zone is known for target {target_id}; give zone")
    zone_rg = params["zone_resource_group"] or params["resource_group"]
    zone_subscription = params["zone_subscription_id"] or module.subscription_id
    read_zones = {}

    def read_zone(name):
        """(exists, linked VNet ids, {record: [addresses]}), each zone read once (only what O(zones) does not give),
        its findings added."""
        if name in read_zones:
            return read_zones[name]
        rid = zone_id(zone_subscription, zone_rg, name)
        privatedns = module.arm(zone_subscription)
        given_zone = known_zones.get(name, {})
        linked_ids, found = given_zone.get("linked_virtual_networks"), given_zone.get("records")
        if linked_ids is not None or found is not None:
            exists = True  # an earlier task read or wrote its links or records
        else:
            exists = privatedns.get(str(rid), PRIVATE_DNS_API, what=f"reading private DNS zone '{name}'") is not None
        if not exists:
            linked_ids, found = [], {}
            findings.add("error", "zone", name, f"private DNS zone '{name}' does not exist in resource group '{zone_rg}'",
                         "create it with privnet.azure.private_dns_zone, linked to the endpoint's virtual network")
        else:
            if linked_ids is None:
                links = privatedns.list(f"{rid}/virtualNetworkLinks", PRIVATE_DNS_API,
                                        what=f"listing the virtual network links of zone '{name}'")
                linked_ids = [ref(properties(link).get("virtualNetwork")) for link in links
                              if ref(properties(link).get("virtualNetwork"))]
            if vnet_id and zone_link_decides and not any(same_id(vnet_id, v) for v in linked_ids):
                findings.add("error", "zone_link", name,
                             f"zone '{name}' is not linked to virtual network '{vnet_name}': VMs there resolve the "
                             "public address",
                             "add the virtual network to the zone's links with privnet.azure.private_dns_zone")
            if found is None:
                found = {}
                for record_set in privatedns.list(f"{rid}/ALL", PRIVATE_DNS_API,
                                                  what=f"listing the record sets of zone '{name}'"):
                    a_records = properties(record_set).get("aRecords")
                    if a_records is not None and record_set.get("name"):
                        found[record_set["name"].lower()] = sorted(a.get("ipv4Address") for a in a_records)
        read_zones[name] = (exists, linked_ids, found)
        return read_zones[name]

    zone_exists, linked, records = read_zone(zone)
    names, expected, serving_of = [], set(), {}
    for member in members:
        for fqdn in member["fqdns"]:
            # With regional data zones, a data endpoint's record lives in {region}.data.privatelink.azurecr.io.
            serving = (params["data_zones"] == "regional" and regional_data_zone(fqdn)) or zone
            serving_exists, _linked, serving_records = read_zone(serving)
            record = relative_name(fqdn, public_suffixes(serving))
            if record is None:
                continue
            if serving == zone:
                expected.add(record)
            serving_of[fqdn] = serving
            values = serving_records.get(record, [])
            row = {"fqdn": fqdn, "member": member["required_member_name"], "private_ip": member["private_ip"],
                   "record": record, "record_values": values, "resolves_to": [], "ok": values == [member["private_ip"]]}
            if serving_exists and not values:
                findings.add("error", "record", fqdn, f"zone '{serving}' has no A record '{record}'",
                             f"add '{record}' -> {member['private_ip']} with privnet.azure.private_dns_records")
            elif serving_exists and values != [member["private_ip"]]:
                findings.add("error", "record", fqdn,
                             f"record '{record}' holds {', '.join(values)}, not the endpoint's {member['private_ip']}",
                             f"set '{record}' to {member['private_ip']} with privnet.azure.private_dns_records")
            if resolver:
                try:
                    row["resolves_to"] = resolve(resolver[0], resolver[1], fqdn, params["dns_timeout"])
                except dnspython().exception.DNSException as exc:
                    module.fail_json(msg=f"resolver {params['resolver']} did not answer for {fqdn}: {exc}")
                if row["resolves_to"] != [member["private_ip"]]:
                    row["ok"] = False
                    answer = ", ".join(row["resolves_to"]) or "nothing"
                    findings.add("error", "resolution", fqdn,
                                 f"a VM in the virtual network resolves {fqdn} to {answer}, not {member['private_ip']}",
                                 "fix the zone's record and link; a custom DNS server must forward to Azure DNS "
                                 "(168.63.129.16)")
            names.append(row)

    # What the servers VMs and on-premises clients really use answer: the virtual network's custom DNS servers, then
    # the inbound endpoints on-premises DNS servers forward to.
    dns_answers = []
    to_ask = [("custom_dns_server", ip) for ip in custom] + [("inbound_endpoint", ip) for ip in inbound]
    if to_ask and names:
        try:
            dnspython()
        except ImportError:
            to_ask = []  # only custom servers can be left here: resolver and inbound fail above without dnspython
            findings.add("warning", "custom_dns", vnet_name,
                         f"VMs in virtual network '{vnet_name}' use custom DNS servers {', '.join(custom)}; without "
                         "the dnspython package they were not asked, so resolution through them was not verified",
                         "install dnspython on the controller (pip install dnspython) and check again")
    for kind, ip in to_ask:
        address, port = reached_at(ip, mapped)
        silent, first = None, None
        for row in names:
            if silent is None:
                answer = ask(address, port, row["fqdn"], params["dns_timeout"])
            else:  # one name unanswered: the server is not asked again
                answer = {"answered": False, "resolves_to": [], "error": f"not asked ({silent})"}
            ok = answer["answered"] and answer["resolves_to"] == [row["private_ip"]]
            dns_answers.append({"server": ip, "kind": kind, "asked_at": show(address, port), "fqdn": row["fqdn"],
                                "private_ip": row["private_ip"], "answered": answer["answered"],
                                "resolves_to": answer["resolves_to"], "error": answer["error"], "ok": ok})
            if answer["answered"] and not ok:
                row["ok"] = False
            if not answer["answered"] and silent is None:
                silent = f"no answer for {row['fqdn']}: {answer['error']}"
                first = row
        if silent is not None:
            if kind == "custom_dns_server":
                findings.add("warning", "custom_dns", ip,
                             f"DNS server {ip} of virtual network '{vnet_name}' could not be asked at "
                             f"{show(address, port)} ({answer_error(dns_answers, ip, kind)}): resolution of the "
                             "endpoint's names through it was not verified",
                             f"on a VM in '{vnet_name}', run 'nslookup {first['fqdn']} {ip}' and compare with "
                             f"{first['private_ip']}; or give dns_address_map with an address where the controller "
                             f"reaches {ip}")
            else:
                findings.add("warning", "inbound_endpoint", ip,
                             f"inbound endpoint {ip} could not be asked at {show(address, port)} "
                             f"({answer_error(dns_answers, ip, kind)}): what on-premises clients resolve through it "
                             "was not verified",
                             f"from an on-premises host, run 'nslookup {first['fqdn']} {ip}' and compare with "
                             f"{first['private_ip']}; or give dns_address_map with an address where the controller "
                             f"reaches {ip}")

    # One finding per name and kind of server, naming each server that answered something else.
    for row in names:
        serving = serving_of[row["fqdn"]]
        public_zone = public_zone_of(row["fqdn"], serving)
        linked_names = ", ".join(parse_resource_id(v).name for v in read_zones[serving][1] or []) or "none"
        for kind in ("custom_dns_server", "inbound_endpoint"):
            wrong = [a for a in dns_answers if a["kind"] == kind and a["fqdn"] == row["fqdn"] and a["answered"]
                     and not a["ok"]]
            if not wrong:
                continue
            answers = "; ".join(f"{a['server']} answers {no_answer_text(a)}" for a in wrong)
            if kind == "custom_dns_server":
                # Learn, private-link/private-endpoint-dns-integration.md: a DNS forwarder must send the query to
                # Azure DNS (168.63.129.16) from a virtual network linked to the private DNS zone, and conditional
                # forwarders name the public DNS zone (azurecr.io), not the privatelink one; an inbound endpoint of a
                # DNS Private Resolver answers as Azure DNS for its virtual network (dns-private-resolver-overview.md).
                findings.add(
                    "error", "custom_dns", row["fqdn"],
                    f"VMs in virtual network '{vnet_name}' use custom DNS servers {', '.join(servers)}, so the zone's "
                    f"links do not decide what they get: {answers}, not the endpoint's {row['private_ip']}",
                    f"make the custom DNS servers resolve '{public_zone}' through Azure DNS from a virtual network "
                    f"linked to zone '{serving}' (linked now: {linked_names}): forward to 168.63.129.16 from such a "
                    "virtual network (a server that already forwards to 168.63.129.16 from its own virtual network "
                    "needs that network linked to the zone, privnet.azure.private_dns_zone links), or add a "
                    f"conditional forwarder for '{public_zone}' (the public zone, not '{serving}') to the inbound "
                    "endpoint IP of a DNS Private Resolver in a linked virtual network (privnet.azure.dns_resolver "
                    "inbound_ip_addresses); or set that inbound endpoint IP as the virtual network's DNS server "
                    "(privnet.azure.virtual_network_dns_servers)")
            else:
                findings.add(
                    "error", "inbound_endpoint", row["fqdn"],
                    f"on-premises clients whose DNS servers forward to inbound endpoint(s) get {answers}, not the "
                    f"endpoint's {row['private_ip']}",
                    f"an inbound endpoint answers as Azure DNS for its resolver's virtual network: link zone "
                    f"'{serving}' (linked now: {linked_names}) to that virtual network with "
                    f"privnet.azure.private_dns_zone, and have on-premises DNS servers conditional-forward "
                    f"'{public_zone}' (the public zone, not '{serving}') to the inbound endpoint's IP")

    # Stale records: the target's own names that no member needs any more (a removed replica).
    if target is not None and target.full_type.lower() == "microsoft.containerregistry/registries":
        prefix = target.name.lower()
        for record in sorted(records):
            if (record == prefix or (record.startswith(prefix + ".") and record.endswith(".data"))) \
                    and record not in expected:
                findings.add("warning", "stale_record", f"{record}.{zone}",
                             f"record '{record}' serves no member of this endpoint (a removed replica?)",
                             "delete it (privnet.azure.private_dns_records state=absent); stale records give "
                             "'unresolvable host' errors")
        if params["check_public_access"]:
            public = params["public_network_access"]
            if public is None:  # not given: read the registry
                registry = module.arm(target.subscription).get(str(target), CONTAINER_REGISTRY_API,
                                                               what=f"reading registry '{target.name}'")
                public = properties(registry).get("publicNetworkAccess")
            if public is not None and str(public).lower() == "enabled":
                findings.add("warning", "public_access", target.name,
                             "public network access is still enabled: the registry is reachable from outside "
                             "the virtual network", "disable it with privnet.azure.acr_network "
                             "public_network_access=Disabled")

    findings = findings.worst_first()
    result = dict(
        ok=not findings,
        findings=findings,
        names=names,
        zone={"name": zone, "resource_group": zone_rg, "exists": zone_exists, "linked_virtual_networks": linked},
        data_zones=[{"name": name, "resource_group": zone_rg, "exists": exists, "linked_virtual_networks": linked_ids}
                    for name, (exists, linked_ids, _found) in read_zones.items() if name != zone],
        connection_state=summary["connection_state"],
        virtual_network={"id": vnet_id, "dns_servers": servers,
                         "azure_provided_dns": None if servers is None else not servers},
        dns_answers=dns_answers,
    )
    threshold = {"never": -1, "error": 0, "warning": 1}[params["fail_on"]]
    failing = [f for f in findings if SEVERITY_ORDER[f["severity"]] <= threshold]
    if failing:
        module.fail_json(msg=f"{len(failing)} finding(s) at or above '{params['fail_on']}': "
                             + "; ".join(f"{f['subject']}: {f['message']}" for f in failing), **result)
    module.exit(changed=False, **result)


def answer_error(answers, ip, kind):
    """The reason the first unanswered question to server ``ip`` gave."""
    return next(a["error"] for a in answers if a["server"] == ip and a["kind"] == kind and not a["answered"])


if __name__ == "__main__":
    main()
