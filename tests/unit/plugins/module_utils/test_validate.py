# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.module_utils import _validate as v


def test_cidr_canonical():
    assert v.cidr("10.1.0.0/16", "address_prefix") == "10.1.0.0/16"
    assert v.cidr(" 2001:db8::/64 ", "address_prefix") == "2001:db8::/64"


def test_cidr_with_host_bits_names_option_and_fix():
    with pytest.raises(ValueError) as caught:
        v.cidr("10.1.2.3/16", "address_prefix")
    assert str(caught.value) == "address_prefix: '10.1.2.3/16' has host bits set; for /16 the prefix is 10.1.0.0/16"


@pytest.mark.parametrize("bad", ["10.1.0.0", "10.1.0.0/33", "300.1.0.0/16", "", None, "vnet"])
def test_cidr_rejects_garbage(bad):
    with pytest.raises(ValueError, match="^address_prefix: .*address/length"):
        v.cidr(bad, "address_prefix")


def test_ip_in_prefix():
    assert v.ip_in_prefix("10.0.1.10", "10.0.1.0/24", "private_ip_address") == "10.0.1.10"
    with pytest.raises(ValueError, match="private_ip_address: 10.0.2.10 is outside 10.0.1.0/24"):
        v.ip_in_prefix("10.0.2.10", "10.0.1.0/24", "private_ip_address")
    with pytest.raises(ValueError, match="is outside"):
        v.ip_in_prefix("2001:db8::1", "10.0.1.0/24", "private_ip_address")
    with pytest.raises(ValueError, match="is not an IP address"):
        v.ip_in_prefix("10.0.1", "10.0.1.0/24", "private_ip_address")


@pytest.mark.parametrize("kind,good", [
    ("virtual_network", "vnet-hub_01"),
    ("virtual_network", "v1"),
    ("subnet", "s"),
    ("subnet", "snet.private-endpoints_"),
    ("private_endpoint", "pe-acr"),
    ("registry", "myRegistry01"),
    ("resource_group", "rg-(prod)_1"),
    ("resource_group", "rg-été"),
])
def test_valid_names(kind, good):
    assert v.name(kind, good, "name") == good


@pytest.mark.parametrize("kind,bad,why", [
    ("virtual_network", "v", "has 1 characters"),
    ("virtual_network", "-vnet", "not a valid virtual network name"),
    ("virtual_network", "vnet.", "not a valid virtual network name"),
    ("subnet", "x" * 81, "needs 1 to 80"),
    ("subnet", "snet-", "not a valid subnet name"),
    ("private_endpoint", "pe acr", "not a valid private endpoint name"),
    ("registry", "my-registry", "letters and digits only"),
    ("registry", "abcd", "needs 5 to 50"),
    ("resource_group", "rg.", "not ending with a period"),
])
def test_invalid_names_name_the_option(kind, bad, why):
    with pytest.raises(ValueError) as caught:
        v.name(kind, bad, "my_option")
    assert str(caught.value).startswith("my_option: ")
    assert why in str(caught.value)


@pytest.mark.parametrize("kind, value", [
    ("storage_account", "Storage1"), ("storage_account", "st-1"), ("storage_account", "a" * 25),
    ("key_vault", "kv-"), ("key_vault", "kv_1"), ("key_vault", "1kv"), ("key_vault", "kv--1"),
    ("sql_server", "-sql"), ("sql_server", "Sql"), ("sql_server", "a" * 64),
])
def test_service_name_refusals(kind, value):
    with pytest.raises(ValueError, match=r"^name: "):
        v.name(kind, value, "name")


def test_service_names_accepted():
    assert v.name("storage_account", "stprivnet01", "name") == "stprivnet01"
    assert v.name("key_vault", "kv-Privnet-1", "name") == "kv-Privnet-1"
    assert v.name("sql_server", "sql-1", "name") == "sql-1"


def test_dns_zone_names():
    assert v.name("private_dns_zone", "Privatelink.AzureCR.io.", "zone") == "privatelink.azurecr.io"
    with pytest.raises(ValueError, match="zone: 'localhost' needs at least two labels"):
        v.name("private_dns_zone", "localhost", "zone")
    with pytest.raises(ValueError, match="not a valid DNS zone name"):
        v.name("private_dns_zone", "-bad.example.com", "zone")
    with pytest.raises(ValueError, match="not a valid DNS zone name"):
        v.name("private_dns_zone", ("a" * 64) + ".com", "zone")


def test_subscription_id_is_a_guid_returned_stripped():
    assert v.subscription_id(" 11111111-1111-4111-8111-111111111111 ") == "11111111-1111-4111-8111-111111111111"
    assert v.subscription_id("ABCDEF01-2345-4789-8ABC-DEF012345678") == "ABCDEF01-2345-4789-8ABC-DEF012345678"


@pytest.mark.parametrize("bad", ["my-subscription", "", None, "11111111-1111-4111-8111-11111111111",
                                 "11111111-1111-4111-8111-111111111111x"])
def test_subscription_id_rejects_a_name(bad):
    with pytest.raises(ValueError) as caught:
        v.subscription_id(bad)
    assert str(caught.value) == (f"subscription_id: {bad!r} is not a subscription id; give the subscription's GUID "
                                 "(az account show --query id), not its name")


def test_subscription_id_names_the_option_given():
    with pytest.raises(ValueError, match=r"^remote_virtual_network\.subscription_id: 'prod' is not a subscription id"):
        v.subscription_id("prod", "remote_virtual_network.subscription_id")
