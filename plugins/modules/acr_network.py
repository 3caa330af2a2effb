#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: acr_network
short_description: Set the network access of an Azure Container Registry
version_added: 0.1.0
description:
  - Sets who may reach an existing Premium container registry over the network, the step that closes
    the registry to the public once it sits behind Private Link
    (C(az acr update --public-network-enabled false), C(az acr network-rule add/remove),
    C(az acr update --allow-trusted-services), C(az acr update --data-endpoint-enabled)).
  - Only the options you give are changed, all in one C(PATCH) of the registry; every other registry
    property is left as it is. Run again with the same options, the module reads the registry and
    writes nothing.
  - Public network access, network rules, the trusted-services bypass and dedicated data endpoints
    are Premium features. A Basic or Standard registry is refused, before anything is written, with
    a message that names its SKU and the fix (upgrade to Premium).
  - When public network access is turned off, the task warns what stops working.
  - Also returns what the next steps of the Private Link procedure need, whether or not anything
    changed, the login server, the data endpoint host names of every region, the geo-replica
    regions and the private endpoint connections. Given no option to change, the module only
    reports them.
author:
  - privnet maintainers (!UNKNOWN)
options:
  name:
    description:
      - Name of the container registry.
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the container registry.
    type: str
    required: true
  public_network_access:
    description:
      - Whether the registry answers on its public endpoint.
      - V(Disabled) leaves only private endpoints (and, with O(network_rule_bypass=AzureServices),
        trusted Azure services). Clients outside the virtual network can no longer list, push or pull,
        and C(az acr build) needs a dedicated agent pool. Turn it off once a private endpoint
        connection is approved and DNS resolves to it.
      - Not changed when not given.
    type: str
    choices: [Enabled, Disabled]
  default_action:
    description:
      - What happens to a request on the public endpoint that matches no IP rule.
      - V(Deny) with O(ip_rules) admits only those addresses on the public endpoint.
      - Not changed when not given.
    type: str
    choices: [Allow, Deny]
  ip_rules:
    description:
      - Public IPv4 addresses (V(203.0.113.7)) and CIDR ranges (V(203.0.113.0/24)) allowed on the
        public endpoint when O(default_action=Deny).
      - Compared as a set; order, duplicates and the V(/32) of a single address do not matter. A range
        with host bits set (V(203.0.113.7/24)) is refused with the right prefix.
      - See O(purge_ip_rules) for rules the registry has that are not in this list.
      - Not changed when not given; V([]) removes every rule when O(purge_ip_rules=true).
    type: list
    elements: str
  purge_ip_rules:
    description:
      - With V(true), O(ip_rules) is the whole allow list; rules the registry has that are not in it are
        removed (the diff and check mode show which).
      - With V(false), the rules in O(ip_rules) are added and the others are kept.
      - Has no effect when O(ip_rules) is not given.
    type: bool
    default: true
  network_rule_bypass:
    description:
      - Whether trusted Azure services (for example Microsoft Defender for Cloud, Azure Machine Learning,
        ACR Tasks with a managed identity) may reach the registry despite the network restrictions.
      - Keep V(AzureServices) when public network access is disabled and such services must still
        reach the registry.
      - Not changed when not given.
    type: str
    choices: [AzureServices, None]
  data_endpoint_enabled:
    description:
      - Whether the registry serves layers from dedicated data endpoints,
        C(<registry>.<region>.data.azurecr.io), one per region, instead of the shared storage endpoints.
        Firewalls then allow those host names instead of C(*.blob.core.windows.net).
      - Azure enables them anyway when the registry has a private endpoint.
      - Not changed when not given.
    type: bool
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
      - The diff shows the options you set, before and after; O(ip_rules) as the whole list.
  idempotent:
    support: full
notes:
  - Virtual network (service endpoint) rules are no longer part of the registry API this module uses,
    so it does not manage them; changing the network rules keeps them as they are. They cannot coexist
    with Private Link from the same virtual network; when a registry with private endpoint connections
    still has some, the task warns, and C(az acr network-rule remove --subnet ...) removes them.
  - IP rules and O(default_action) govern the public endpoint only; with public network access
    disabled, nothing comes in through it whatever the rules say.
seealso:
  - module: privnet.azure.acr_private_endpoint_connection
  - name: Connect privately to an Azure container registry using Azure Private Link
    description: The procedure, including what disabling public network access stops.
    link: https://learn.microsoft.com/azure/container-registry/container-registry-private-link
  - name: Configure public IP network rules
    description: IP rules and the default action.
    link: https://learn.microsoft.com/azure/container-registry/container-registry-access-selected-networks
  - name: Allow trusted services to securely access a network-restricted container registry
    description: What the AzureServices bypass lets in.
    link: https://learn.microsoft.com/azure/container-registry/allow-access-trusted-services
"""

EXAMPLES = r"""
- name: Close the registry to the public once its private endpoint is approved
  privnet.azure.acr_network:
    resource_group: rg-acr
    name: acrprivnetdemo
    public_network_access: Disabled
    network_rule_bypass: AzureServices

- name: Allow only the office and the build agents on the public endpoint
  privnet.azure.acr_network:
    resource_group: rg-acr
    name: acrprivnetdemo
    public_network_access: Enabled
    default_action: Deny
    ip_rules:
      - 203.0.113.7
      - 198.51.100.0/24

- name: Add one address and keep the rules someone else added
  privnet.azure.acr_network:
    resource_group: rg-acr
    name: acrprivnetdemo
    ip_rules: [192.0.2.10]
    purge_ip_rules: false

- name: Read the host names the private DNS zone needs records for
  privnet.azure.acr_network:
    resource_group: rg-acr
    name: acrprivnetdemo
  register: acr

- name: Show them
  ansible.builtin.debug:
    msg: "{{ [acr.registry.login_server] + acr.registry.data_endpoint_host_names }}"
"""

RETURN = r"""
registry:
  description:
    - The registry's network settings after the change; in check mode, as they would be.
    - With O(wait=false), the settings sent to Azure, before Azure finished applying them.
  returned: success
  type: dict
  contains:
    id:
      description: Resource id of the registry.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/acrprivnetdemo
    name:
      description: Name of the registry.
      type: str
      returned: always
      sample: acrprivnetdemo
    resource_group:
      description: Resource group of the registry.
      type: str
      returned: always
      sample: rg-acr
    location:
      description: Home region of the registry.
      type: str
      returned: always
      sample: westeurope
    login_server:
      description: Host name of the registry's REST endpoint.
      type: str
      returned: always
      sample: acrprivnetdemo.azurecr.io
    sku:
      description: SKU of the registry.
      type: str
      returned: always
      sample: Premium
    public_network_access:
      description: Whether the public endpoint answers, V(Enabled) or V(Disabled).
      type: str
      returned: always
      sample: Disabled
    default_action:
      description: What happens to public requests that match no IP rule, V(Allow) or V(Deny).
      type: str
      returned: always
      sample: Deny
    ip_rules:
      description: Addresses and CIDR ranges allowed on the public endpoint.
      type: list
      elements: str
      returned: always
      sample: ["203.0.113.7", "198.51.100.0/24"]
    network_rule_bypass:
      description: Whether trusted Azure services bypass the network rules, V(AzureServices) or V(None).
      type: str
      returned: always
      sample: AzureServices
    data_endpoint_enabled:
      description: Whether dedicated data endpoints are enabled.
      type: bool
      returned: always
      sample: true
    data_endpoint_host_names:
      description:
        - Data endpoint host names, one for the home region and one for every geo-replica,
          C(<registry>.<region>.data.azurecr.io); each needs an A record in the private DNS zone.
        - As Azure reports them; when Azure lists none (data endpoints not enabled), the names a private
          endpoint serves, built from the login server and the regions.
      type: list
      elements: str
      returned: always
      sample: ["acrprivnetdemo.westeurope.data.azurecr.io", "acrprivnetdemo.eastus.data.azurecr.io"]
    replicas:
      description: Regions of the geo-replicas, the home region left out.
      type: list
      elements: str
      returned: always
      sample: ["eastus"]
    private_endpoint_connections:
      description: The registry's private endpoint connections.
      type: list
      elements: dict
      returned: always
      contains:
        name:
          description: Name of the connection.
          type: str
          returned: always
          sample: acrprivnetdemo.6f1c2b8a3d4e4f5a9b0c1d2e3f4a5b6c
        private_endpoint_id:
          description: Resource id of the private endpoint.
          type: str
          returned: always
          sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/privateEndpoints/pe-acr
        status:
          description: V(Pending), V(Approved), V(Rejected) or V(Disconnected).
          type: str
          returned: always
          sample: Approved
        description:
          description: The reason given with the status.
          type: str
          returned: always
          sample: Approved by the platform team
    provisioning_state:
      description: Provisioning state of the registry.
      type: str
      returned: always
      sample: Succeeded
"""

import ipaddress

from ansible_collections.privnet.azure.plugins.module_utils._acr import (
    describe,
    get_registry,
    list_replicas,
    network_rule_set,
    registry_id,
    registry_result,
    require_premium,
    sku_name,
)
from ansible_collections.privnet.azure.plugins.module_utils._armjson import CONTAINER_REGISTRY_API
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import ci, compare
from ansible_collections.privnet.azure.plugins.module_utils._validate import cidr
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name

MANAGED = ("public_network_access", "default_action", "ip_rules", "network_rule_bypass", "data_endpoint_enabled")
PREMIUM_FEATURES = "public network access settings, network rules, the trusted-services bypass and data endpoints"

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    resource_group=dict(type="str", required=True),
    public_network_access=dict(type="str", choices=["Enabled", "Disabled"]),
    default_action=dict(type="str", choices=["Allow", "Deny"]),
    ip_rules=dict(type="list", elements="str"),
    purge_ip_rules=dict(type="bool", default=True),
    network_rule_bypass=dict(type="str", choices=["AzureServices", "None"]),
    data_endpoint_enabled=dict(type="bool"),
)


def ip_rule(value, option="ip_rules"):
    """A valid ACR IP rule value (an IPv4 address or CIDR range) in canonical form."""
    text = str(value or "").strip()
    fix = "write an IPv4 address such as 203.0.113.7 or a range such as 203.0.113.0/24 (ACR IP rules are IPv4 only)"
    try:
        network = ipaddress.ip_network(cidr(text, option) if "/" in text else text)
    except ValueError as exc:
        if "host bits" in str(exc):
            raise
        raise ValueError(f"{option}: {value!r} is not an IPv4 address or range; {fix}") from None
    if network.version != 4:
        raise ValueError(f"{option}: {value!r} is an IPv6 {'range' if '/' in text else 'address'}; {fix}")
    return str(network) if network.prefixlen != 32 else str(network.network_address)


def rule_key(value):
    """Set key of an IP rule value: 203.0.113.7 and 203.0.113.7/32 are the same rule."""
    try:
        return str(ipaddress.ip_network(str(value).strip(), strict=False))
    except ValueError:
        return str(value).strip().lower()


def rule_set(values):
    return sorted({rule_key(v) for v in values or []})


def desired_ip_rules(given, current, purge):
    """The whole list to hold: ``given`` (purge) or ``current`` plus what ``given`` adds. Rules
    the registry keeps are kept in Azure's spelling and order, new ones are appended."""
    wanted = {rule_key(v): v for v in given}
    if purge:
        kept = [v for v in current if rule_key(v) in wanted]
    else:
        kept = list(current)
    have = {rule_key(v) for v in kept}
    seen = set()
    added = []
    for key, value in wanted.items():
        if key not in have and key not in seen:
            seen.add(key)
            added.append(value)
    # Drop duplicates Azure may hold, keeping the first spelling.
    result, keys = [], set()
    for value in kept + added:
        if rule_key(value) not in keys:
            keys.add(rule_key(value))
            result.append(value)
    return result


def build_update(registry, desired, changed_keys):
    """The PATCH body (RegistryUpdateParameters) carrying only the changed fields. A changed rule set is sent
    whole (Azure replaces it), built from the one read so that what the module does not manage
    (rule actions, legacy virtual network rules) is sent back as it was."""
    properties = {}
    if "public_network_access" in changed_keys:
        properties["publicNetworkAccess"] = desired["public_network_access"]
    if "network_rule_bypass" in changed_keys:
        properties["networkRuleBypassOptions"] = desired["network_rule_bypass"]
    if "data_endpoint_enabled" in changed_keys:
        properties["dataEndpointEnabled"] = desired["data_endpoint_enabled"]
    if "default_action" in changed_keys or "ip_rules" in changed_keys:
        body = dict(network_rule_set(registry))
        body["defaultAction"] = desired.get("default_action") or body.get("defaultAction") or "Allow"
        if "ip_rules" in changed_keys:
            existing = {rule_key(r.get("value")): r for r in body.get("ipRules") or []}
            body["ipRules"] = [existing.get(rule_key(v)) or {"action": "Allow", "value": v}
                               for v in desired["ip_rules"]]
        properties["networkRuleSet"] = body
    return {"properties": properties}


def legacy_vnet_rules(registry):
    return list(network_rule_set(registry).get("virtualNetworkRules") or [])


def warn_consequences(module, registry, before, after, difference):
    name = registry.get("name")
    closed = str(after["public_network_access"]).lower() == "disabled"
    if closed and "public_network_access" in difference.changed_keys:
        if str(after["network_rule_bypass"]).lower() == "none":
            trusted = ("trusted Azure services can no longer reach it either (network_rule_bypass is None; "
                       "set network_rule_bypass: AzureServices to let them in)")
        else:
            trusted = "trusted Azure services still reach it through network_rule_bypass: AzureServices"
        module.warn(f"public network access to container registry '{name}' is "
                    f"{'to be ' if module.check_mode else ''}disabled: only clients that reach it through an "
                    "approved private endpoint can list, push or pull; the portal, az acr and docker from outside "
                    "the virtual network stop working; az acr build and ACR Tasks need a dedicated agent pool; "
                    f"{trusted}.")
        approved = [c for c in before["private_endpoint_connections"] if str(c["status"]).lower() == "approved"]
        if not approved:
            module.warn(f"container registry '{name}' has no approved private endpoint connection: with public "
                        "network access disabled, no client can reach it until one is approved "
                        "(privnet.azure.acr_private_endpoint_connection).")
    if closed and after["ip_rules"] and (
            "ip_rules" in difference.changed_keys or "public_network_access" in difference.changed_keys):
        module.warn(f"container registry '{name}': IP rules govern the public endpoint only; with public network "
                    "access disabled they let nothing in.")
    vnet_rules = legacy_vnet_rules(registry)
    if vnet_rules and before["private_endpoint_connections"]:
        module.warn(f"container registry '{name}' still has {len(vnet_rules)} virtual network (service endpoint) "
                    "rule(s), which cannot coexist with Private Link from the same virtual network; remove them "
                    f"(az acr network-rule remove --name {name} --subnet <subnet id>).")


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True)
    params = module.params

    # 1. Parse and validate, before any call to Azure.
    module.validated(valid_name, "registry", params["name"], "name")
    module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    given_rules = None
    if params["ip_rules"] is not None:
        given_rules = [module.validated(ip_rule, value) for value in params["ip_rules"]]
    resource_group, name = params["resource_group"], params["name"]
    requested = {key: params[key] for key in MANAGED if params[key] is not None}

    # 2. Read the current state; refuse a registry that cannot have these settings.
    registry = module.validated(get_registry, module, resource_group, name)
    premium = sku_name(registry).lower() == "premium"
    if requested:
        module.validated(require_premium, registry, PREMIUM_FEATURES)
    replicas = list_replicas(module, resource_group, name, registry.get("location")) if premium else []
    before = registry_result(registry, replicas)

    # 3. Compare only what the user set: enums case-insensitively, IP rules as sets.
    desired = dict(requested)
    if given_rules is not None:
        desired["ip_rules"] = desired_ip_rules(given_rules, before["ip_rules"], params["purge_ip_rules"])
    difference = compare(desired, before, normalisers={
        "public_network_access": ci, "default_action": ci, "network_rule_bypass": ci, "ip_rules": rule_set})

    # 4. Apply every change in one PATCH (not in check mode).
    after = dict(before, **{key: desired[key] for key in difference.changed_keys})
    if "ip_rules" in difference.changed_keys and not after["default_action"]:
        after["default_action"] = "Allow"  # what build_update() sends when the registry has no rule set yet
    warn_consequences(module, registry, before, after, difference)
    if difference.changed and not module.check_mode:
        updated = module.arm().patch(registry_id(module, resource_group, name), CONTAINER_REGISTRY_API,
                                     build_update(registry, desired, difference.changed_keys),
                                     what=f"updating the network settings of {describe(resource_group, name)}")
        if updated is not None:
            after = registry_result(updated, replicas)

    # 5. Return.
    module.exit(changed=difference.changed, diff=difference, registry=after)


if __name__ == "__main__":
    main()
