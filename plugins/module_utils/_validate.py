# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Input checks that run before any call to Azure.

Every check raises ValueError with a message that names the option and says how to fix
it; ``AzureModule.validated()`` turns that into a task failure.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Optional


class Refused(ValueError):
    """A ValueError that also carries keys for the task's failure result (the SKU a feature needs, ...):
    ``AzureModule.validated()`` fails the task with its message and those keys."""

    def __init__(self, message: str, **result: Any) -> None:
        super().__init__(message)
        self.result = result


def cidr(value: Any, option: str) -> str:
    """Return the canonical form of an address prefix such as 10.1.0.0/24.

    ARM rejects a prefix whose address is not the network address (InvalidCIDRNotation);
    catching it here gives the fix instead of a round trip.
    """
    text = str(value or "").strip()
    if "/" not in text:
        raise ValueError(f"{option}: {value!r} is not an address prefix; write it as address/length, "
                         "e.g. 10.0.1.0/24")
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError(f"{option}: {value!r} is not a valid address prefix; write it as address/length, "
                         "e.g. 10.0.1.0/24") from None
    if str(network.network_address) != str(ipaddress.ip_address(text.split("/", 1)[0])):
        raise ValueError(f"{option}: {value!r} has host bits set; for /{network.prefixlen} the prefix is "
                         f"{network}")
    return str(network)


def ip_in_prefix(address: Any, prefix: Any, option: str) -> str:
    """Check that ``address`` lies inside ``prefix``; return the normalised address."""
    try:
        ip = ipaddress.ip_address(str(address).strip())
    except ValueError:
        raise ValueError(f"{option}: {address!r} is not an IP address") from None
    network = ipaddress.ip_network(cidr(prefix, f"{option} (prefix)"))
    if ip.version != network.version or ip not in network:
        raise ValueError(f"{option}: {address} is outside {network}; pick an address inside that range")
    return str(ip)


# Azure naming rules (learn.microsoft.com, "Naming rules and restrictions for Azure resources").
# Each rule: (min length, max length, regex, plain-words description of the rule).
_WORD_CHARS = r"[A-Za-z0-9_.-]"
_WORD_RULE = ("letters, digits, underscores, periods and hyphens; start with a letter or digit, end with a letter, "
              "digit or underscore")
# Virtual networks and private endpoints: 2-64 characters; subnets, peerings, zone links, service endpoint
# policies: 1-80, a single character allowed.
_NETWORK_RULE = (2, 64, re.compile(rf"^[A-Za-z0-9]{_WORD_CHARS}*[A-Za-z0-9_]$"), _WORD_RULE)
_CHILD_RULE = (1, 80, re.compile(rf"^[A-Za-z0-9](?:{_WORD_CHARS}*[A-Za-z0-9_])?$"), _WORD_RULE)
_DNS_RESOLVER_RULE = (1, 80, re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$"),
                      "letters, digits, underscores and hyphens; start and end with a letter or digit")
NAME_RULES = {
    "resource_group": (1, 90, re.compile(r"^[-\w._()]*[-\w_()]$"),
                       "letters, digits, underscores, hyphens, periods and parentheses, not ending with a period"),
    "virtual_network": _NETWORK_RULE,
    "subnet": _CHILD_RULE,
    "virtual_network_peering": _CHILD_RULE,
    "virtual_network_link": _CHILD_RULE,
    "private_endpoint": _NETWORK_RULE,
    "registry": (5, 50, re.compile(r"^[A-Za-z0-9]+$"), "letters and digits only (no hyphens)"),
    "service_endpoint_policy": _CHILD_RULE,
    # Microsoft Learn, azure-resource-manager/management/resource-name-rules.md: storage accounts 3-24 lowercase
    # letters and digits; key vaults 3-24 letters, digits and hyphens, starting with a letter, ending with a letter
    # or digit, no two hyphens in a row; SQL servers 1-63 lowercase letters, digits and hyphens, not starting or
    # ending with a hyphen.
    "storage_account": (3, 24, re.compile(r"^[a-z0-9]+$"), "lowercase letters and digits only"),
    "key_vault": (3, 24, re.compile(r"^[A-Za-z](?!.*--)[A-Za-z0-9-]*[A-Za-z0-9]$"),
                  "letters, digits and hyphens; start with a letter, end with a letter or digit, no two hyphens "
                  "in a row"),
    "sql_server": (1, 63, re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"),
                   "lowercase letters, digits and hyphens, not starting or ending with a hyphen"),
    # The same article: DNS resolvers, their inbound and outbound endpoints, and DNS forwarding rulesets take 1-80
    # alphanumerics, underscores and hyphens, starting and ending with an alphanumeric.
    "dns_resolver": _DNS_RESOLVER_RULE,
    "dns_resolver_endpoint": _DNS_RESOLVER_RULE,
    "dns_forwarding_ruleset": _DNS_RESOLVER_RULE,
}

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def subscription_id(value: Any, option: str = "subscription_id") -> str:
    """A subscription id is a GUID, in every Azure cloud (Azure Stack Hub's too); catching a name
    given in its place here beats ARM's 'not found' on the first read."""
    text = str(value or "").strip()
    if not _GUID.match(text):
        raise ValueError(f"{option}: {value!r} is not a subscription id; give the subscription's GUID "
                         "(az account show --query id), not its name")
    return text


_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")


def name(kind: str, value: Any, option: str) -> str:
    """Check an Azure resource name against the naming rule for ``kind`` (a NAME_RULES key,
    or ``private_dns_zone``)."""
    if kind == "private_dns_zone":
        return dns_zone_name(value, option)
    low, high, pattern, words = NAME_RULES[kind]
    text = str(value or "")
    if not low <= len(text) <= high:
        raise ValueError(f"{option}: {text!r} has {len(text)} characters; a {kind.replace('_', ' ')} name "
                         f"needs {low} to {high}")
    if not pattern.match(text):
        raise ValueError(f"{option}: {text!r} is not a valid {kind.replace('_', ' ')} name; use {words}")
    return text


def dns_zone_name(value: Any, option: str) -> str:
    """A Private DNS zone name: two or more labels, each 1-63 characters, 253 in total."""
    text = str(value or "").strip().rstrip(".").lower()
    labels = text.split(".")
    if len(labels) < 2:
        raise ValueError(f"{option}: {value!r} needs at least two labels, e.g. privatelink.azurecr.io")
    if len(text) > 253 or not all(_DNS_LABEL.match(label) for label in labels):
        raise ValueError(f"{option}: {value!r} is not a valid DNS zone name; labels are 1-63 letters, digits "
                         "or hyphens (not at either end), 253 characters in total")
    return text


# A private link service's alias (Microsoft Learn, private-link/private-link-service-overview.md, "Alias"):
# Prefix.GUID.Suffix, the prefix the service's name (privateLinkServices naming rule: 1-80 letters, digits,
# underscores, periods and hyphens, starting with a letter or digit and ending with a letter, digit or underscore),
# the GUID the platform's, the suffix region.azure.privatelinkservice.
ALIAS_SUFFIX = ".azure.privatelinkservice"
_ALIAS = re.compile(r"^(?P<prefix>[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?)\."
                    r"(?P<guid>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\."
                    r"(?P<region>[a-z0-9]+)" + re.escape(ALIAS_SUFFIX) + "$", re.I)
_ALIAS_FORM = "<service name>.<GUID>.<region>.azure.privatelinkservice"


def is_private_link_service_alias(value: Any) -> bool:
    """True for what a connection's privateLinkServiceId holds when it names a private link service by alias: a
    value ending in .azure.privatelinkservice that is not a resource id (the test Terraform's azurerm provider makes
    when it reads an endpoint back). Looser than private_link_service_alias(), which checks what a task gives."""
    return (isinstance(value, str) and not value.strip().startswith("/")
            and value.strip().lower().endswith(ALIAS_SUFFIX))


def private_link_service_alias(value: Any, option: str) -> str:
    """A private link service alias, checked for its form; returns it without surrounding blanks."""
    text = str(value or "").strip()
    if _ALIAS.match(text):
        return text
    if text.startswith("/"):
        raise ValueError(f"{option}: {text!r} is a resource id, not an alias; give the service's resource id as "
                         "target_id instead, or its alias here")
    raise ValueError(f"{option}: {text!r} is not a private link service alias; an alias has the form "
                     f"{_ALIAS_FORM} (e.g. pls-orders.6f1c2b7e-0d0a-4b7a-9b36-2f1d0c6d7a11.westeurope"
                     f"{ALIAS_SUFFIX}): copy it whole from the service's provider (the alias that "
                     "privnet.azure.private_link_service returns)")


def alias_prefix(alias: str) -> Optional[str]:
    """The prefix of an alias, which is its service's name; None when the alias is not of the documented form."""
    match = _ALIAS.match(alias.strip())
    return match.group("prefix") if match else None
