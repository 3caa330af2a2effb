"""The real Azure CLI as a judge of the VPN gateways of issue 19: `az network vnet-gateway create --no-wait` and
`show`, `az network local-gateway create`, `az network vpn-connection create --shared-key` and `show`, against the
emulator's `vpn` scenario. Same rules as test_acr_article.py: runs when PRIVNET_AZ names the az executable
(`make cli-tests`); a CLI failure is an emulator gap.
"""

import pytest

from test_acr_article import AZ, az  # noqa: F401  (the module-scoped fixture: a fresh emulator, az signed in)

pytestmark = pytest.mark.skipif(not AZ, reason="PRIVNET_AZ (the az executable) is not set; `make cli-tests` sets it")


@pytest.fixture(scope="module")
def vpn(az):   # noqa: F811
    az.emulator.control.scenario("vpn")
    return az


def test_gateway_local_gateway_and_site_to_site_connection(vpn):
    az = vpn
    az("network", "vnet-gateway", "create", "--resource-group", "rg-hub", "--name", "vgw-hub", "--vnet", "vnet-hub",
       "--public-ip-addresses", "pip-vgw-hub", "--gateway-type", "Vpn", "--vpn-type", "RouteBased", "--sku",
       "VpnGw1", "--no-wait", output="none")
    az.emulator.control.advance(everything=True)
    gw = az("network", "vnet-gateway", "show", "--resource-group", "rg-hub", "--name", "vgw-hub")
    assert (gw["provisioningState"], gw["sku"]["name"], gw["vpnType"]) == ("Succeeded", "VpnGw1", "RouteBased")
    lng = az("network", "local-gateway", "create", "--resource-group", "rg-hub", "--name", "lng-onprem",
             "--gateway-ip-address", "203.0.113.10", "--local-address-prefixes", "192.168.0.0/16")
    assert lng["gatewayIpAddress"] == "203.0.113.10"
    az("network", "vpn-connection", "create", "--resource-group", "rg-hub", "--name", "hub-to-onprem",
       "--vnet-gateway1", "vgw-hub", "--local-gateway2", "lng-onprem", "--shared-key", "onprem-shared-key")
    conn = az("network", "vpn-connection", "show", "--resource-group", "rg-hub", "--name", "hub-to-onprem")
    assert (conn["connectionType"], conn["connectionStatus"]) == ("IPsec", "Connected")
