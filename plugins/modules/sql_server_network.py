#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: sql_server_network
short_description: Set the network access of an Azure SQL logical server (public access, firewall and virtual network rules)
version_added: 0.1.0
description:
  - Sets who may reach an existing Azure SQL Database logical server over its public endpoint, the service-side
    half of a service endpoint or Private Link setup (C(az sql server update --enable-public-network),
    C(az sql server firewall-rule create/delete), C(az sql server vnet-rule create/delete)).
  - Public network access is a property of the server, changed with one C(PATCH); firewall rules and virtual
    network rules are child resources, each written (C(PUT)) or removed (C(DELETE)) on its own, and only those
    that differ. Every other server property is left as it is. Run again with the same options, the module reads
    the server and its rules and writes nothing.
  - A virtual network rule whose subnet lacks the C(Microsoft.Sql) service endpoint is refused before anything
    is written, with a message naming the subnet and the fix (M(privnet.azure.service_endpoint)), unless the rule
    sets O(virtual_network_rules[].ignore_missing_vnet_service_endpoint=true).
  - Azure refuses to add or change firewall and virtual network rules while public network access is disabled.
    The module orders its writes for that (public access turned on before the rules are written, turned off
    after), and refuses, before anything is written, rules to add to a server that stays closed.
author:
  - privnet maintainers (!UNKNOWN)
options:
  name:
    description:
      - Name of the SQL server, in O(resource_group), or its resource id
        (C(/subscriptions/<sub>/resourceGroups/<group>/providers/Microsoft.Sql/servers/<name>)).
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the SQL server; needed when O(name) is a name.
    type: str
  public_network_access:
    description:
      - Whether the server answers on its public endpoint.
      - V(Disabled) leaves only private endpoints; firewall and virtual network rules then let nothing in.
      - Not changed when not given.
    type: str
    choices: [Enabled, Disabled]
  firewall_rules:
    description:
      - Server-level IPv4 firewall rules, each a name and a range of addresses.
      - Matched by name (case-insensitively); a rule whose range differs is written again.
      - The rule named C(AllowAllWindowsAzureIps) from V(0.0.0.0) to V(0.0.0.0) is Azure's setting "Allow Azure
        services and resources to access this server".
      - Not changed when not given; V([]) removes every rule when O(purge_firewall_rules=true).
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the rule.
        type: str
        required: true
      start_ip_address:
        description: First IPv4 address of the range.
        type: str
        required: true
      end_ip_address:
        description: Last IPv4 address of the range (equal to O(firewall_rules[].start_ip_address) for one address).
        type: str
        required: true
  purge_firewall_rules:
    description:
      - With V(true), O(firewall_rules) is the whole list; rules with other names are removed.
      - With V(false), the rules in O(firewall_rules) are added or updated and the others are kept.
      - Has no effect when O(firewall_rules) is not given.
    type: bool
    default: true
  virtual_network_rules:
    description:
      - Virtual network rules, each a name and the id of a subnet allowed on the public endpoint (through its
        service endpoint).
      - Matched by name (case-insensitively); a rule whose subnet differs is written again.
      - Not changed when not given; V([]) removes every rule when O(purge_virtual_network_rules=true).
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the rule.
        type: str
        required: true
      subnet_id:
        description:
          - Resource id of the subnet.
          - It must have the C(Microsoft.Sql) service endpoint, unless
            O(virtual_network_rules[].ignore_missing_vnet_service_endpoint=true).
        type: str
        required: true
      ignore_missing_vnet_service_endpoint:
        description:
          - Create the rule before the subnet has its C(Microsoft.Sql) service endpoint (the module then warns
            instead of refusing). Used when the rule is written; not compared afterwards.
        type: bool
        default: false
  purge_virtual_network_rules:
    description:
      - With V(true), O(virtual_network_rules) is the whole list; rules with other names are removed.
      - With V(false), the rules in O(virtual_network_rules) are added or updated and the others are kept.
      - Has no effect when O(virtual_network_rules) is not given.
    type: bool
    default: true
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
      - The diff shows the options you set, before and after; rule lists whole, sorted by name.
  idempotent:
    support: full
notes:
  - The rules govern the server's public endpoint only; private endpoints are not subject to them.
  - Database-level firewall rules and IPv6 firewall rules are not managed.
  - Uses the Azure Resource Manager API of C(Microsoft.Sql/servers) at api-version 2023-08-01.
seealso:
  - module: privnet.azure.service_endpoint
  - module: privnet.azure.storage_account_network
  - module: privnet.azure.key_vault_network
  - name: Virtual network service endpoints and rules for servers in Azure SQL Database
    description: What a virtual network rule needs, and the Microsoft.Sql service endpoint.
    link: https://learn.microsoft.com/azure/azure-sql/database/vnet-service-endpoint-rule-overview
  - name: Azure SQL Database and Azure Synapse IP firewall rules
    description: Server-level firewall rules, and the rule that lets Azure services in.
    link: https://learn.microsoft.com/azure/azure-sql/database/firewall-configure
  - name: Azure SQL connectivity settings
    description: What denying public network access does.
    link: https://learn.microsoft.com/azure/azure-sql/database/connectivity-settings
"""

EXAMPLES = r"""
- name: Let the application subnet and the office in
  privnet.azure.sql_server_network:
    resource_group: rg-data
    name: sql-privnet-demo
    public_network_access: Enabled
    firewall_rules:
      - {name: office, start_ip_address: 203.0.113.0, end_ip_address: 203.0.113.255}
    virtual_network_rules:
      - name: snet-app
        subnet_id: "{{ vnet_id }}/subnets/snet-app"
  vars:
    vnet_id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub

- name: Add one rule and keep the others
  privnet.azure.sql_server_network:
    resource_group: rg-data
    name: sql-privnet-demo
    firewall_rules:
      - {name: build-agent, start_ip_address: 198.51.100.7, end_ip_address: 198.51.100.7}
    purge_firewall_rules: false

- name: Close the public endpoint once the private endpoint is approved
  privnet.azure.sql_server_network:
    resource_group: rg-data
    name: sql-privnet-demo
    public_network_access: Disabled
"""

RETURN = r"""
network:
  description: The server's network settings after the change; in check mode, as they would be.
  returned: success
  type: dict
  contains:
    id:
      description: Resource id of the SQL server.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-data/providers/Microsoft.Sql/servers/sql-privnet-demo
    name:
      description: Name of the SQL server.
      type: str
      returned: always
      sample: sql-privnet-demo
    resource_group:
      description: Resource group of the SQL server.
      type: str
      returned: always
      sample: rg-data
    public_network_access:
      description: V(Enabled) or V(Disabled) (or V(SecuredByPerimeter)); null when Azure does not report it.
      type: str
      returned: always
      sample: Enabled
    firewall_rules:
      description: The server-level firewall rules, sorted by name.
      type: list
      elements: dict
      returned: always
      contains:
        name:
          description: Name of the rule.
          type: str
          returned: always
          sample: office
        start_ip_address:
          description: First address of the range.
          type: str
          returned: always
          sample: 203.0.113.0
        end_ip_address:
          description: Last address of the range.
          type: str
          returned: always
          sample: 203.0.113.255
    virtual_network_rules:
      description: The virtual network rules, sorted by name.
      type: list
      elements: dict
      returned: always
      contains:
        name:
          description: Name of the rule.
          type: str
          returned: always
          sample: snet-app
        subnet_id:
          description: Resource id of the subnet.
          type: str
          returned: always
          sample: >-
            /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-app
        ignore_missing_vnet_service_endpoint:
          description: Whether the rule was created without checking the subnet's service endpoint.
          type: bool
          returned: always
          sample: false
        state:
          description: State of the rule as Azure reports it (V(Ready), V(InProgress), ...); null when predicted.
          type: str
          returned: always
          sample: Ready
"""

import ipaddress

from ansible_collections.privnet.azure.plugins.module_utils._arm import ArmResources
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import ci, compare
from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._netrules import (
    SQL_ENDPOINTS,
    endpoint_problem,
    firewall_address,
    id_key,
    subnet_id,
)
from ansible_collections.privnet.azure.plugins.module_utils._subnet import get_subnet

PROVIDER = "Microsoft.Sql"
TYPE = "servers"
API_VERSION = "2023-08-01"
# firewall-configure.md: the rule from 0.0.0.0 to 0.0.0.0, named so by the portal and az, is the setting
# "Allow Azure services and resources to access this server".
AZURE_SERVICES_RULE = "AllowAllWindowsAzureIps"

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    resource_group=dict(type="str"),
    public_network_access=dict(type="str", choices=["Enabled", "Disabled"]),
    firewall_rules=dict(type="list", elements="dict", options=dict(
        name=dict(type="str", required=True),
        start_ip_address=dict(type="str", required=True),
        end_ip_address=dict(type="str", required=True),
    )),
    purge_firewall_rules=dict(type="bool", default=True),
    virtual_network_rules=dict(type="list", elements="dict", options=dict(
        name=dict(type="str", required=True),
        subnet_id=dict(type="str", required=True),
        ignore_missing_vnet_service_endpoint=dict(type="bool", default=False),
    )),
    purge_virtual_network_rules=dict(type="bool", default=True),
)


def describe(rid) -> str:
    return f"SQL server '{rid.name}' (resource group '{rid.resource_group}')"


def firewall_view(rule: dict) -> dict:
    props = rule.get("properties") or {}
    return {"name": rule.get("name"), "start_ip_address": props.get("startIpAddress"),
            "end_ip_address": props.get("endIpAddress")}


def vnet_view(rule: dict) -> dict:
    props = rule.get("properties") or {}
    return {"name": rule.get("name"), "subnet_id": props.get("virtualNetworkSubnetId"),
            "ignore_missing_vnet_service_endpoint": bool(props.get("ignoreMissingVnetServiceEndpoint")),
            "state": props.get("state")}


def by_name(rules):
    return sorted(rules, key=lambda r: str(r["name"]).lower())


def firewall_key(rules):
    """Normaliser: firewall rules compared by name (case-insensitively) and range."""
    return sorted((str(r["name"]).lower(), r["start_ip_address"], r["end_ip_address"]) for r in rules or [])


def vnet_key(rules):
    """Normaliser: virtual network rules compared by name (case-insensitively) and subnet id."""
    return sorted((str(r["name"]).lower(), id_key(r["subnet_id"])) for r in rules or [])


def comparable_vnet(rules):
    return [{"name": r["name"], "subnet_id": r["subnet_id"]} for r in rules]


def merge_named(given, current, purge):
    """The rules to hold: ``given`` with purge, else ``current`` with the given ones replacing those of the same
    name, plus the new ones."""
    if purge:
        return list(given)
    wanted = {str(r["name"]).lower(): r for r in given}
    kept = [wanted.pop(str(r["name"]).lower(), r) for r in current]
    return kept + [r for r in given if str(r["name"]).lower() in wanted]


def validate_firewall_rules(rules):
    """Canonical firewall rules; raises ValueError naming the item."""
    result, names = [], set()
    for index, rule in enumerate(rules):
        option = f"firewall_rules[{index}]"
        start = firewall_address(rule["start_ip_address"], f"{option}.start_ip_address")
        end = firewall_address(rule["end_ip_address"], f"{option}.end_ip_address")
        if ipaddress.ip_address(start) > ipaddress.ip_address(end):
            raise ValueError(f"{option}: start_ip_address {start} is after end_ip_address {end}; give the lower "
                             "address first")
        name = rule["name"].strip()
        if name.lower() in names:
            raise ValueError(f"{option}.name: {name!r} is given twice; rule names are unique on a server")
        names.add(name.lower())
        result.append({"name": name, "start_ip_address": start, "end_ip_address": end})
    return result


def validate_vnet_rules(rules):
    result, names = [], set()
    for index, rule in enumerate(rules):
        option = f"virtual_network_rules[{index}]"
        subnet_id(rule["subnet_id"], f"{option}.subnet_id")
        name = rule["name"].strip()
        if name.lower() in names:
            raise ValueError(f"{option}.name: {name!r} is given twice; rule names are unique on a server")
        names.add(name.lower())
        result.append({"name": name, "subnet_id": rule["subnet_id"].strip(),
                       "ignore_missing_vnet_service_endpoint": rule["ignore_missing_vnet_service_endpoint"],
                       "state": None})
    return result


def rule_changes(desired, current, key):
    """(to write, to delete) between two lists of named rules, ``key`` giving what is compared."""
    have = {str(r["name"]).lower(): r for r in current}
    want = {str(r["name"]).lower() for r in desired}
    put = [r for r in desired if str(r["name"]).lower() not in have or key([r]) != key([have[str(r["name"]).lower()]])]
    delete = [r for r in current if str(r["name"]).lower() not in want]
    return put, delete


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True)
    params = module.params

    # 1. Validate, before any call to Azure.
    rid = module.resolve_id(params["name"], "name", PROVIDER, TYPE, name_kind="sql_server")
    given_firewall = None
    if params["firewall_rules"] is not None:
        given_firewall = module.validated(validate_firewall_rules, params["firewall_rules"])
    given_vnet = None
    if params["virtual_network_rules"] is not None:
        given_vnet = module.validated(validate_vnet_rules, params["virtual_network_rules"])

    # 2. Read the server and its rules.
    arm = ArmResources(module, subscription_id=rid.subscription)
    server = arm.get(str(rid), API_VERSION, what=f"reading {describe(rid)}")
    if server is None:
        module.fail_json(msg=f"{describe(rid)} was not found in subscription '{rid.subscription}'; create it first, "
                             "or fix name and resource_group")
    before = {
        "id": server.get("id"),
        "name": server.get("name"),
        "resource_group": parse_resource_id(server["id"]).resource_group if server.get("id") else rid.resource_group,
        "public_network_access": (server.get("properties") or {}).get("publicNetworkAccess"),
        # Both lists are read whatever was given: the result reports them.
        "firewall_rules": by_name(firewall_view(r) for r in arm.list(
            f"{rid}/firewallRules", API_VERSION, what=f"listing the firewall rules of {describe(rid)}")),
        "virtual_network_rules": by_name(vnet_view(r) for r in arm.list(
            f"{rid}/virtualNetworkRules", API_VERSION, what=f"listing the virtual network rules of {describe(rid)}")),
    }

    # 3. Compare what the user set.
    desired_firewall = desired_vnet = None
    fw_put = fw_delete = vnet_put = vnet_delete = []
    if given_firewall is not None:
        desired_firewall = by_name(merge_named(given_firewall, before["firewall_rules"],
                                               params["purge_firewall_rules"]))
        fw_put, fw_delete = rule_changes(desired_firewall, before["firewall_rules"], firewall_key)
    if given_vnet is not None:
        desired_vnet = by_name(merge_named(given_vnet, before["virtual_network_rules"],
                                           params["purge_virtual_network_rules"]))
        vnet_put, vnet_delete = rule_changes(desired_vnet, before["virtual_network_rules"], vnet_key)
    desired = {"public_network_access": params["public_network_access"], "firewall_rules": desired_firewall,
               "virtual_network_rules": comparable_vnet(desired_vnet) if desired_vnet is not None else None}
    current = dict(before, virtual_network_rules=comparable_vnet(before["virtual_network_rules"]))
    difference = compare(desired, current, normalisers={
        "public_network_access": ci, "firewall_rules": firewall_key, "virtual_network_rules": vnet_key})

    # A rule to write needs the subnet's Microsoft.Sql endpoint (unless told to ignore it): refused before any write.
    target = f"SQL server '{rid.name}'"
    for rule in vnet_put:
        subnet_rid = subnet_id(rule["subnet_id"])
        problem = endpoint_problem(get_subnet(module, subnet_rid), subnet_rid, SQL_ENDPOINTS, target,
                                   f"virtual_network_rules[{rule['name']}]")
        if problem and not rule["ignore_missing_vnet_service_endpoint"]:
            module.fail_json(msg=problem + " Or set ignore_missing_vnet_service_endpoint: true to create the rule "
                                           "before the endpoint.")
        if problem:
            module.warn(f"virtual network rule '{rule['name']}' of {target} is {'to be ' if module.check_mode else ''}"
                        f"created before its subnet has the Microsoft.Sql service endpoint "
                        "(ignore_missing_vnet_service_endpoint): it admits the subnet's traffic only once the "
                        "endpoint is added (privnet.azure.service_endpoint).")

    # Azure refuses firewall and virtual network rule writes while public network access is disabled
    # (azure-rest-api-specs Microsoft.Sql 2023-08-01: FirewallRules.json 400 DenyPublicEndpointEnabled,
    # VirtualNetworkRules.json 400 FirewallChangesDeniedBecausePublicEndpointDisabled).
    closed_now = str(before["public_network_access"]).lower() == "disabled"
    closed_after = str(params["public_network_access"] or before["public_network_access"]).lower() == "disabled"
    if (fw_put or vnet_put) and closed_now and closed_after:
        which = "firewall_rules" if fw_put else "virtual_network_rules"
        module.fail_json(msg=f"{which}: public network access of {describe(rid)} is Disabled, and Azure refuses to "
                             "add or change firewall and virtual network rules then (DenyPublicEndpointEnabled). "
                             "Nothing was changed. Set public_network_access: Enabled in this task, or leave the "
                             "rules out while the server is closed.")

    # 4. Apply (not in check mode): public access first when it opens, last when it closes.
    after = dict(before)
    if "public_network_access" in difference.changed_keys:
        after["public_network_access"] = params["public_network_access"]
    if desired_firewall is not None:
        after["firewall_rules"] = desired_firewall
    if desired_vnet is not None:
        # Rules left as they are show what Azure holds (their state and flag); written ones what was sent.
        unchanged = {str(r["name"]).lower(): r for r in before["virtual_network_rules"]}
        for rule in vnet_put:
            unchanged.pop(str(rule["name"]).lower(), None)
        after["virtual_network_rules"] = [unchanged.get(str(r["name"]).lower(), r) for r in desired_vnet]
    warn_consequences(module, rid, before, after, difference, fw_delete)
    if difference.changed and not module.check_mode:
        opens = "public_network_access" in difference.changed_keys and not closed_after
        if opens:
            patch_server(module, arm, rid, params["public_network_access"], must_wait=bool(fw_put or vnet_put))
        written = write_rules(arm, rid, fw_put, fw_delete, vnet_put, vnet_delete)
        if written:
            after["virtual_network_rules"] = [dict(r, state=written.get(str(r["name"]).lower(), r.get("state")))
                                              for r in after["virtual_network_rules"]]
        if "public_network_access" in difference.changed_keys and not opens:
            patch_server(module, arm, rid, params["public_network_access"])

    # 5. Return.
    module.exit(changed=difference.changed, diff=difference, network=after)


def patch_server(module, arm, rid, value, must_wait=False):
    arm.patch(str(rid), API_VERSION, {"properties": {"publicNetworkAccess": value}},
              what=f"setting public network access of {describe(rid)} to {value}", must_wait=must_wait)


def write_rules(arm, rid, fw_put, fw_delete, vnet_put, vnet_delete):
    """Removals first (a subnet may move to a rule of another name), then writes. Returns the state Azure
    reports for each virtual network rule written, by lower-cased name."""
    for rule in fw_delete:
        arm.delete(f"{rid}/firewallRules/{rule['name']}", API_VERSION,
                   what=f"deleting firewall rule '{rule['name']}' of {describe(rid)}")
    for rule in vnet_delete:
        arm.delete(f"{rid}/virtualNetworkRules/{rule['name']}", API_VERSION,
                   what=f"deleting virtual network rule '{rule['name']}' of {describe(rid)}", must_wait=bool(vnet_put))
    for rule in fw_put:
        arm.put(f"{rid}/firewallRules/{rule['name']}", API_VERSION,
                {"properties": {"startIpAddress": rule["start_ip_address"], "endIpAddress": rule["end_ip_address"]}},
                what=f"writing firewall rule '{rule['name']}' of {describe(rid)}")
    states = {}
    for rule in vnet_put:
        result = arm.put(f"{rid}/virtualNetworkRules/{rule['name']}", API_VERSION,
                         {"properties": {"virtualNetworkSubnetId": rule["subnet_id"],
                                         "ignoreMissingVnetServiceEndpoint": rule["ignore_missing_vnet_service_endpoint"]}},
                         what=f"writing virtual network rule '{rule['name']}' of {describe(rid)}")
        if result is not None:
            states[str(rule["name"]).lower()] = (result.get("properties") or {}).get("state")
    return states


def warn_consequences(module, rid, before, after, difference, fw_delete):
    name = f"SQL server '{rid.name}'"
    to_be = "to be " if module.check_mode else ""
    if "public_network_access" in difference.changed_keys and str(after["public_network_access"]).lower() == "disabled":
        # azure-sql/database/connectivity-settings.md ("Deny public network access").
        module.warn(f"public network access to {name} is {to_be}disabled: clients connect through private endpoints; "
                    "firewall and virtual network rules govern the public endpoint and let nothing in while it is "
                    "disabled.")
    if any(str(r["name"]).lower() == AZURE_SERVICES_RULE.lower() for r in fw_delete):
        # azure-sql/database/firewall-configure.md ("Connections from inside Azure").
        module.warn(f"firewall rule {AZURE_SERVICES_RULE} of {name} is {to_be}removed: that turns off \"Allow Azure "
                    "services and resources to access this server\"; list it in firewall_rules (0.0.0.0 to 0.0.0.0) "
                    "to keep it.")


if __name__ == "__main__":
    main()
