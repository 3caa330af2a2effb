# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import base64

import pytest

from ansible_collections.privnet.azure.plugins.module_utils import _azure
from ansible_collections.privnet.azure.plugins.modules import vpn_client_configuration
from ansible_collections.privnet.azure.tests.unit.plugins.modules.vpn_fakes import (
    HUB,
    SUB,
    gateway,
    install_network,
    vnet,
    written,
)

CERT = base64.b64encode(b"\x30\x82\x01\x0a" + b"\x01" * 40).decode()
OTHER_CERT = base64.b64encode(b"\x30\x82\x01\x0a" + b"\x02" * 40).decode()
GW_ID = f"{HUB}/virtualNetworkGateways/vpngw-hub"
ARGS = {"subscription_id": SUB, "virtual_network_gateway": "vpngw-hub", "resource_group": "rg-hub"}
CERTS = dict(ARGS, address_pool=["172.16.201.0/24"], tunnel_types=["IkeV2", "OpenVPN"], auth_types=["Certificate"],
             root_certificates=[{"name": "P2SRoot", "public_cert_data": CERT}])
AAD = dict(ARGS, address_pool=["172.16.201.0/24"], tunnel_types=["OpenVPN"], auth_types=["AAD"],
           aad_tenant="https://login.microsoftonline.com/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e/",
           aad_audience="c632b3df-fb67-4d84-bdcf-b95ad541b5c8",
           aad_issuer="https://sts.windows.net/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e/")


def p2s(**config):
    base = {"vpnClientAddressPool": {"addressPrefixes": ["172.16.201.0/24"]}, "vpnClientProtocols": ["IkeV2", "OpenVPN"],
            "vpnAuthenticationTypes": ["Certificate"],
            "vpnClientRootCertificates": [{"name": "P2SRoot", "id": f"{GW_ID}/vpnClientRootCertificates/P2SRoot",
                                           "etag": 'W/"1"', "properties": {"publicCertData": CERT,
                                                                           "provisioningState": "Succeeded"}}],
            "vpnClientRevokedCertificates": [{"name": "lost-laptop", "properties": {"thumbprint": "ABC"}}]}
    base.update(config)
    return base


@pytest.fixture
def network(monkeypatch):
    fake = install_network(monkeypatch)
    fake.add(vnet())
    fake.add(gateway())
    monkeypatch.setattr(_azure.time, "sleep", lambda s: None)
    return fake


def test_certificate_authentication(run_module, network):
    result, failed = run_module(vpn_client_configuration.main, dict(CERTS, _ansible_diff=True))
    assert not failed, result.get("msg")
    assert result["changed"]
    [(_m, resource_id, body)] = written(network)
    assert resource_id == GW_ID
    config = body["properties"]["vpnClientConfiguration"]
    assert config["vpnClientAddressPool"] == {"addressPrefixes": ["172.16.201.0/24"]}
    assert config["vpnClientProtocols"] == ["IkeV2", "OpenVPN"]
    assert config["vpnClientRootCertificates"] == [{"name": "P2SRoot", "properties": {"publicCertData": CERT}}]
    assert body["properties"]["customRoutes"] == {"addressPrefixes": ["10.99.0.0/16"]}  # the rest of the gateway
    assert body["properties"]["sku"] == {"name": "VpnGw2AZ", "tier": "VpnGw2AZ"}
    assert result["vpn_client_configuration"]["root_certificates"][0]["name"] == "P2SRoot"
    assert list(result["diff"]["after"]["root_certificates"]) == ["P2SRoot"]
    assert result["diff"]["after"]["root_certificates"]["P2SRoot"].startswith("sha256:")


def test_second_run_writes_nothing(run_module, network):
    network.add(gateway(vpnClientConfiguration=p2s()))
    pem = "-----BEGIN CERTIFICATE-----\n" + CERT[:20] + "\n" + CERT[20:] + "\n-----END CERTIFICATE-----\n"
    result, failed = run_module(vpn_client_configuration.main, dict(
        CERTS, tunnel_types=["OpenVPN", "IkeV2"], root_certificates=[{"name": "P2SRoot", "public_cert_data": pem}]))
    assert (failed, result["changed"]) == (False, False)
    assert network.writes == []


def test_a_certificate_is_added_and_the_rest_kept(run_module, network):
    network.add(gateway(vpnClientConfiguration=p2s()))
    result, failed = run_module(vpn_client_configuration.main, dict(
        ARGS, root_certificates=[{"name": "Second", "public_cert_data": OTHER_CERT}], _ansible_check_mode=True))
    assert (failed, result["changed"]) == (False, True) and network.writes == []
    result, failed = run_module(vpn_client_configuration.main, dict(
        ARGS, root_certificates=[{"name": "Second", "public_cert_data": OTHER_CERT}]))
    [(_m, _i, body)] = written(network)
    config = body["properties"]["vpnClientConfiguration"]
    assert [c["name"] for c in config["vpnClientRootCertificates"]] == ["P2SRoot", "Second"]
    assert "provisioningState" not in config["vpnClientRootCertificates"][0]["properties"]
    assert config["vpnClientRevokedCertificates"] == [{"name": "lost-laptop", "properties": {"thumbprint": "ABC"}}]


def test_purge_replaces_the_list(run_module, network):
    network.add(gateway(vpnClientConfiguration=p2s()))
    result, failed = run_module(vpn_client_configuration.main, dict(
        ARGS, root_certificates=[{"name": "Second", "public_cert_data": OTHER_CERT}], purge_root_certificates=True,
        _ansible_diff=True))
    assert not failed and result["changed"]
    [(_m, _i, body)] = written(network)
    assert [c["name"] for c in body["properties"]["vpnClientConfiguration"]["vpnClientRootCertificates"]] == ["Second"]
    assert list(result["diff"]["before"]["root_certificates"]) == ["P2SRoot"]


def test_entra_id(run_module, network):
    result, failed = run_module(vpn_client_configuration.main, AAD)
    assert not failed, result.get("msg")
    [(_m, _i, body)] = written(network)
    config = body["properties"]["vpnClientConfiguration"]
    assert config["aadAudience"] == "c632b3df-fb67-4d84-bdcf-b95ad541b5c8"
    assert config["vpnAuthenticationTypes"] == ["AAD"] and config["vpnClientProtocols"] == ["OpenVPN"]


@pytest.mark.parametrize("args, message", [
    (dict(AAD, tunnel_types=["IkeV2", "OpenVPN"]), "tunnel_types: Microsoft Entra ID authentication (AAD) works with "
                                                   "the OpenVPN tunnel type only"),
    (dict(AAD, aad_audience="vpn-client"), "aad_audience: 'vpn-client' is not an application id"),
    (dict(CERTS, root_certificates=[]), "root_certificates: Certificate authentication needs at least one"),
    (dict(CERTS, root_certificates=[{"name": "x", "public_cert_data": "not base64!"}]),
     "root_certificates[0].public_cert_data: is not a certificate's public data"),
    (dict(CERTS, address_pool=["10.0.128.0/24"]), "address_pool: 10.0.128.0/24 overlaps the address space of virtual "
                                                  "network 'vnet-hub' (10.0.0.0/16)"),
    (dict(ARGS, tunnel_types=["OpenVPN"]), "address_pool: VPN gateway 'vpngw-hub' (resource group 'rg-hub') has no "
                                           "point-to-site address pool yet"),
    (dict(CERTS, virtual_network_gateway="nope"), "virtual_network_gateway: VPN gateway 'nope'"),
])
def test_bad_input_fails_before_any_write(run_module, network, args, message):
    result, failed = run_module(vpn_client_configuration.main, args)
    assert failed
    assert message in result["msg"]
    assert network.writes == []


def test_basic_sku_takes_sstp_only(run_module, network):
    network.add(gateway(sku="Basic", generation="Generation1"))
    result, failed = run_module(vpn_client_configuration.main, CERTS)
    assert failed and result["msg"].startswith("tunnel_types: the Basic gateway SKU supports SSTP only")
    assert network.writes == []


def test_a_gateway_still_being_created_is_waited_for(run_module, network):
    network.add(gateway(state="Updating"))
    reads = []

    def finishing(resource_id):
        if resource_id.lower() == GW_ID.lower():
            reads.append(resource_id)
            if len(reads) == 2:
                network.store[GW_ID.lower()]["properties"]["provisioningState"] = "Succeeded"
    network.get_hooks.append(finishing)
    result, failed = run_module(vpn_client_configuration.main, CERTS)
    assert not failed and result["changed"]
    assert len(written(network)) == 1 and len(reads) >= 2
    network.add(gateway(state="Updating"))
    network.writes.clear()
    network.get_hooks.clear()
    result, failed = run_module(vpn_client_configuration.main, dict(CERTS, wait=False))
    assert failed and result["msg"].startswith("wait: ") and network.writes == []
