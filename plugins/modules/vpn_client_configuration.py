#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vpn_client_configuration
short_description: Point-to-site settings of an existing VPN gateway - address pool, tunnel types, certificates, Entra ID
version_added: 0.1.0
description:
  - Sets the point-to-site (user VPN) configuration of a VPN gateway made with M(privnet.azure.vpn_gateway) - the
    client address pool, the tunnel types, the authentication types, the trusted root certificates and the Microsoft
    Entra ID tenant, audience and issuer.
  - Read-modify-write of the gateway's C(vpnClientConfiguration) - only the options given are compared and changed;
    everything else of the gateway and of its point-to-site settings (revoked certificates, RADIUS, custom IPsec
    policies...) is sent back as read.
  - Before any write the module checks what Azure documents. The address pool must not overlap the virtual network's
    address space. Microsoft Entra ID authentication works with the OpenVPN tunnel type only and needs the tenant,
    audience and issuer. Certificate authentication needs a root certificate (at most 20). The V(Basic) gateway SKU
    takes neither IKEv2 nor OpenVPN.
  - Azure takes some minutes to apply a change to a gateway; a gateway still being created is waited for first (not
    with O(wait=false), which fails instead).
author:
  - privnet maintainers (!UNKNOWN)
options:
  virtual_network_gateway:
    description:
      - The VPN gateway, by name (in O(resource_group)) or resource id.
    type: str
    required: true
  resource_group:
    description:
      - Resource group of O(virtual_network_gateway) given by name.
    type: str
  address_pool:
    description:
      - The address prefixes VPN clients get their addresses from, outside the virtual network's address space. The
        complete list (order ignored). Required when the gateway has no point-to-site configuration yet.
    type: list
    elements: str
  tunnel_types:
    description:
      - The tunnel types clients may use. The complete list (order ignored).
    type: list
    elements: str
    choices: [IkeV2, SSTP, OpenVPN]
  auth_types:
    description:
      - The authentication types. The complete list (order ignored). V(AAD) is Microsoft Entra ID.
    type: list
    elements: str
    choices: [Certificate, AAD]
  root_certificates:
    description:
      - Trusted root certificates for V(Certificate) authentication, by name. Added to the gateway's list (a certificate
        of the same name is replaced), unless O(purge_root_certificates=true).
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the certificate on the gateway.
        type: str
        required: true
      public_cert_data:
        description:
          - The certificate's public data - the base64 of the root certificate, as in a PEM file (the BEGIN and END
            lines may be included; they are removed).
        type: str
        required: true
  purge_root_certificates:
    description:
      - With V(true), O(root_certificates) is the complete list and the others are removed.
    type: bool
    default: false
  aad_tenant:
    description:
      - For V(AAD) authentication, the tenant URL, for example C(https://login.microsoftonline.com/<tenant id>/).
    type: str
  aad_audience:
    description:
      - For V(AAD) authentication, the application id of the Azure VPN client (the audience).
    type: str
  aad_issuer:
    description:
      - For V(AAD) authentication, the issuer URL, for example C(https://sts.windows.net/<tenant id>/).
    type: str
  wait_timeout:
    description:
      - How many seconds to wait in total, including for a gateway still being created (30 to 45 minutes).
    type: int
    default: 3600
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
      - The diff shows the fields the task sets, before and after; root certificates by name with a digest of their
        data.
  idempotent:
    support: full
seealso:
  - module: privnet.azure.vpn_gateway
  - name: About point-to-site VPN
    description: Tunnel types, authentication types and what each client supports.
    link: https://learn.microsoft.com/azure/vpn-gateway/point-to-site-about
  - name: Configure P2S VPN Gateway for Microsoft Entra ID authentication
    description: Tenant, audience and issuer values.
    link: https://learn.microsoft.com/azure/vpn-gateway/point-to-site-entra-gateway
"""

EXAMPLES = r"""
- name: Certificate authentication for IKEv2 and OpenVPN clients
  privnet.azure.vpn_client_configuration:
    virtual_network_gateway: vpngw-hub
    resource_group: rg-hub
    address_pool: [172.16.201.0/24]
    tunnel_types: [IkeV2, OpenVPN]
    auth_types: [Certificate]
    root_certificates:
      - name: P2SRootCert
        public_cert_data: "{{ lookup('ansible.builtin.file', 'p2s-root.cer') }}"

- name: Microsoft Entra ID authentication (OpenVPN only)
  privnet.azure.vpn_client_configuration:
    virtual_network_gateway: vpngw-hub
    resource_group: rg-hub
    address_pool: [172.16.201.0/24]
    tunnel_types: [OpenVPN]
    auth_types: [AAD]
    aad_tenant: https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/
    aad_audience: c632b3df-fb67-4d84-bdcf-b95ad541b5c8
    aad_issuer: https://sts.windows.net/00000000-0000-0000-0000-000000000000/
"""

RETURN = r"""
vpn_client_configuration:
  description: The gateway's point-to-site settings after the change; in check mode, as they would be.
  returned: success
  type: dict
  contains:
    address_pool:
      description: Client address prefixes.
      type: list
      elements: str
      returned: always
    tunnel_types:
      description: Tunnel types.
      type: list
      elements: str
      returned: always
    auth_types:
      description: Authentication types.
      type: list
      elements: str
      returned: always
    root_certificates:
      description: Root certificates (name, public_cert_data).
      type: list
      elements: dict
      returned: always
    aad_tenant:
      description: Entra ID tenant URL.
      type: str
      returned: always
    aad_audience:
      description: Entra ID audience.
      type: str
      returned: always
    aad_issuer:
      description: Entra ID issuer URL.
      type: str
      returned: always
vpn_gateway_id:
  description: Resource id of the gateway.
  returned: success
  type: str
provisioning_state:
  description: The gateway's provisioning state after the change (V(Updating) with O(wait=false)).
  returned: success
  type: str
  sample: Succeeded
"""

import hashlib
import ipaddress
import re

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API, properties
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import Difference, ci, unordered
from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._vpn import (
    GATEWAY_TYPE,
    NETWORK,
    certificate_data,
    check_name,
    check_prefixes,
    client_configuration_result,
    gateway_sendable,
    gateway_subnet_id,
    in_progress,
    provisioning,
)

ARGUMENT_SPEC = dict(
    virtual_network_gateway=dict(type="str", required=True),
    resource_group=dict(type="str"),
    address_pool=dict(type="list", elements="str"),
    tunnel_types=dict(type="list", elements="str", choices=["IkeV2", "SSTP", "OpenVPN"]),
    auth_types=dict(type="list", elements="str", choices=["Certificate", "AAD"]),
    root_certificates=dict(type="list", elements="dict", options=dict(
        name=dict(type="str", required=True),
        public_cert_data=dict(type="str", required=True),
    )),
    purge_root_certificates=dict(type="bool", default=False),
    aad_tenant=dict(type="str"),
    aad_audience=dict(type="str"),
    aad_issuer=dict(type="str"),
    wait_timeout=dict(type="int", default=3600),
)
# "You can upload up to 20 root certificates" (Microsoft Learn, vpn-gateway/point-to-site-about.md, certificate
# authentication).
MAX_ROOT_CERTIFICATES = 20
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
NORMALISERS = {"address_pool": unordered(), "tunnel_types": unordered(ci), "auth_types": unordered(ci)}


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True,
                         required_together=[("aad_tenant", "aad_audience", "aad_issuer")])
    params = module.params

    # 1. Validate what needs no call to Azure.
    gateway_rid = module.resolve_id(params["virtual_network_gateway"], "virtual_network_gateway", NETWORK,
                                    GATEWAY_TYPE)
    module.validated(check_name, gateway_rid.name, "virtual_network_gateway", "virtual network gateway")
    gateway_id = str(gateway_rid)
    what = f"VPN gateway '{gateway_rid.name}' (resource group '{gateway_rid.resource_group}')"
    pool = module.validated(check_prefixes, params["address_pool"], "address_pool") if params["address_pool"] else None
    certificates = None
    if params["root_certificates"] is not None:
        certificates = [{"name": module.validated(check_name, c["name"], f"root_certificates[{i}].name", "certificate"),
                         "public_cert_data": module.validated(certificate_data, c["public_cert_data"],
                                                              f"root_certificates[{i}].public_cert_data")}
                        for i, c in enumerate(params["root_certificates"])]
    module.validated(check_aad, params)

    # 2. Read the gateway (waited for while Azure creates it).
    arm = module.arm(gateway_rid.subscription)
    gateway = arm.get(gateway_id, NETWORK_API, what=f"reading {what}")
    if gateway is None:
        module.fail_json(msg=f"virtual_network_gateway: {what} was not found; create it first "
                             "(privnet.azure.vpn_gateway) or fix the name. Nothing was changed.")
    if in_progress(gateway) and module.wait and not module.check_mode:
        gateway = module.wait_until(lambda: arm.get(gateway_id, NETWORK_API, what=f"reading {what}"),
                                    lambda g: g is None or not in_progress(g),
                                    lambda g: f"{what} to be provisioned (last state: {provisioning(g)})")

    # 3. Compare, with the checks that need the gateway and its virtual network.
    props = properties(gateway)
    config = props.get("vpnClientConfiguration") if isinstance(props.get("vpnClientConfiguration"), dict) else {}
    now = client_configuration_result(config)
    desired = desired_fields(module, now, pool, certificates)
    check_against_gateway(module, arm, gateway, now, desired, what)
    difference = Difference()
    for key in sorted(desired):
        if key == "root_certificates":
            difference.add(key, digests(now[key]), digests(desired[key]))
        else:
            difference.add(key, now[key], desired[key], NORMALISERS.get(key))
    if difference.changed and in_progress(gateway) and not module.check_mode:
        module.fail_json(msg=f"wait: {what} is still {provisioning(gateway)}; this change must wait for it: run the "
                             "task with wait: true, or later. Nothing was changed.")

    # 4. Apply: the gateway as read, with its point-to-site settings changed.
    result = gateway
    if difference.changed:
        body = gateway_sendable(gateway)
        body["properties"]["vpnClientConfiguration"] = wire_config(body["properties"].get("vpnClientConfiguration"),
                                                                   desired)
        if module.check_mode:
            result = body
        else:
            result = arm.put(gateway_id, NETWORK_API, body, what=f"updating the point-to-site configuration of {what}")
            if result is None:  # wait=false
                result = arm.get(gateway_id, NETWORK_API, what=f"reading {what}") or body

    # 5. Return.
    module.exit(changed=difference.changed, diff=difference, vpn_gateway_id=gateway_id,
                provisioning_state=provisioning(result) or None,
                vpn_client_configuration=client_configuration_result(
                    properties(result).get("vpnClientConfiguration")))


def check_aad(params):
    if not params["aad_tenant"]:
        return
    for option in ("aad_tenant", "aad_issuer"):
        if not str(params[option]).startswith("https://"):
            raise ValueError(f"{option}: {params[option]!r} is not a URL; give it as https://... (see the examples)")
    if not _GUID.match(str(params["aad_audience"]).strip()):
        raise ValueError(f"aad_audience: {params['aad_audience']!r} is not an application id (a GUID)")


def desired_fields(module, now, pool, certificates):
    params = module.params
    desired = {}
    if pool is not None:
        desired["address_pool"] = pool
    if params["tunnel_types"] is not None:
        desired["tunnel_types"] = list(dict.fromkeys(params["tunnel_types"]))
    if params["auth_types"] is not None:
        desired["auth_types"] = list(dict.fromkeys(params["auth_types"]))
    if certificates is not None:
        if params["purge_root_certificates"]:
            merged = certificates
        else:
            given = {c["name"].lower() for c in certificates}
            merged = [c for c in now["root_certificates"] if str(c["name"]).lower() not in given] + certificates
        desired["root_certificates"] = merged
    if params["aad_tenant"]:
        for option in ("aad_tenant", "aad_audience", "aad_issuer"):
            desired[option] = params[option].strip()
    return desired


def check_against_gateway(module, arm, gateway, now, desired, what):
    """Azure's documented rules for the settings as they would be, before any write."""
    after = dict(now, **desired)
    sku = str((properties(gateway).get("sku") or {}).get("name"))
    tunnels = {t.lower() for t in after["tunnel_types"]}
    auths = {a.lower() for a in after["auth_types"]}
    if not after["address_pool"]:
        module.fail_json(msg=f"address_pool: {what} has no point-to-site address pool yet; give the client address "
                             "prefixes. Nothing was changed.")
    if sku == "Basic" and tunnels & {"ikev2", "openvpn"}:
        module.fail_json(msg="tunnel_types: the Basic gateway SKU supports SSTP only for point-to-site (no IKEv2, no "
                             "OpenVPN); use SSTP, or a VpnGw SKU gateway. Nothing was changed.")
    if "aad" in auths:
        if tunnels != {"openvpn"}:
            module.fail_json(msg="tunnel_types: Microsoft Entra ID authentication (AAD) works with the OpenVPN tunnel "
                                 "type only; set tunnel_types: [OpenVPN]. Nothing was changed.")
        if not (after["aad_tenant"] and after["aad_audience"] and after["aad_issuer"]):
            module.fail_json(msg="aad_tenant: AAD authentication needs aad_tenant, aad_audience and aad_issuer. "
                                 "Nothing was changed.")
    if "certificate" in auths and not after["root_certificates"]:
        module.fail_json(msg="root_certificates: Certificate authentication needs at least one root certificate. "
                             "Nothing was changed.")
    if len(after["root_certificates"]) > MAX_ROOT_CERTIFICATES:
        module.fail_json(msg=f"root_certificates: {len(after['root_certificates'])} certificates; a gateway takes at "
                             f"most {MAX_ROOT_CERTIFICATES}. Nothing was changed.")
    if "address_pool" in desired:
        subnet = gateway_subnet_id(gateway)
        if subnet:
            vnet_rid = parse_resource_id(subnet).parent
            vnet = arm.get(str(vnet_rid), NETWORK_API, what=f"reading virtual network '{vnet_rid.name}'") or {}
            space = [ipaddress.ip_network(p) for p in (properties(vnet).get("addressSpace") or {})
                     .get("addressPrefixes") or []]
            for prefix in desired["address_pool"]:
                network = ipaddress.ip_network(prefix)
                clash = [str(s) for s in space if s.version == network.version and s.overlaps(network)]
                if clash:
                    module.fail_json(msg=f"address_pool: {prefix} overlaps the address space of virtual network "
                                         f"'{vnet_rid.name}' ({', '.join(clash)}); clients need a pool outside it. "
                                         "Nothing was changed.")


def digests(certificates):
    """Root certificates for the diff: name -> a short digest of the data (the data itself is long)."""
    return {c["name"]: "sha256:" + hashlib.sha256(str(c["public_cert_data"]).encode()).hexdigest()[:16]
            for c in certificates}


def wire_config(config, desired):
    config = dict(config or {})
    if "address_pool" in desired:
        config["vpnClientAddressPool"] = dict(config.get("vpnClientAddressPool") or {},
                                              addressPrefixes=desired["address_pool"])
    if "tunnel_types" in desired:
        config["vpnClientProtocols"] = desired["tunnel_types"]
    if "auth_types" in desired:
        config["vpnAuthenticationTypes"] = desired["auth_types"]
    if "root_certificates" in desired:
        kept = {str(c.get("name")).lower(): c for c in config.get("vpnClientRootCertificates") or []}
        certificates = []
        for cert in desired["root_certificates"]:
            old = kept.get(cert["name"].lower())
            if old is not None and properties(old).get("publicCertData") == cert["public_cert_data"]:
                certificates.append(old)
            else:
                certificates.append({"name": cert["name"], "properties": {"publicCertData": cert["public_cert_data"]}})
        config["vpnClientRootCertificates"] = certificates
    for option, wire in (("aad_tenant", "aadTenant"), ("aad_audience", "aadAudience"), ("aad_issuer", "aadIssuer")):
        if option in desired:
            config[wire] = desired[option]
    return config


if __name__ == "__main__":
    main()
