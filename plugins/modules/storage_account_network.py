#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: storage_account_network
short_description: Set the network access of an Azure storage account (its firewall)
version_added: 0.1.0
description:
  - Sets who may reach an existing storage account over its public endpoint, the service-side half of a
    service endpoint or Private Link setup (C(az storage account update --public-network-access
    --default-action --bypass), C(az storage account network-rule add/remove)).
  - Only the options you give are changed, all in one C(PATCH) of the account; the network rule set is sent
    whole, built from the one read, so rules you do not manage (with O(purge_ip_rules=false) or
    O(purge_virtual_network_rules=false)) and resource instance rules are kept, and every other account property
    is left as it is. Run again with the same options, the module reads the account and writes nothing.
  - A virtual network rule whose subnet lacks the C(Microsoft.Storage) (or C(Microsoft.Storage.Global)) service
    endpoint is refused before anything is written, with a message naming the subnet and the fix
    (M(privnet.azure.service_endpoint)).
  - IP rules are checked before anything is written against what Azure Storage takes, public IPv4 addresses
    and ranges, no private (RFC 1918) ranges, no V(/31) or V(/32) ranges.
  - Warns when the result blocks all public traffic (V(Deny) without any rule, or public network access
    disabled).
author:
  - privnet maintainers (!UNKNOWN)
options:
  name:
    description:
      - Name of the storage account, in O(resource_group), or its resource id
        (C(/subscriptions/<sub>/resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<name>)).
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the storage account; needed when O(name) is a name.
    type: str
  public_network_access:
    description:
      - Whether the account answers on its public endpoint.
      - V(Disabled) leaves only private endpoints; IP and virtual network rules then let nothing in.
      - Not changed when not given.
    type: str
    choices: [Enabled, Disabled]
  default_action:
    description:
      - What happens to a request on the public endpoint that matches no rule.
      - V(Deny) admits only O(ip_rules), O(virtual_network_rules) and the O(bypass) services.
      - Not changed when not given.
    type: str
    choices: [Allow, Deny]
  ip_rules:
    description:
      - Public IPv4 addresses (V(203.0.113.7)) and CIDR ranges (V(198.51.100.0/24)) allowed on the public
        endpoint.
      - Compared as a set; order and duplicates do not matter. A range with host bits set, a private (RFC 1918)
        range and a V(/31) or V(/32) range (write the addresses instead) are refused, as Azure Storage does not
        take them.
      - IP rules have no effect on requests that come from the account's own Azure region; let those clients in
        with O(virtual_network_rules).
      - Not changed when not given; V([]) removes every rule when O(purge_ip_rules=true).
    type: list
    elements: str
  purge_ip_rules:
    description:
      - With V(true), O(ip_rules) is the whole list; rules the account has that are not in it are removed.
      - With V(false), the rules in O(ip_rules) are added and the others are kept.
      - Has no effect when O(ip_rules) is not given.
    type: bool
    default: true
  virtual_network_rules:
    description:
      - Resource ids of the subnets allowed on the public endpoint (through their service endpoint).
      - Each subnet must have the C(Microsoft.Storage) or C(Microsoft.Storage.Global) service endpoint; one that
        lacks it (or does not exist) is refused before anything is written. Only subnets the account has no rule
        for yet are read.
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
      - Traffic that passes the rules whatever they say, any of V(AzureServices) (trusted Azure services),
        V(Logging) and V(Metrics) (reading the account's logs and metrics), or V([None]) alone.
      - Compared as a set.
      - Not changed when not given.
    type: list
    elements: str
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
  - The network rules govern the account's public endpoint only; private endpoints are not subject to them.
  - A virtual network rule admits the subnet's traffic only once the subnet's service endpoint is in place; the
    module checks the endpoint, not the rest of the subnet.
  - Uses the Azure Resource Manager API of C(Microsoft.Storage/storageAccounts) at api-version 2023-05-01.
seealso:
  - module: privnet.azure.service_endpoint
  - module: privnet.azure.key_vault_network
  - module: privnet.azure.sql_server_network
  - name: Azure Storage firewall and virtual network rules
    description: Default action, IP rules and their restrictions, virtual network rules, exceptions.
    link: https://learn.microsoft.com/azure/storage/common/storage-network-security
  - name: Virtual network service endpoints
    description: What a service endpoint is and which services have one.
    link: https://learn.microsoft.com/azure/virtual-network/virtual-network-service-endpoints-overview
"""

EXAMPLES = r"""
- name: Let only the application subnet and the office in
  privnet.azure.storage_account_network:
    resource_group: rg-data
    name: stprivnetdemo
    public_network_access: Enabled
    default_action: Deny
    ip_rules: [203.0.113.7, 198.51.100.0/24]
    virtual_network_rules:
      - /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-app
    bypass: [AzureServices, Logging, Metrics]

- name: Add one subnet and keep the rules someone else added
  privnet.azure.storage_account_network:
    name: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stprivnetdemo
    virtual_network_rules:
      - /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-build
    purge_virtual_network_rules: false

- name: Close the public endpoint once the private endpoint is approved
  privnet.azure.storage_account_network:
    resource_group: rg-data
    name: stprivnetdemo
    public_network_access: Disabled
"""

RETURN = r"""
network:
  description: The account's network settings after the change; in check mode, as they would be.
  returned: success
  type: dict
  contains:
    id:
      description: Resource id of the storage account.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stprivnetdemo
    name:
      description: Name of the storage account.
      type: str
      returned: always
      sample: stprivnetdemo
    resource_group:
      description: Resource group of the storage account.
      type: str
      returned: always
      sample: rg-data
    public_network_access:
      description: V(Enabled), V(Disabled) (or V(SecuredByPerimeter)); null when Azure does not report it.
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
      sample: ["203.0.113.7", "198.51.100.0/24"]
    virtual_network_rules:
      description: Resource ids of the subnets allowed on the public endpoint.
      type: list
      elements: str
      returned: always
      sample:
        - /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-app
    bypass:
      description: Traffic that bypasses the rules, V(AzureServices), V(Logging), V(Metrics) or V(None).
      type: list
      elements: str
      returned: always
      sample: ["AzureServices"]
"""

from ansible_collections.privnet.azure.plugins.module_utils._arm import ArmResources
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._netrules import STORAGE_ACLS, converge_acls


def main():
    module = AzureModule(argument_spec=STORAGE_ACLS.argument_spec(), supports_check_mode=True)
    converge_acls(module, STORAGE_ACLS, ArmResources)


if __name__ == "__main__":
    main()
