#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vpn_connection
short_description: A VNet-to-VNet connection (both ends in one task) or a site-to-site connection of a VPN gateway
version_added: 0.1.0
description:
  - Creates, updates or deletes Azure virtual network gateway connections (C(az network vpn-connection)).
  - VNet-to-VNet (O(remote_virtual_network_gateway)) - one task manages both ends, as Azure needs them. The connection
    O(name) on O(virtual_network_gateway) and the connection O(remote_name) on the remote gateway (in the remote
    gateway's resource group and subscription), with the same shared key, the same custom IPsec/IKE policy and the
    same BGP setting.
  - Site-to-site (O(local_network_gateway)) - the connection from O(virtual_network_gateway) to an on-premises VPN
    device (M(privnet.azure.local_network_gateway)). The device must be configured with the same shared key.
  - The shared key is compared through Azure's C(sharedkey) operation of each connection; it never appears in the
    module's result or diff (the diff says only whether it differs), and O(shared_key) is C(no_log).
  - Before any write, the gateways (and the local network gateway) must exist and be provisioned, BGP must be on for
    the gateways when O(enable_bgp=true), and a custom IPsec/IKE policy is refused on the V(Basic) SKU.
  - With O(wait_connected=true) the module then waits, up to O(wait_timeout), until every end it manages reports
    C(Connected), and fails with the last status of each end when the time is up.
  - Only the options given are compared and changed; an update sends back each connection as read (with its current
    shared key), so properties this module does not manage are kept.
author:
  - privnet maintainers (!UNKNOWN)
options:
  name:
    description:
      - Name of the connection on O(virtual_network_gateway), in O(resource_group).
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the connection O(name). Also the default resource group of the gateways given by name.
    type: str
    required: true
  virtual_network_gateway:
    description:
      - The VPN gateway of this end, by name (in O(resource_group)) or resource id.
    type: str
    required: true
  remote_virtual_network_gateway:
    description:
      - For a VNet-to-VNet connection, the VPN gateway of the other end, by name (in O(resource_group)) or resource id
        (in any resource group or subscription).
      - Mutually exclusive with O(local_network_gateway).
    type: str
  remote_name:
    description:
      - Name of the connection on O(remote_virtual_network_gateway), back to O(virtual_network_gateway); it goes in the
        remote gateway's resource group and subscription.
      - Default C(<remote gateway>-to-<gateway>), for example C(vpngw-dr-to-vpngw-hub).
    type: str
  local_network_gateway:
    description:
      - For a site-to-site connection, the local network gateway standing for the on-premises device, by name (in
        O(resource_group)) or resource id.
    type: str
  shared_key:
    description:
      - The pre-shared key of the connection (1 to 128 printable ASCII characters), the same at both ends.
      - Required to create a connection. Left out, an existing connection keeps its key.
    type: str
  connection_protocol:
    description:
      - V(IKEv2) or V(IKEv1). A new connection gets V(IKEv2) when not given.
    type: str
    choices: [IKEv2, IKEv1]
  enable_bgp:
    description:
      - Whether the connection exchanges routes with BGP. The gateways (and the local network gateway's BGP settings)
        must have BGP. A new connection gets V(false) when not given.
    type: bool
  ipsec_policy:
    description:
      - A custom IPsec/IKE policy, applied to both ends of a VNet-to-VNet connection. Left out, the connection keeps
        its policy (Azure's default set when it has none).
    type: dict
    suboptions:
      sa_lifetime_seconds:
        description: IPsec SA lifetime in seconds (300 or more).
        type: int
        required: true
      sa_data_size_kilobytes:
        description: IPsec SA payload size in KB (1024 or more).
        type: int
        required: true
      ipsec_encryption:
        description: IPsec (IKE phase 2) encryption.
        type: str
        required: true
        choices: [None, DES, DES3, AES128, AES192, AES256, GCMAES128, GCMAES192, GCMAES256]
      ipsec_integrity:
        description: IPsec (IKE phase 2) integrity; with a GCMAES encryption, the same GCMAES.
        type: str
        required: true
        choices: [MD5, SHA1, SHA256, GCMAES128, GCMAES192, GCMAES256]
      ike_encryption:
        description: IKE phase 1 encryption.
        type: str
        required: true
        choices: [DES, DES3, AES128, AES192, AES256, GCMAES128, GCMAES256]
      ike_integrity:
        description: IKE phase 1 integrity.
        type: str
        required: true
        choices: [MD5, SHA1, SHA256, SHA384, GCMAES128, GCMAES256]
      dh_group:
        description: IKE phase 1 Diffie-Hellman group.
        type: str
        required: true
        choices: [None, DHGroup1, DHGroup2, DHGroup14, DHGroup2048, ECP256, ECP384, DHGroup24]
      pfs_group:
        description: IKE phase 2 perfect forward secrecy group.
        type: str
        required: true
        choices: [None, PFS1, PFS2, PFS2048, ECP256, ECP384, PFS24, PFS14, PFSMM]
  tags:
    description:
      - Tags of the connection (both ends of a VNet-to-VNet connection).
    type: dict
  purge_tags:
    description:
      - With V(true), tags not in O(tags) are removed; with V(false) they are kept. Only used with O(tags).
    type: bool
    default: true
  wait_connected:
    description:
      - Wait, up to O(wait_timeout), until every end reports C(Connected); fail with the last status of each end
        otherwise. Not in check mode.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the connection (both ends for VNet-to-VNet); V(absent) deletes it (both ends).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.wait
  - privnet.azure.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads both ends and the shared keys, makes the same checks, writes nothing and returns the ends as they would
        be.
  diff_mode:
    support: full
    details:
      - For each end, the fields the task sets before and after; for the shared key only whether it differs.
  idempotent:
    support: full
notes:
  - Azure creates a connection in minutes, but only once both gateways are provisioned (30-45 minutes after their
    creation); use M(privnet.azure.vpn_gateway) with O(privnet.azure.vpn_gateway#module:wait=true) first.
seealso:
  - module: privnet.azure.vpn_gateway
  - module: privnet.azure.local_network_gateway
  - name: Configure a VNet-to-VNet VPN gateway connection
    description: Both connections, the shared key, and how the status reaches Connected.
    link: https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-howto-vnet-vnet-resource-manager-portal
  - name: Custom IPsec/IKE policies
    description: Algorithms, lifetimes and the GCMAES rule.
    link: https://learn.microsoft.com/azure/vpn-gateway/ipsec-ike-policy-howto
"""

EXAMPLES = r"""
- name: Connect the hub with the second region, both ends, and wait until Connected
  privnet.azure.vpn_connection:
    name: vpngw-hub-to-vpngw-dr
    resource_group: rg-hub
    virtual_network_gateway: vpngw-hub
    remote_virtual_network_gateway: "{{ dr_gateway_id }}"
    shared_key: "{{ vault_vnet2vnet_key }}"
    enable_bgp: true
    wait_connected: true
    wait_timeout: 900

- name: Site-to-site to the head office, with a custom IPsec/IKE policy
  privnet.azure.vpn_connection:
    name: hub-to-head-office
    resource_group: rg-hub
    virtual_network_gateway: vpngw-hub
    local_network_gateway: lng-head-office
    shared_key: "{{ vault_office_key }}"
    ipsec_policy:
      sa_lifetime_seconds: 27000
      sa_data_size_kilobytes: 102400000
      ipsec_encryption: GCMAES256
      ipsec_integrity: GCMAES256
      ike_encryption: AES256
      ike_integrity: SHA384
      dh_group: DHGroup24
      pfs_group: PFS24
"""

RETURN = r"""
connection:
  description:
    - The connection O(name) after the change; in check mode, as it would be. Empty after O(state=absent).
    - Never holds the shared key.
  returned: success
  type: dict
  contains: &connection
    id:
      description: Resource id of the connection.
      type: str
      returned: when present
    name:
      description: Name of the connection.
      type: str
      returned: when present
    resource_group:
      description: Its resource group.
      type: str
      returned: when present
    location:
      description: Its region (its gateway's).
      type: str
      returned: when present
    connection_type:
      description: V(Vnet2Vnet) or V(IPsec).
      type: str
      returned: when present
    virtual_network_gateway_id:
      description: Its own gateway.
      type: str
      returned: when present
    remote_virtual_network_gateway_id:
      description: The other gateway (VNet-to-VNet), else null.
      type: str
      returned: when present
    local_network_gateway_id:
      description: The local network gateway (site-to-site), else null.
      type: str
      returned: when present
    connection_protocol:
      description: V(IKEv2) or V(IKEv1).
      type: str
      returned: when present
    enable_bgp:
      description: Whether BGP is on.
      type: bool
      returned: when present
    ipsec_policy:
      description: The custom IPsec/IKE policy (the option's fields), or null for Azure's default set.
      type: dict
      returned: when present
    connection_status:
      description: V(Unknown), V(Connecting), V(Connected) or V(NotConnected), as Azure last reported it.
      type: str
      returned: when present
      sample: Connected
    tags:
      description: Tags.
      type: dict
      returned: when present
    provisioning_state:
      description: Provisioning state.
      type: str
      returned: when present
remote_connection:
  description:
    - The connection O(remote_name) on the remote gateway (VNet-to-VNet); empty for site-to-site and after
      O(state=absent). Never holds the shared key.
  returned: success
  type: dict
  contains: *connection
connection_status:
  description: The status of the connection O(name) (see RV(connection.connection_status)); null when absent.
  returned: success
  type: str
  sample: Connected
"""

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API, properties, ref
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import ABSENT, Difference, ci
from ansible_collections.privnet.azure.plugins.module_utils._ids import build_resource_id, parse_resource_id, same_id
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name
from ansible_collections.privnet.azure.plugins.module_utils._vpn import (
    CONNECTION_READ_ONLY_PROPERTIES,
    CONNECTION_TYPE,
    GATEWAY_TYPE,
    LOCAL_GATEWAY_TYPE,
    NETWORK,
    check_name,
    check_shared_key,
    connection_result,
    in_progress,
    ipsec_policy_result,
    ipsec_policy_wire,
    provisioning,
    sendable,
    tags_wanted,
)

IPSEC_CHOICES = dict(
    ipsec_encryption=["None", "DES", "DES3", "AES128", "AES192", "AES256", "GCMAES128", "GCMAES192", "GCMAES256"],
    ipsec_integrity=["MD5", "SHA1", "SHA256", "GCMAES128", "GCMAES192", "GCMAES256"],
    ike_encryption=["DES", "DES3", "AES128", "AES192", "AES256", "GCMAES128", "GCMAES256"],
    ike_integrity=["MD5", "SHA1", "SHA256", "SHA384", "GCMAES128", "GCMAES256"],
    dh_group=["None", "DHGroup1", "DHGroup2", "DHGroup14", "DHGroup2048", "ECP256", "ECP384", "DHGroup24"],
    pfs_group=["None", "PFS1", "PFS2", "PFS2048", "ECP256", "ECP384", "PFS24", "PFS14", "PFSMM"],
)
IPSEC_OPTIONS = dict(sa_lifetime_seconds=dict(type="int", required=True),
                     sa_data_size_kilobytes=dict(type="int", required=True),
                     **{k: dict(type="str", required=True, choices=v) for k, v in IPSEC_CHOICES.items()})
ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    resource_group=dict(type="str", required=True),
    virtual_network_gateway=dict(type="str", required=True),
    remote_virtual_network_gateway=dict(type="str"),
    remote_name=dict(type="str"),
    local_network_gateway=dict(type="str"),
    shared_key=dict(type="str", no_log=True),
    connection_protocol=dict(type="str", choices=["IKEv2", "IKEv1"]),
    enable_bgp=dict(type="bool"),
    ipsec_policy=dict(type="dict", options=IPSEC_OPTIONS),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    wait_connected=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
KEY_DIFFERS = "(differs; not shown)"
KEY_GIVEN = "(as given; not shown)"


class End:
    """One connection of the task: where it is, the gateway it belongs to and the one it points at."""

    def __init__(self, label, rid, gateway_id, remote_id, connection_type):
        self.label = label  # "connection" or "remote_connection"
        self.rid = rid
        self.gateway_id = gateway_id
        self.remote_id = remote_id  # the other gateway (Vnet2Vnet) or the local network gateway (IPsec)
        self.connection_type = connection_type
        self.what = f"connection '{rid.name}' (resource group '{rid.resource_group}')"
        self.current = None
        self.key = None  # the current shared key, read only when needed
        self.gateway = None
        self.result = None
        self.changed = False


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True,
                         mutually_exclusive=[("remote_virtual_network_gateway", "local_network_gateway"),
                                             ("remote_name", "local_network_gateway")],
                         required_one_of=[("remote_virtual_network_gateway", "local_network_gateway")])
    params = module.params

    # 1. Validate what needs no call to Azure.
    module.validated(check_name, params["name"], "name", "connection")
    module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    ends = module.validated(plan_ends, module)
    if params["shared_key"] is not None:
        module.validated(check_shared_key, params["shared_key"])
    policy = module.validated(ipsec_policy_wire, params["ipsec_policy"]) if params["ipsec_policy"] else None

    # 2. Read both ends (and, for state=present, the gateways they join).
    for end in ends:
        end.current = module.arm(end.rid.subscription).get(str(end.rid), NETWORK_API, what=f"reading {end.what}")
    if params["state"] == "absent":
        absent(module, ends)
    read_gateways(module, ends)

    # 3. Compare each end, every check before any write.
    difference = Difference()
    for end in ends:
        difference.merge(compare_end(module, end, policy), prefix=end.label)
    busy = [end for end in ends if end.gateway is not None and in_progress(end.gateway)]
    if difference.changed and busy and not module.check_mode:
        module.fail_json(msg=f"virtual_network_gateway: gateway '{parse_resource_id(busy[0].gateway_id).name}' is still "
                             f"{provisioning(busy[0].gateway)}; wait for it with privnet.azure.vpn_gateway (wait: true) "
                             "before connecting it. Nothing was changed.")

    # 4. Apply, end by end.
    for end in ends:
        end.result = end.current
        if not end.changed:
            continue
        body = body_of(module, end, policy)
        if module.check_mode:
            end.result = dict(body, id=str(end.rid), name=end.rid.name)
            continue
        arm = module.arm(end.rid.subscription)
        verb = "creating" if end.current is None else "updating"
        end.result = arm.put(str(end.rid), NETWORK_API, body, what=f"{verb} {end.what}")
        if end.result is None:  # wait=false
            end.result = arm.get(str(end.rid), NETWORK_API, what=f"reading {end.what}")
    if params["wait_connected"] and not module.check_mode:
        wait_connected(module, ends)

    # 5. Return.
    module.exit(changed=difference.changed, diff=difference, **results(ends))


def plan_ends(module):
    """The connections the task manages (this end, and the remote one for VNet-to-VNet), from the options alone."""
    params = module.params
    group = params["resource_group"]
    gateway = module.resolve_id(params["virtual_network_gateway"], "virtual_network_gateway", NETWORK, GATEWAY_TYPE)
    check_name(gateway.name, "virtual_network_gateway", "virtual network gateway")
    local_rid = parse_resource_id(build_resource_id(module.subscription_id, group, NETWORK, CONNECTION_TYPE,
                                                    params["name"]))
    if params["local_network_gateway"]:
        lng = module.resolve_id(params["local_network_gateway"], "local_network_gateway", NETWORK, LOCAL_GATEWAY_TYPE)
        check_name(lng.name, "local_network_gateway", "local network gateway")
        return [End("connection", local_rid, str(gateway), str(lng), "IPsec")]
    remote = module.resolve_id(params["remote_virtual_network_gateway"], "remote_virtual_network_gateway", NETWORK,
                               GATEWAY_TYPE)
    check_name(remote.name, "remote_virtual_network_gateway", "virtual network gateway")
    if same_id(str(remote), str(gateway)):
        raise ValueError("remote_virtual_network_gateway: is virtual_network_gateway itself; a VNet-to-VNet connection "
                         "joins two different gateways")
    remote_name = params["remote_name"] or f"{remote.name}-to-{gateway.name}"
    check_name(remote_name, "remote_name", "connection")
    remote_rid = parse_resource_id(build_resource_id(remote.subscription, remote.resource_group, NETWORK,
                                                     CONNECTION_TYPE, remote_name))
    if same_id(str(remote_rid), str(local_rid)):
        raise ValueError(f"remote_name: '{remote_name}' is the name of this end too (same resource group); give the "
                         "remote end another name")
    return [End("connection", local_rid, str(gateway), str(remote), "Vnet2Vnet"),
            End("remote_connection", remote_rid, str(remote), str(gateway), "Vnet2Vnet")]


def read_gateways(module, ends):
    """Each end's gateway (and, for IPsec, the local network gateway) must exist; BGP where asked for; no custom
    IPsec/IKE policy on a Basic gateway (Microsoft Learn, about-gateway-skus.md)."""
    params = module.params
    gateways = {}
    for end in ends:
        rid = parse_resource_id(end.gateway_id)
        gateway = module.arm(rid.subscription).get(end.gateway_id, NETWORK_API,
                                                   what=f"reading virtual network gateway '{rid.name}'")
        option = "virtual_network_gateway" if end.label == "connection" else "remote_virtual_network_gateway"
        if gateway is None:
            message = (f"{option}: gateway '{rid.name}' was not found in resource group '{rid.resource_group}' "
                       f"(subscription '{rid.subscription}'); create it first (privnet.azure.vpn_gateway) or fix the "
                       "name")
            if module.check_mode:
                # An earlier task of the same check run may be the one that would create it.
                module.warn(f"{message}. Check mode predicts the connection; a real run fails unless it exists by then")
                continue
            module.fail_json(msg=f"{message}. Nothing was changed.")
        props = properties(gateway)
        if str(props.get("gatewayType")).lower() != "vpn":
            module.fail_json(msg=f"{option}: '{rid.name}' is a {props.get('gatewayType')} gateway, not a VPN gateway. "
                                 "Nothing was changed.")
        sku = str((props.get("sku") or {}).get("name"))
        if params["ipsec_policy"] and sku == "Basic":
            module.fail_json(msg=f"ipsec_policy: gateway '{rid.name}' is of the Basic SKU, which takes no custom "
                                 "IPsec/IKE policy; resize is not possible from Basic, so use a VpnGw SKU gateway or "
                                 "leave ipsec_policy out. Nothing was changed.")
        if params["enable_bgp"] and not props.get("enableBgp"):
            module.fail_json(msg=f"enable_bgp: gateway '{rid.name}' has BGP off; turn it on first "
                                 "(privnet.azure.vpn_gateway, enable_bgp: true). Nothing was changed.")
        if in_progress(gateway) and module.check_mode:
            module.warn(f"gateway '{rid.name}' is still {provisioning(gateway)}; a real run waits for nothing and "
                        "fails until it is provisioned")
        end.gateway = gateway
        gateways[end.gateway_id.lower()] = gateway
    end = ends[0]
    if end.connection_type == "IPsec":
        rid = parse_resource_id(end.remote_id)
        lng = module.arm(rid.subscription).get(end.remote_id, NETWORK_API,
                                               what=f"reading local network gateway '{rid.name}'")
        if lng is None:
            message = (f"local_network_gateway: '{rid.name}' was not found in resource group '{rid.resource_group}'; "
                       "create it first (privnet.azure.local_network_gateway) or fix the name")
            if not module.check_mode:
                module.fail_json(msg=f"{message}. Nothing was changed.")
            module.warn(f"{message}. Check mode predicts the connection; a real run fails unless it exists by then")
        if lng is not None and params["enable_bgp"] and not (properties(lng).get("bgpSettings") or {}).get("asn"):
            module.fail_json(msg=f"enable_bgp: local network gateway '{rid.name}' has no BGP settings; give it bgp "
                                 "(asn, peering_address) first. Nothing was changed.")
    elif params["enable_bgp"]:
        asns = [(properties(g).get("bgpSettings") or {}).get("asn") for g in gateways.values()]
        if len(asns) == 2 and asns[0] == asns[1]:
            module.fail_json(msg=f"enable_bgp: both gateways have ASN {asns[0]}; gateways connected with BGP need "
                                 "different ASNs (set bgp_asn on one with privnet.azure.vpn_gateway). Nothing was "
                                 "changed.")


def fields(connection):
    view = connection_result(connection)
    return {"connection_type": view["connection_type"],
            "remote_id": view["remote_virtual_network_gateway_id"] or view["local_network_gateway_id"],
            "connection_protocol": view["connection_protocol"], "enable_bgp": view["enable_bgp"],
            "ipsec_policy": view["ipsec_policy"], "tags": view["tags"]}


def compare_end(module, end, policy):
    """This end's Difference; fails for a connection of the same name that joins other gateways."""
    params = module.params
    part = Difference()
    now = fields(end.current) if end.current is not None else {}
    if end.current is not None:
        props = properties(end.current)
        if not same_id(ref(props.get("virtualNetworkGateway1")), end.gateway_id) or \
                not same_id(now["remote_id"], end.remote_id) or \
                str(now["connection_type"]).lower() != end.connection_type.lower():
            option = "name" if end.label == "connection" else "remote_name"
            module.fail_json(msg=f"{option}: {end.what} exists as a {now['connection_type']} connection from "
                                 f"{ref(props.get('virtualNetworkGateway1'))} to {now['remote_id']}; a connection's "
                                 "gateways cannot change: give another name, or delete it first. Nothing was changed.")
    else:
        part.add("state", "absent", "present")
        if params["shared_key"] is None:
            module.fail_json(msg=f"shared_key: {end.what} does not exist; give the pre-shared key to create it. "
                                 "Nothing was changed.")
    # What it joins is checked above for an existing connection (it cannot change): shown for a new one only.
    desired = {"connection_type": end.connection_type, "remote_id": end.remote_id} if end.current is None else {}
    if params["connection_protocol"] or end.current is None:
        desired["connection_protocol"] = params["connection_protocol"] or "IKEv2"
    if params["enable_bgp"] is not None or end.current is None:
        desired["enable_bgp"] = bool(params["enable_bgp"])
    if policy is not None:
        desired["ipsec_policy"] = ipsec_policy_result([policy])
    tags = tags_wanted(end.current, params["tags"], params["purge_tags"])
    if tags is not None:
        desired["tags"] = tags
    for key in sorted(desired):
        part.add(key, now.get(key, ABSENT) if end.current is not None else ABSENT, desired[key],
                 ci if key in ("connection_type", "remote_id", "connection_protocol") else None)
    if params["shared_key"] is not None and end.current is not None:
        end.key = current_key(module, end)
        if end.key != params["shared_key"]:
            part.add("shared_key", KEY_DIFFERS, KEY_GIVEN)
    if end.current is not None and provisioning(end.current).lower() == "failed":
        part.add("provisioning_state", "Failed", "Succeeded")
    end.changed = part.changed
    return part


def current_key(module, end):
    """The connection's shared key, through Azure's sharedkey operation (VirtualNetworkGatewayConnections_GetSharedKey);
    None when it has none."""
    found = module.arm(end.rid.subscription).get(f"{end.rid}/sharedkey", NETWORK_API,
                                                 what=f"reading the shared key of {end.what}")
    return (found or {}).get("value")


def body_of(module, end, policy):
    """The connection to PUT: as read (without what Azure sets) with the task's fields, its shared key the one given or
    the current one, or a new connection."""
    params = module.params
    if end.current is None:
        body = {"location": (end.gateway or {}).get("location"), "properties": {
            "connectionType": end.connection_type, "virtualNetworkGateway1": {"id": end.gateway_id}}}
        key = "virtualNetworkGateway2" if end.connection_type == "Vnet2Vnet" else "localNetworkGateway2"
        body["properties"][key] = {"id": end.remote_id}
    else:
        body = sendable(end.current, CONNECTION_READ_ONLY_PROPERTIES)
    props = body["properties"]
    if params["shared_key"] is not None:
        props["sharedKey"] = params["shared_key"]
    elif not props.get("sharedKey"):
        key = end.key if end.key is not None else current_key(module, end)
        if key is not None:
            props["sharedKey"] = key
    if params["connection_protocol"] or end.current is None:
        props["connectionProtocol"] = params["connection_protocol"] or "IKEv2"
    if params["enable_bgp"] is not None or end.current is None:
        props["enableBgp"] = bool(params["enable_bgp"])
    if policy is not None:
        props["ipsecPolicies"] = [dict(policy)]
    tags = tags_wanted(end.current, params["tags"], params["purge_tags"])
    if tags is not None:
        body["tags"] = tags
    return body


def wait_connected(module, ends):
    def read():
        for end in ends:
            end.result = module.arm(end.rid.subscription).get(str(end.rid), NETWORK_API, what=f"reading {end.what}")
        return [status(end.result) for end in ends]

    def describe(statuses):
        return "the connection to be Connected (last status: " + ", ".join(
            f"{end.rid.name} {s}" for end, s in zip(ends, statuses)) + ")"

    module.wait_until(read, lambda statuses: all(s == "Connected" for s in statuses), describe)


def status(connection):
    return properties(connection).get("connectionStatus") if connection else None


def absent(module, ends):
    difference = Difference()
    for end in ends:
        part = Difference()
        if end.current is None:
            part.add("state", "absent", "absent")
        else:
            for key, value in fields(end.current).items():
                part.add(key, value, ABSENT)
            part.add("state", "present", "absent")
        difference.merge(part, prefix=end.label)
    if not module.check_mode:
        for end in ends:
            if end.current is not None:
                module.arm(end.rid.subscription).delete(str(end.rid), NETWORK_API, what=f"deleting {end.what}")
    for end in ends:
        end.result = None
    module.exit(changed=difference.changed, diff=difference, **results(ends))


def results(ends):
    by_label = {end.label: end.result for end in ends}
    return {"connection": connection_result(by_label.get("connection")),
            "remote_connection": connection_result(by_label.get("remote_connection")),
            "connection_status": status(by_label.get("connection"))}


if __name__ == "__main__":
    main()
