#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: key_vault_network
short_description: Set the network access of an Azure key vault (its firewall)
version_added: 0.1.0
description:
  - Sets who may reach an existing key vault over its public endpoint, the service-side half of a service
    endpoint or Private Link setup (C(az keyvault update --public-network-access --default-action --bypass),
    C(az keyvault network-rule add/remove)).
  - Only the options you give are changed, all in one C(PATCH) of the vault; the network rule set is sent whole,
    built from the one read, so rules you do not manage (with O(purge_ip_rules=false) or
    O(purge_virtual_network_rules=false)) are kept, and every other vault property (access policies, SKU,
    soft delete, ...) is left as it is. Run again with the same options, the module reads the vault and writes
    nothing.
  - A virtual network rule whose subnet lacks the C(Microsoft.KeyVault) service endpoint is refused before
    anything is written, with a message naming the subnet and the fix (M(privnet.azure.service_endpoint)).
  - IP rules are checked before anything is written against what Key Vault takes, public IPv4 addresses and
    ranges, no private (RFC 1918) ranges, no V(/31) or V(/32) ranges.
  - Warns when the result blocks all public traffic (V(Deny) without any rule, or public network access
    disabled).
author:
  - privnet maintainers (!UNKNOWN)
options:
  name:
    description:
      - Name of the key vault, in O(resource_group), or its resource id
        (C(/subscriptions/<sub>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>)).
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the key vault; needed when O(name) is a name.
    type: str
  public_network_access:
    description:
      - Whether the vault answers on its public endpoint.
      - V(Disabled) leaves only private endpoints; IP and virtual network rules then let nothing in.
      - Not changed when not given.
    type: str
    choices: [Enabled, Disabled]
  default_action:
    description:
      - What happens to a request on the public endpoint that matches no rule.
      - V(Deny) admits only O(ip_rules), O(virtual_network_rules) and, with O(bypass=AzureServices), trusted
        Microsoft services.
      - Not changed when not given.
    type: str
    choices: [Allow, Deny]
  ip_rules:
    description:
      - Public IPv4 addresses (V(203.0.113.7)) and CIDR ranges (V(198.51.100.0/24)) allowed on the public
        endpoint.
      - Compared as a set; order, duplicates and the V(/32) Key Vault shows after a single address do not matter.
        A range with host bits set, a private (RFC 1918) range and a V(/31) or V(/32) range (write the addresses
        instead) are refused, as Key Vault does not take them.
      - Not changed when not given; V([]) removes every rule when O(purge_ip_rules=true).
    type: list
    elements: str
  purge_ip_rules:
    description:
      - With V(true), O(ip_rules) is the whole list; rules the vault has that are not in it are removed.
      - With V(false), the rules in O(ip_rules) are added and the others are kept.
      - Has no effect when O(ip_rules) is not given.
    type: bool
    default: true
  virtual_network_rules:
    description:
      - Resource ids of the subnets allowed on the public endpoint (through their service endpoint).
      - Each subnet must have the C(Microsoft.KeyVault) service endpoint; one that lacks it (or does not exist) is
        refused before anything is written. Only subnets the vault has no rule for yet are read.
      - Compared as a set of ids, case-insensitively.
      - Not changed when not given; V([]) removes every rule when O(purge_virtual_network_rules=true).
    type: list
    elements: str
  purge_virtual_network_rules:
    description:
      - With V(true), O(virtual_network_rules) is the whole list; rules for other subnets are removed.
      - With V(false), the subnets in O(virtual_network_rules) are added and the others are kept.
      - Has no effect when O(virtual_network_rules) is not given.
    type: bool
    default: true
  bypass:
    description:
      - Whether trusted Microsoft services may reach the vault despite the rules, V(AzureServices) or V(None).
      - Not changed when not given.
    type: str
    choices: [AzureServices, None]
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff shows the options you set, before and after; rule lists whole.
  idempotent:
    support: full
notes:
  - The firewall governs the vault's data plane (keys, secrets, certificates) on its public endpoint only;
    management operations through Azure Resource Manager, and private endpoints, are not subject to it.
  - A virtual network rule admits the subnet's traffic only once the subnet's service endpoint is in place; the
    module checks the endpoint, not the rest of the subnet.
  - Uses the Azure Resource Manager API of C(Microsoft.KeyVault/vaults) at api-version 2023-07-01.
seealso:
  - module: privnet.azure.service_endpoint
  - module: privnet.azure.storage_account_network
  - module: privnet.azure.sql_server_network
  - name: Configure Azure Key Vault firewalls and virtual networks
    description: Default action, IP rules and their limits, virtual network rules, trusted services.
    link: https://learn.microsoft.com/azure/key-vault/general/network-security
  - name: Virtual network service endpoints
    description: What a service endpoint is and which services have one.
    link: https://learn.microsoft.com/azure/virtual-network/virtual-network-service-endpoints-overview
"""

EXAMPLES = r"""
- name: Let only the application subnet and the office in, and trusted Microsoft services
  privnet.azure.key_vault_network:
    resource_group: rg-sec
    name: kv-privnet-demo
    public_network_access: Enabled
    default_action: Deny
    ip_rules: [203.0.113.7, 198.51.100.0/24]
    virtual_network_rules:
      - /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-app
    bypass: AzureServices

- name: Add one address and keep the rules someone else added
  privnet.azure.key_vault_network:
    resource_group: rg-sec
    name: kv-privnet-demo
    ip_rules: [192.0.2.10]
    purge_ip_rules: false

- name: Close the public endpoint once the private endpoint is approved
  privnet.azure.key_vault_network:
    name: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sec/providers/Microsoft.KeyVault/vaults/kv-privnet-demo
    public_network_access: Disabled
"""

RETURN = r"""
network:
  description: The vault's network settings after the change; in check mode, as they would be.
  returned: success
  type: dict
  contains:
    id:
      description: Resource id of the key vault.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sec/providers/Microsoft.KeyVault/vaults/kv-privnet-demo
    name:
      description: Name of the key vault.
      type: str
      returned: always
      sample: kv-privnet-demo
    resource_group:
      description: Resource group of the key vault.
      type: str
      returned: always
      sample: rg-sec
    public_network_access:
      description: V(Enabled) or V(Disabled); null when Azure does not report it.
      type: str
      returned: always
      sample: Enabled
    default_action:
      description: What happens to public requests that match no rule, V(Allow) or V(Deny).
      type: str
      returned: always
      sample: Deny
    ip_rules:
      description: Addresses and CIDR ranges allowed on the public endpoint, as Azure holds them.
      type: list
      elements: str
      returned: always
      sample: ["203.0.113.7/32", "198.51.100.0/24"]
    virtual_network_rules:
      description: Resource ids of the subnets allowed on the public endpoint.
      type: list
      elements: str
      returned: always
      sample:
        - /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-app
    bypass:
      description: Whether trusted Microsoft services bypass the rules, V(AzureServices) or V(None).
      type: str
      returned: always
      sample: AzureServices
"""

from ansible_collections.privnet.azure.plugins.module_utils._arm import ArmResources
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._netrules import KEY_VAULT_ACLS, converge_acls


def main():
    module = AzureModule(argument_spec=KEY_VAULT_ACLS.argument_spec(), supports_check_mode=True)
    converge_acls(module, KEY_VAULT_ACLS, ArmResources)


if __name__ == "__main__":
    main()
