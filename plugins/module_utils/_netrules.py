# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Service-side network rules (the firewalls of Storage, Key Vault and SQL): shared checks and merges.

- IP rules: parsed, checked against what each service accepts, and compared as sets (``203.0.113.7`` and
  ``203.0.113.7/32`` are one rule; Key Vault shows a single address with ``/32``, Storage without).
- Virtual network rules: subnet ids checked, and the subnet read (_subnet.get_subnet) to refuse, before any
  write, a rule whose subnet lacks the service endpoint the service needs.
- The purge merge: the list to hold, from the given rules and the ones the resource has.
- The whole networkAcls flow of Storage and Key Vault (``AclService``, ``converge_acls``):
  ``STORAGE_ACLS`` and ``KEY_VAULT_ACLS`` declare what sets each service apart, and each module calls the flow.

Every check raises ValueError naming the option and the fix; modules turn it into a failure
(AzureModule.validated).

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, NoReturn, Optional, Sequence

from ansible_collections.privnet.azure.plugins.module_utils._armjson import properties
from ansible_collections.privnet.azure.plugins.module_utils._diff import Difference, ci, compare
from ansible_collections.privnet.azure.plugins.module_utils._ids import ResourceId, parse_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._subnet import describe as describe_subnet
from ansible_collections.privnet.azure.plugins.module_utils._subnet import get_subnet

if TYPE_CHECKING:
    from ansible_collections.privnet.azure.plugins.module_utils._arm import ArmResources
    from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule

NETWORK = "Microsoft.Network"
SUBNET_TYPE = f"{NETWORK}/virtualNetworks/subnets"

# The service endpoint a subnet needs for a virtual network rule of each service. Microsoft Learn,
# virtual-network/virtual-network-service-endpoints-overview.md (service list: Microsoft.Storage,
# Microsoft.Storage.Global for storage accounts in any region, Microsoft.Sql, Microsoft.KeyVault);
# storage/common/storage-network-security.md (virtual network rules need the subnet's Microsoft.Storage or
# Microsoft.Storage.Global endpoint); key-vault/general/network-security.md and overview-vnet-service-endpoints.md
# (Microsoft.KeyVault); azure-sql/database/vnet-service-endpoint-rule-overview.md (Microsoft.Sql).
STORAGE_ENDPOINTS = ("Microsoft.Storage", "Microsoft.Storage.Global")
KEY_VAULT_ENDPOINTS = ("Microsoft.KeyVault",)
SQL_ENDPOINTS = ("Microsoft.Sql",)

# IP rules of Storage and Key Vault are for public IPv4 addresses only: the RFC 1918 ranges are refused, and /31
# and /32 ranges are not supported (individual address rules instead). Microsoft Learn:
# storage/common/storage-network-security.md ("Restrictions for IP network rules", now in
# storage-network-security-ip-address-range.md); key-vault/general/network-security.md (configuration
# limitations). Key Vault's own refusal of a private range: Azure/azure-powershell #11471 (400 "... belongs to
# forbidden range ... (private IP addresses)").
PRIVATE_RANGES = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


# ---- IP rules ----------------------------------------------------------------------------------------------

def ip_rule(value: Any, option: str = "ip_rules") -> str:
    """An IP rule of Storage or Key Vault in canonical form: a public IPv4 address (``203.0.113.7``) or a
    range of /30 or wider (``198.51.100.0/24``). Raises ValueError naming ``option`` and the fix."""
    text = str(value if value is not None else "").strip()
    fix = "write a public IPv4 address such as 203.0.113.7 or a range such as 203.0.113.0/24"
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        if "host bits" in str(exc):
            prefix = ipaddress.ip_network(text, strict=False)
            raise ValueError(f"{option}: {value!r} has host bits set; for /{prefix.prefixlen} the range is "
                             f"{prefix}") from None
        raise ValueError(f"{option}: {value!r} is not an IPv4 address or range; {fix}") from None
    if not isinstance(network, ipaddress.IPv4Network):
        raise ValueError(f"{option}: {value!r} is IPv6; these IP rules take IPv4 only; {fix}")
    if "/" in text and network.prefixlen in (31, 32):
        addresses = " and ".join(str(a) for a in network)
        raise ValueError(f"{option}: {value!r}: /31 and /32 ranges are not supported in these IP rules; "
                         f"write the address{'es' if network.prefixlen == 31 else ''} instead ({addresses})")
    for private in PRIVATE_RANGES:
        if network.subnet_of(private):  # a wider range holding one is left to Azure (undocumented)
            raise ValueError(f"{option}: {value!r} is in the private range {private} (RFC 1918), which these IP "
                             "rules do not take; a client in a virtual network gets in through a virtual network "
                             "rule or a private endpoint instead")
    return str(network.network_address) if network.prefixlen == 32 else str(network)


def rule_key(value: Any) -> str:
    """Set key of an IP rule value: 203.0.113.7 and 203.0.113.7/32 are the same rule."""
    try:
        return str(ipaddress.ip_network(str(value).strip(), strict=False))
    except ValueError:
        return str(value).strip().lower()


def rule_set(values: Optional[Iterable[Any]]) -> list:
    """Normaliser for IP rule lists: a sorted list of rule keys, duplicates dropped."""
    return sorted({rule_key(v) for v in values or []})


def firewall_address(value: Any, option: str) -> str:
    """An IPv4 address of a SQL server firewall rule (start or end address)."""
    text = str(value if value is not None else "").strip()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise ValueError(f"{option}: {value!r} is not an IPv4 address; SQL firewall rules take a start and an end "
                         "IPv4 address, e.g. 203.0.113.0 and 203.0.113.255") from None
    if address.version != 4:
        raise ValueError(f"{option}: {value!r} is IPv6; SQL server firewall rules take IPv4 addresses")
    return str(address)


# ---- virtual network rules ---------------------------------------------------------------------------------

def subnet_id(value: Any, option: str = "virtual_network_rules") -> ResourceId:
    """A subnet resource id, parsed; raises ValueError unless it is one."""
    rid = parse_resource_id(str(value if value is not None else "").strip(), option)
    if rid.full_type.lower() != SUBNET_TYPE.lower() or len(rid.children) != 1:
        raise ValueError(f"{option}: {value!r} is a {rid.full_type} id; expected a subnet id, /subscriptions/"
                         f"<subscription>/resourceGroups/<group>/providers/{NETWORK}/virtualNetworks/<vnet>/subnets/"
                         "<subnet>")
    return rid


def id_key(value: Any) -> str:
    """ARM ids are case-insensitive."""
    return str(value or "").strip().rstrip("/").lower()


def id_set(values: Optional[Iterable[Any]]) -> list:
    """Normaliser for lists of resource ids: sorted, lower-cased, duplicates dropped."""
    return sorted({id_key(v) for v in values or []})


def endpoint_services(subnet: Any) -> list:
    """The service names of a subnet's service endpoints (the subnet as Azure's JSON)."""
    return [str(e.get("service") or "") for e in properties(subnet).get("serviceEndpoints") or []]


def endpoint_problem(subnet: Any, rid: ResourceId, accepted: Sequence[str], target: str,
                     option: str = "virtual_network_rules") -> Optional[str]:
    """Why a virtual network rule for ``target`` (e.g. "storage account 'st1'") cannot use the subnet: it does not
    exist (``subnet`` None) or has none of the ``accepted`` service endpoints. None when it can."""
    if subnet is None:
        return (f"{option}: {describe_subnet(rid)} was not found; a virtual network rule for {target} needs an "
                "existing subnet. Nothing was changed. Create the subnet, or fix the id.")
    have = endpoint_services(subnet)
    wanted = {s.lower() for s in accepted}
    if any(s.lower() in wanted for s in have):
        return None
    needs = " or ".join(accepted)
    return (f"{option}: {describe_subnet(rid)} has no {needs} service endpoint "
            f"(it has {', '.join(have) if have else 'none'}); a virtual network rule for {target} admits the "
            "subnet's traffic only through that endpoint. Nothing was changed. Add the endpoint to the subnet first "
            f"(privnet.azure.service_endpoint with services: [{accepted[0]}]), then run this task again.")


def check_subnet_endpoints(read_subnet: Callable[[ResourceId], Any], subnet_ids: Iterable[str],
                           accepted: Sequence[str], target: str, option: str = "virtual_network_rules") -> list:
    """Read each subnet (``read_subnet(rid)`` -> the subnet's JSON or None) and raise ValueError for the first one
    that cannot carry a rule for ``target``. Returns the subnets read."""
    subnets = []
    for value in subnet_ids:
        rid = subnet_id(value, option)
        subnet = read_subnet(rid)
        problem = endpoint_problem(subnet, rid, accepted, target, option)
        if problem:
            raise ValueError(problem)
        subnets.append(subnet)
    return subnets


# ---- merges ------------------------------------------------------------------------------------------------

def merge(given: Iterable[Any], current: Iterable[Any], purge: bool, key: Callable[[Any], str]) -> list:
    """The whole list to hold: with ``purge``, the ``given`` items; else ``current`` plus what ``given`` adds.
    Items the resource already has keep Azure's spelling and order; new ones are appended in the given order;
    duplicates (by ``key``) are dropped."""
    given = list(given)
    wanted = {key(v) for v in given}
    kept = [v for v in current if key(v) in wanted] if purge else list(current)
    result, seen = [], set()
    for value in kept + given:
        k = key(value)
        if k not in seen:
            seen.add(k)
            result.append(value)
    return result


# ---- bypass (Storage) --------------------------------------------------------------------------------------

# Storage's NetworkRuleSet.bypass: None, or any combination of Logging, Metrics, AzureServices written as one
# comma-separated string ("Logging, Metrics"). azure-rest-api-specs Microsoft.Storage 2023-05-01 storage.json.
STORAGE_BYPASS = ("AzureServices", "Logging", "Metrics", "None")


def storage_bypass(values: Optional[Sequence[Any]], option: str = "bypass") -> Optional[list]:
    """The bypass list in canonical spelling and order; raises ValueError for an unknown value, an empty list or
    None combined with another value."""
    if values is None:
        return None
    canonical = {v.lower(): v for v in STORAGE_BYPASS}
    result = []
    for value in values:
        name = canonical.get(str(value or "").strip().lower())
        if name is None:
            raise ValueError(f"{option}: {value!r} is not a bypass value; use AzureServices, Logging, Metrics, or "
                             "None alone")
        if name not in result:
            result.append(name)
    if not result:
        raise ValueError(f"{option}: is empty; give [None] to let no service bypass the rules, or leave it out")
    if "None" in result and len(result) > 1:
        raise ValueError(f"{option}: None cannot be combined with {', '.join(v for v in result if v != 'None')}; "
                         "give [None] alone, or the services without None")
    return sorted(result, key=STORAGE_BYPASS.index)


def split_bypass(value: Any) -> list:
    """Storage's wire bypass ("Logging, Metrics") as a list."""
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def join_bypass(values: Sequence[str]) -> str:
    return ", ".join(values)


def bypass_set(values: Optional[Iterable[Any]]) -> list:
    """Normaliser for bypass lists: sorted, lower-cased."""
    return sorted({str(v).strip().lower() for v in values or []})


# ---- Storage and Key Vault: networkAcls ----------------------------------------------------------------------

# Both services hold their firewall in ``properties.networkAcls`` (NetworkRuleSet: defaultAction, bypass, ipRules
# [{value, action?}], virtualNetworkRules [{id, ...}]) beside ``properties.publicNetworkAccess``, and take a PATCH of
# the account / vault with the whole NetworkRuleSet (azure-rest-api-specs: Microsoft.Storage 2023-05-01 storage.json
# StorageAccountPropertiesUpdateParameters.networkAcls; Microsoft.KeyVault 2023-07-01 VaultPatchProperties.networkAcls,
# example updateVault.json).
ACL_KEYS = ("public_network_access", "default_action", "ip_rules", "virtual_network_rules", "bypass")


def acl_view(resource: dict, bypass_list: bool) -> dict:
    """The documented ``network`` result of a storage account or key vault (its wire JSON)."""
    props = resource.get("properties") or {}
    acls = props.get("networkAcls") or {}
    rid = parse_resource_id(resource["id"]) if resource.get("id") else None
    return {
        "id": resource.get("id"),
        "name": resource.get("name"),
        "resource_group": rid.resource_group if rid else None,
        "public_network_access": props.get("publicNetworkAccess"),
        "default_action": acls.get("defaultAction"),
        "ip_rules": [r.get("value") for r in acls.get("ipRules") or []],
        "virtual_network_rules": [r.get("id") for r in acls.get("virtualNetworkRules") or []],
        "bypass": split_bypass(acls.get("bypass")) if bypass_list else acls.get("bypass"),
    }


def acl_patch(resource: dict, desired: dict, changed_keys: Iterable[str], *, bypass_list: bool,
              ip_rule_body: Callable[[str], dict], vnet_rule_body: Callable[[str], dict]) -> dict:
    """The PATCH body: ``publicNetworkAccess`` when it changes, and the whole ``networkAcls`` when any of its parts
    changes, built from the one read so that what the module does not manage (Storage's resourceAccessRules, the
    fields of rules it keeps) is sent back as it was. New rules get ``ip_rule_body(value)`` /
    ``vnet_rule_body(subnet_id)``."""
    changed = set(changed_keys)
    props = resource.get("properties") or {}
    body: dict = {}
    if "public_network_access" in changed:
        body["publicNetworkAccess"] = desired["public_network_access"]
    if changed & {"default_action", "ip_rules", "virtual_network_rules", "bypass"}:
        acls = dict(props.get("networkAcls") or {})
        # defaultAction is required in a NetworkRuleSet; Allow is its documented default.
        acls["defaultAction"] = desired.get("default_action") or acls.get("defaultAction") or "Allow"
        if "bypass" in changed:
            acls["bypass"] = join_bypass(desired["bypass"]) if bypass_list else desired["bypass"]
        if "ip_rules" in changed:
            existing = {rule_key(r.get("value")): r for r in acls.get("ipRules") or []}
            acls["ipRules"] = [existing.get(rule_key(v)) or ip_rule_body(v) for v in desired["ip_rules"]]
        if "virtual_network_rules" in changed:
            existing = {id_key(r.get("id")): r for r in acls.get("virtualNetworkRules") or []}
            acls["virtualNetworkRules"] = [existing.get(id_key(v)) or vnet_rule_body(v)
                                           for v in desired["virtual_network_rules"]]
        body["networkAcls"] = acls
    return {"properties": body}


def added(desired: Iterable[Any], current: Iterable[Any], key: Callable[[Any], str]) -> list:
    """The items of ``desired`` that ``current`` does not hold."""
    have = {key(v) for v in current}
    return [v for v in desired if key(v) not in have]


# ---- Storage and Key Vault: the module flow ------------------------------------------------------------------

@dataclass(frozen=True)
class AclService:
    """What sets one networkAcls service apart in storage_account_network / key_vault_network; the rest of their
    flow is converge_acls()."""

    provider: str  # "Microsoft.Storage"
    type_: str  # "storageAccounts"
    api_version: str
    name_kind: str  # the naming rule of _validate ("storage_account")
    noun: str  # "storage account", in messages
    endpoints: tuple[str, ...]  # the service endpoints a subnet of a virtual network rule may have
    bypass_list: bool  # Storage: a list (wire "Logging, Metrics"); Key Vault: one value
    trusted: str  # who bypass AzureServices lets in, in the warning ("trusted Azure services")
    rule_action: bool  # new rules carry ``action: Allow`` (Storage) or no action (Key Vault)

    def describe(self, rid: ResourceId) -> str:
        return f"{self.noun} '{rid.name}' (resource group '{rid.resource_group}')"

    def argument_spec(self) -> dict:
        """The module options (the auth options come from AzureModule)."""
        if self.bypass_list:
            bypass = dict(type="list", elements="str", no_log=False)  # not a secret ("pass")
        else:
            bypass = dict(type="str", choices=["AzureServices", "None"])
        return dict(
            name=dict(type="str", required=True),
            resource_group=dict(type="str"),
            public_network_access=dict(type="str", choices=["Enabled", "Disabled"]),
            default_action=dict(type="str", choices=["Allow", "Deny"]),
            ip_rules=dict(type="list", elements="str"),
            purge_ip_rules=dict(type="bool", default=True),
            virtual_network_rules=dict(type="list", elements="str"),
            purge_virtual_network_rules=dict(type="bool", default=True),
            bypass=bypass,
        )


# Microsoft Learn, storage/common/storage-network-security.md: the firewall of an account, its exceptions (bypass
# AzureServices, Logging, Metrics) and what Deny or disabled public access leave open.
STORAGE_ACLS = AclService(provider="Microsoft.Storage", type_="storageAccounts", api_version="2023-05-01",
                          name_kind="storage_account", noun="storage account", endpoints=STORAGE_ENDPOINTS,
                          bypass_list=True, trusted="trusted Azure services", rule_action=True)
# Microsoft Learn, key-vault/general/network-security.md (firewall, bypass AzureServices for trusted Microsoft
# services) and private-link-service.md (public network access disabled).
KEY_VAULT_ACLS = AclService(provider="Microsoft.KeyVault", type_="vaults", api_version="2023-07-01",
                            name_kind="key_vault", noun="key vault", endpoints=KEY_VAULT_ENDPOINTS,
                            bypass_list=False, trusted="trusted Microsoft services", rule_action=False)


def _bypasses(value: Any, bypass_list: bool) -> list:
    """The bypass of a ``network`` view as a normalised list, whichever shape the service has."""
    return bypass_set(value if bypass_list else [value] if value is not None else [])


def warn_acl_consequences(module: AzureModule, service: AclService, rid: ResourceId, after: dict,
                          difference: Difference) -> None:
    """With the default action Deny only the rules' networks (and, with the bypass, trusted services) get in;
    with public network access disabled only private endpoints do (Microsoft Learn: storage/common/
    storage-network-security.md; key-vault/general/network-security.md and private-link-service.md)."""
    changed = set(difference.changed_keys)
    name = f"{service.noun} '{rid.name}'"
    to_be = "to be " if module.check_mode else ""
    if str(after["public_network_access"]).lower() == "disabled":
        if "public_network_access" in changed:
            module.warn(f"public network access to {name} is {to_be}disabled: clients reach it through private "
                        "endpoints; IP and virtual network rules govern the public endpoint and let nothing in while "
                        "it is disabled.")
        return
    if str(after["default_action"]).lower() == "deny" and not after["ip_rules"] \
            and not after["virtual_network_rules"] and changed & {"default_action", "ip_rules",
                                                                  "virtual_network_rules", "public_network_access"}:
        through = (f"{service.trusted} through bypass AzureServices, "
                   if "azureservices" in _bypasses(after["bypass"], service.bypass_list) else "")
        module.warn(f"{name} is {to_be}set to default_action Deny without any IP or virtual network rule: no client "
                    f"reaches it over the public endpoint; only {through}private endpoints do.")


def converge_acls(module: AzureModule, service: AclService, arm_class: Callable[..., ArmResources]) -> NoReturn:
    """Validate, read, compare, check the new rules' subnets, PATCH (not in check mode), exit with ``network``
    (after the change, or as it would be in check mode): the run of storage_account_network or key_vault_network.
    Fails the task on bad input or a resource that does not exist. ``arm_class`` is the module's ArmResources
    (a name its tests replace)."""
    params = module.params

    # 1. Validate, before any call to Azure.
    rid = module.resolve_id(params["name"], "name", service.provider, service.type_, name_kind=service.name_kind)
    given_ips = None
    if params["ip_rules"] is not None:
        given_ips = [module.validated(ip_rule, value, "ip_rules") for value in params["ip_rules"]]
    given_subnets = None
    if params["virtual_network_rules"] is not None:
        given_subnets = []
        for value in params["virtual_network_rules"]:
            module.validated(subnet_id, value, "virtual_network_rules")
            given_subnets.append(value.strip())
    bypass = module.validated(storage_bypass, params["bypass"], "bypass") if service.bypass_list \
        else params["bypass"]

    # 2. Read the resource.
    arm = arm_class(module, subscription_id=rid.subscription)
    resource = arm.get(str(rid), service.api_version, what=f"reading {service.describe(rid)}")
    if resource is None:
        module.fail_json(msg=f"{service.describe(rid)} was not found in subscription '{rid.subscription}'; create it "
                             "first, or fix name and resource_group")
    before = acl_view(resource, bypass_list=service.bypass_list)

    # 3. Compare what the user set: enums case-insensitively, rule lists as sets.
    desired = {key: params[key] for key in ("public_network_access", "default_action") if params[key] is not None}
    if bypass is not None:
        desired["bypass"] = bypass
    if given_ips is not None:
        desired["ip_rules"] = merge(given_ips, before["ip_rules"], params["purge_ip_rules"], rule_key)
    if given_subnets is not None:
        desired["virtual_network_rules"] = merge(given_subnets, before["virtual_network_rules"],
                                                 params["purge_virtual_network_rules"], id_key)
    normalisers = {"public_network_access": ci, "default_action": ci, "ip_rules": rule_set,
                   "virtual_network_rules": id_set, "bypass": bypass_set if service.bypass_list else ci}
    difference = compare(desired, before, normalisers=normalisers)

    # A new virtual network rule needs the subnet's service endpoint: refused here, before any write.
    if "virtual_network_rules" in difference.changed_keys:
        new = added(desired["virtual_network_rules"], before["virtual_network_rules"], id_key)
        module.validated(check_subnet_endpoints, lambda subnet: get_subnet(module, subnet), new, service.endpoints,
                         f"{service.noun} '{rid.name}'")

    # 4. Apply every change in one PATCH (not in check mode).
    after = dict(before, **{key: desired[key] for key in difference.changed_keys})
    if set(difference.changed_keys) - {"public_network_access"} and not after["default_action"]:
        after["default_action"] = "Allow"  # what acl_patch() sends when the resource has no rule set yet
    warn_acl_consequences(module, service, rid, after, difference)
    if difference.changed and not module.check_mode:
        action = {"action": "Allow"} if service.rule_action else {}
        body = acl_patch(resource, desired, difference.changed_keys, bypass_list=service.bypass_list,
                         ip_rule_body=lambda value: {"value": value, **action},
                         vnet_rule_body=lambda subnet: {"id": subnet, **action})
        updated = arm.patch(str(rid), service.api_version, body,
                            what=f"updating the network rules of {service.describe(rid)}")
        if updated is not None:
            after = acl_view(updated, bypass_list=service.bypass_list)

    # 5. Return.
    module.exit(changed=difference.changed, diff=difference, network=after)
