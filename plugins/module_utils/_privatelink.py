# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private Link names: which record in a privatelink zone serves a member's public name.

A service publishes ``<x>.azurecr.io``; Azure DNS answers it with a CNAME to
``<x>.privatelink.azurecr.io``, so the record that matters is ``<x>`` in the zone
``privatelink.azurecr.io``. Data endpoints work alike: ``<x>.<region>.data.azurecr.io`` is
served by ``<x>.<region>.data`` in the same zone.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Optional

PRIVATELINK = "privatelink."
# Zones whose services publish names under a suffix other than the zone minus "privatelink.".
EXTRA_SUFFIXES = {
    "privatelink.vaultcore.azure.net": ["vault.azure.net"],
}
# The zone each kind of private link target needs in the public cloud (the documented zone names).
ZONE_OF_TARGET = {
    "microsoft.containerregistry/registries": "privatelink.azurecr.io",
}
# A service's public name suffix -> the private DNS zone that serves it, in each cloud: Microsoft
# Learn, articles/private-link/private-endpoint-dns.md, the tables for Azure commercial, Azure
# Government and Azure operated by 21Vianet (China). The suffix differs per cloud, so the zone does too.
ZONE_OF_SUFFIX = {
    "azurecr.io": "privatelink.azurecr.io",
    "azurecr.us": "privatelink.azurecr.us",
    "azurecr.cn": "privatelink.azurecr.cn",
}


# What check mode shows for an address Azure gives only when the endpoint is created (the private
# IP of a member of an endpoint that does not exist yet). private_dns_records takes it in check
# mode only, so that `--check` on an empty estate predicts the records a real run writes.
KNOWN_AFTER_APPLY = "(known after apply)"

# A registry's data endpoint members are registry_data_<region>, serving <registry>.<region>.data.<suffix>.
_REGISTRY_DATA = "registry_data_"


def predicted_fqdns(resource_name: str, member: str, zone_names: Optional[Iterable[str]]) -> list[str]:
    """The public names an endpoint member will serve, as Azure sets them on the endpoint's network
    interface: ``<resource>.<suffix>`` for the member named like its group (``registry``, ``blob``,
    ...), ``<registry>.<region>.data.<suffix>`` for a registry's data member; [] when unknown."""
    names = []
    for zone in zone_names or []:
        zone = str(zone).strip().strip(".").lower()
        if not zone.startswith(PRIVATELINK):
            continue
        suffix = zone[len(PRIVATELINK):]
        if member.startswith(_REGISTRY_DATA):
            names.append(f"{resource_name}.{member[len(_REGISTRY_DATA):]}.data.{suffix}".lower())
        else:
            names.append(f"{resource_name}.{suffix}".lower())
    return names


def zone_of_name(fqdn: Optional[str]) -> str | None:
    """The documented private DNS zone serving a service's public name (``myreg.azurecr.us`` ->
    ``privatelink.azurecr.us``), or None when the name's suffix is not in the table."""
    name = str(fqdn or "").strip().rstrip(".").lower()
    for suffix in sorted(ZONE_OF_SUFFIX, key=len, reverse=True):
        if name.endswith("." + suffix):
            return ZONE_OF_SUFFIX[suffix]
    return None


# A registry's data endpoint <reg>.<region>.data.azurecr.io may instead be served by a regional zone,
# {regionName}.data.privatelink.azurecr.io (Microsoft Learn, private-endpoint-dns.md, Container Registry row
# of the commercial table). The Government table's regional row ({regionName}.privatelink.azurecr.us) names no
# data endpoint host and the China table has none, so regional data zones are offered in the public cloud only.
REGIONAL_DATA_SUFFIXES = ("azurecr.io",)


def regional_data_zone(fqdn: Optional[str]) -> str | None:
    """``westeurope.data.privatelink.azurecr.io`` for ``myreg.westeurope.data.azurecr.io``; None for a name
    that is no registry data endpoint of a cloud whose table lists regional zones."""
    labels = str(fqdn or "").strip().rstrip(".").lower().split(".")
    if len(labels) == 5 and labels[2] == "data" and ".".join(labels[3:]) in REGIONAL_DATA_SUFFIXES:
        return f"{labels[1]}.data.{PRIVATELINK}{'.'.join(labels[3:])}"
    return None


def public_suffixes(zone: str, suffixes: str | Iterable[str] | None = None) -> list[str]:
    """The public name suffixes a privatelink zone serves, longest first."""
    zone = zone.strip().strip(".").lower()
    if suffixes is not None:
        chosen = [str(s).strip().strip(".").lower() for s in ([suffixes] if isinstance(suffixes, str) else suffixes)]
    elif zone.startswith(PRIVATELINK):
        chosen = [zone[len(PRIVATELINK):]] + EXTRA_SUFFIXES.get(zone, [])
    elif "." + PRIVATELINK in zone:
        # A zone with labels before "privatelink" ({region}.data.privatelink.azurecr.io) serves the name without it.
        chosen = [zone.replace("." + PRIVATELINK, ".", 1)]
    else:
        chosen = []
    # Names already under the zone itself (<x>.privatelink.azurecr.io) map to <x> too.
    return sorted({s for s in chosen + [zone] if s}, key=len, reverse=True)


def relative_name(fqdn: str, suffixes: Iterable[str]) -> Optional[str]:
    """The record name serving ``fqdn`` in the zone whose public suffixes are given, or None."""
    fqdn = str(fqdn).strip().rstrip(".").lower()
    for suffix in suffixes:
        if fqdn.endswith("." + suffix) and len(fqdn) > len(suffix) + 1:
            return fqdn[:-len(suffix) - 1]
    return None
