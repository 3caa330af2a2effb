"""The bad-input table: each case is one task (a module call, or a role included) that must fail
before any write, with a message that names the field (or the credential or subscription
problem) and says what is wrong.

The cases run one playbook per group (a group shares a starting estate and an environment):
each case sits in a block whose rescue keeps the failure, and the emulator's request-log
position is read (a lookup, in the controller) before and after each case, so that the writes
each case made, if any, are counted one case at a time.
"""

import json
import os

import yaml

import reliability_lib as lib

SUB = "3f2b8c1e-6d4a-4e9b-a7c5-2e1d0f9b8a76"      # the emulator's default subscription
UNKNOWN_SUB = "0badc0de-0000-4000-8000-000000000001"
NET = f"/subscriptions/{SUB}/resourceGroups/rg-network/providers/Microsoft.Network"
ACR = f"/subscriptions/{SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries"

# Starting estates, by group.
ACR_ESTATE = ["acr", {"private_dns_zones": [{"name": "privatelink.azurecr.io", "resource_group": "rg-network"}]}]
HUB_ESTATE = ["hub_spoke", {"virtual_networks": [{
    "name": "vnet-overlap", "resource_group": "rg-spokes", "location": "westeurope",
    "address_prefixes": ["10.1.128.0/17"], "subnets": [{"name": "snet-app", "address_prefix": "10.1.200.0/24"}]}]}]


class Case:
    def __init__(self, case_id, group, what, task, expect, module=None, pre=()):
        self.id = case_id
        self.group = group
        self.what = what            # one line for the report
        self.task = task            # {"privnet.azure.x": {...}} or {"ansible.builtin.include_role": {...}}
        self.expect = expect        # substrings the failure message must contain; a tuple: any one of them
        self.pre = list(pre)        # tasks that set the case up (e.g. a host variable), run before its mark
        self.module = module or next(iter(task)).split(".")[-1]

    def __repr__(self):
        return self.id


def _merged(bases, extra):
    out = {}
    for base in bases:
        out.update(base)
    out.update(extra)
    return out


def m(module, *bases, **args):
    """A module task: the arguments of ``bases`` (dicts), then ``args``."""
    return {f"privnet.azure.{module}": _merged(bases, args)}


def role(name, *bases, **variables):
    """A role included with these variables."""
    return {"ansible.builtin.include_role": {"name": f"privnet.azure.{name}"}, "vars": _merged(bases, variables)}


ACR_ROLE_VARS = dict(acr_private_link_registry_name="acrprivnetdemo", acr_private_link_registry_resource_group="rg-acr",
                     acr_private_link_virtual_network="vnet-app",
                     acr_private_link_virtual_network_resource_group="rg-network",
                     acr_private_link_subnet="snet-workload", acr_private_link_verify=False)


def static_ips(first="10.20.1.10"):
    """Static addresses for every member of acrprivnetdemo (home region westeurope, replica eastus)."""
    return [{"group_id": "registry", "member_name": "registry", "private_ip_address": first},
            {"group_id": "registry", "member_name": "registry_data_westeurope", "private_ip_address": "10.20.1.11"},
            {"group_id": "registry", "member_name": "registry_data_eastus", "private_ip_address": "10.20.1.12"}]


PE = dict(name="pe-bad", resource_group="rg-network", virtual_network="vnet-app", subnet="snet-workload",
          target_id=f"{ACR}/acrprivnetdemo", group_ids=["registry"])
RECORDS = dict(zone="privatelink.azurecr.io", resource_group="rg-network")
ZONE = dict(name="privatelink.azurecr.io", resource_group="rg-network")
SUBNET = dict(resource_group="rg-network", virtual_network="vnet-app", name="snet-workload")
PEER = dict(virtual_network="vnet-spoke1", resource_group="rg-spokes")

CASES = [
    # ---- acr_network ----------------------------------------------------------------------
    Case("acr_network-ip-rule-bad-octet", "acr", "an IP rule with an octet over 255",
         m("acr_network", name="acrprivnetdemo", resource_group="rg-acr", ip_rules=["10.0.0.300/32"]),
         ["ip_rules", "10.0.0.300/32"]),
    Case("acr_network-ip-rule-not-ip", "acr", "an IP rule that is not an address",
         m("acr_network", name="acrprivnetdemo", resource_group="rg-acr", ip_rules=["office"]), ["ip_rules", "office"]),
    Case("acr_network-ip-rule-bad-prefix", "acr", "an IP rule with a /33 prefix",
         m("acr_network", name="acrprivnetdemo", resource_group="rg-acr", ip_rules=["192.0.2.0/33"]),
         ["ip_rules", "192.0.2.0/33"]),
    Case("acr_network-ip-rule-ipv6", "acr", "an IPv6 rule (ACR IP rules are IPv4 only)",
         m("acr_network", name="acrprivnetdemo", resource_group="rg-acr", ip_rules=["2001:db8::/64"]),
         ["ip_rules", "2001:db8::/64"]),
    Case("acr_network-basic-sku", "acr", "public access off on a Basic registry",
         m("acr_network", name="acrbasicdemo", resource_group="rg-acr", public_network_access="Disabled"),
         ["acrbasicdemo", "Premium"]),
    Case("acr_network-bad-name", "acr", "a registry name with a dash",
         m("acr_network", name="acr-bad-name", resource_group="rg-acr", public_network_access="Disabled"),
         ["name", "acr-bad-name"]),
    Case("acr_network-bad-choice", "acr", "default_action outside its choices",
         m("acr_network", name="acrprivnetdemo", resource_group="rg-acr", default_action="Block"),
         ["default_action", "Block"]),
    Case("acr_network-unknown-registry", "acr", "a registry that does not exist",
         m("acr_network", name="acrnothere", resource_group="rg-acr", public_network_access="Disabled"),
         ["acrnothere"]),
    # ---- acr_private_endpoint_connection -----------------------------------------------------
    Case("acr_pec-no-selector", "acr", "approve without saying which connection",
         m("acr_private_endpoint_connection", registry="acrprivnetdemo", resource_group="rg-acr", state="approved"),
         ["name", "private_endpoint_id"]),
    Case("acr_pec-both-selectors", "acr", "name and private_endpoint_id together",
         m("acr_private_endpoint_connection", registry="acrprivnetdemo", resource_group="rg-acr", state="approved",
           name="acrprivnetdemo.x", private_endpoint_id=f"{NET}/privateEndpoints/pe-x"),
         ["name", "private_endpoint_id"]),
    Case("acr_pec-bad-endpoint-id", "acr", "a private_endpoint_id that is not a private endpoint id",
         m("acr_private_endpoint_connection", registry="acrprivnetdemo", resource_group="rg-acr", state="approved",
           private_endpoint_id=f"{NET}/virtualNetworks/vnet-app"),
         ["private_endpoint_id"]),
    Case("acr_pec-unknown-endpoint", "acr", "approve the connection of an endpoint that has none",
         m("acr_private_endpoint_connection", registry="acrprivnetdemo", resource_group="rg-acr", state="approved",
           private_endpoint_id=f"{NET}/privateEndpoints/pe-nothere"),
         ["pe-nothere"]),
    # ---- private_dns_records --------------------------------------------------------------------
    Case("records-bad-ipv4", "acr", "an A value that is not an IPv4 address",
         m("private_dns_records", records=[{"name": "app", "values": ["10.0.0.256"]}], **RECORDS),
         ["values", "10.0.0.256"]),
    Case("records-ipv6-in-a", "acr", "an IPv6 address in an A record",
         m("private_dns_records", records=[{"name": "app", "values": ["2001:db8::1"]}], **RECORDS),
         ["values", "2001:db8::1"]),
    Case("records-ipv4-in-aaaa", "acr", "an IPv4 address in an AAAA record",
         m("private_dns_records", records=[{"name": "app", "type": "AAAA", "values": ["10.0.0.1"]}], **RECORDS),
         ["values", "10.0.0.1"]),
    Case("records-ttl-negative", "acr", "a negative TTL",
         m("private_dns_records", records=[{"name": "app", "ttl": -1, "values": ["10.0.0.1"]}], **RECORDS),
         ["ttl", "-1"]),
    Case("records-ttl-too-big", "acr", "a TTL over 2147483647",
         m("private_dns_records", records=[{"name": "app", "ttl": 2147483648, "values": ["10.0.0.1"]}], **RECORDS),
         ["ttl", "2147483648"]),
    Case("records-cname-two-values", "acr", "a CNAME with two targets",
         m("private_dns_records", records=[{"name": "app", "type": "CNAME", "values": ["a.example.com", "b.example.com"]}],
           **RECORDS),
         ["records[0].values", "CNAME"]),
    Case("records-bad-name", "acr", "a record name with a space",
         m("private_dns_records", records=[{"name": "my app", "values": ["10.0.0.1"]}], **RECORDS), ["name", "my app"]),
    Case("records-duplicate", "acr", "the same record twice",
         m("private_dns_records", records=[{"name": "app", "values": ["10.0.0.1"]}, {"name": "app", "values": ["10.0.0.2"]}],
           **RECORDS),
         ["app"]),
    Case("records-mx-no-preference", "acr", "an MX value without its preference",
         m("private_dns_records", records=[{"name": "mail", "type": "MX", "values": ["mx.example.com"]}], **RECORDS),
         ["records[0].values[0]", "mx.example.com"]),
    Case("records-bad-zone", "acr", "a zone name that is not a DNS name",
         m("private_dns_records", zone="bad zone", resource_group="rg-network", records=[{"name": "a", "values": ["10.0.0.1"]}]),
         ["zone", "bad zone"]),
    Case("records-unknown-zone", "acr", "records in a zone that does not exist",
         m("private_dns_records", zone="privatelink.nothere.io", resource_group="rg-network",
           records=[{"name": "a", "values": ["10.0.0.1"]}]),
         ["privatelink.nothere.io"]),
    # ---- private_dns_zone ---------------------------------------------------------------------
    Case("zone-bad-name", "acr", "a zone name with an empty label",
         m("private_dns_zone", name="privatelink..azurecr.io", resource_group="rg-network"),
         ["name", "privatelink..azurecr.io"]),
    Case("zone-single-label", "acr", "a zone name with one label",
         m("private_dns_zone", name="localhost", resource_group="rg-network"), ["name", "localhost"]),
    Case("zone-long-label", "acr", "a zone label over 63 characters",
         m("private_dns_zone", name="a" * 64 + ".example.com", resource_group="rg-network"), ["name"]),
    Case("zone-link-bad-name", "acr", "a link name with a slash",
         m("private_dns_zone", links=[{"name": "link/one", "virtual_network": "vnet-app", "resource_group": "rg-network"}],
           **ZONE),
         ["links[0].name", "link/one"]),
    Case("zone-link-bad-vnet-id", "acr", "a link to an id that is not a virtual network",
         m("private_dns_zone", links=[{"virtual_network": f"{NET}/privateDnsZones/x"}], **ZONE), ["virtual_network"]),
    Case("zone-link-duplicate", "acr", "two links to the same virtual network",
         m("private_dns_zone", links=[{"name": "l1", "virtual_network": "vnet-app", "resource_group": "rg-network"},
                                      {"name": "l2", "virtual_network": "vnet-app", "resource_group": "rg-network"}],
           **ZONE),
         ["links", "vnet-app"]),
    Case("zone-link-unknown-vnet", "acr", "a link to a virtual network that does not exist",
         m("private_dns_zone", links=[{"virtual_network": "vnet-nothere", "resource_group": "rg-network"}], **ZONE),
         ["vnet-nothere"]),
    # ---- private_endpoint -----------------------------------------------------------------------
    Case("pe-static-ip-outside-subnet", "acr", "a static IP outside the subnet",
         m("private_endpoint", ip_configurations=static_ips("10.99.0.4"), **PE),
         ["private_ip_address", "10.99.0.4", "10.20.1.0/24"]),
    Case("pe-static-ip-reserved", "acr", "a static IP Azure reserves (the subnet's .1)",
         m("private_endpoint", ip_configurations=static_ips("10.20.1.1"), **PE),
         ["private_ip_address", "10.20.1.1"]),
    Case("pe-static-ip-not-ip", "acr", "a static IP that is not an address",
         m("private_endpoint", PE, ip_configurations=[
             {"group_id": "registry", "member_name": "registry", "private_ip_address": "ten.twenty"}]),
         ["private_ip_address", "ten.twenty"]),
    Case("pe-static-ip-duplicate", "acr", "the same static IP for two members",
         m("private_endpoint", ip_configurations=[
             {"group_id": "registry", "member_name": "registry", "private_ip_address": "10.20.1.10"},
             {"group_id": "registry", "member_name": "registry_data_westeurope", "private_ip_address": "10.20.1.10"}],
           **PE),
         ["private_ip_address", "10.20.1.10"]),
    Case("pe-subnet-and-subnet-id", "acr", "subnet and subnet_id together",
         m("private_endpoint", subnet_id=f"{NET}/virtualNetworks/vnet-app/subnets/snet-workload", **PE),
         ["subnet", "subnet_id"]),
    Case("pe-no-subnet", "acr", "no subnet at all",
         m("private_endpoint", name="pe-bad", resource_group="rg-network", target_id=f"{ACR}/acrprivnetdemo",
           group_ids=["registry"]),
         ["subnet"]),
    Case("pe-bad-target-id", "acr", "a target_id that is not a resource id",
         m("private_endpoint", PE, target_id="acrprivnetdemo.azurecr.io"), ["target_id"]),
    Case("pe-bad-target-alias", "acr", "a target_alias without the GUID a private link service alias has",
         m("private_endpoint", {k: v for k, v in PE.items() if k not in ("target_id", "group_ids")},
           target_alias="pls-orders.westeurope.azure.privatelinkservice"),
         ["target_alias", "pls-orders.westeurope.azure.privatelinkservice", "<GUID>"]),
    Case("pe-two-group-ids", "acr", "two group ids (one is allowed)",
         m("private_endpoint", PE, group_ids=["registry", "registry_data_westeurope"]), ["group_ids"]),
    Case("pe-zone-group-bad-zone", "acr", "a zone group with a zone name that is not a DNS name",
         m("private_endpoint", dns_zone_group={"zones": ["privatelink azurecr io"]}, **PE), ["zones"]),
    Case("pe-bad-name", "acr", "an endpoint name with a slash",
         m("private_endpoint", PE, name="pe/bad"), ["name", "pe/bad"]),
    Case("pe-unknown-subnet", "acr", "a subnet that does not exist",
         m("private_endpoint", PE, subnet="snet-nothere"), ["snet-nothere"]),
    # ---- service_endpoint -----------------------------------------------------------------------
    Case("se-unknown-service", "acr", "a service name that does not exist",
         m("service_endpoint", services=["Microsoft.Storagee"], **SUBNET), ["services", "Microsoft.Storagee"]),
    Case("se-subnet-and-subnet-id", "acr", "name and subnet_id together",
         m("service_endpoint", services=["Microsoft.Storage"], subnet_id=f"{NET}/virtualNetworks/vnet-app/subnets/snet-vm",
           **SUBNET),
         ["subnet_id"]),
    Case("se-bad-policy-id", "acr", "a service endpoint policy that is not a policy id",
         m("service_endpoint", services=["Microsoft.Storage"], service_endpoint_policies=["policy-one"], **SUBNET),
         ["service_endpoint_policies", "policy-one"]),
    Case("se-unknown-subnet", "acr", "a subnet that does not exist",
         m("service_endpoint", SUBNET, services=["Microsoft.Storage"], name="snet-nothere"), ["snet-nothere"]),
    Case("pe-missing-member", "acr", "static IPs that leave out the data endpoint of the registry's replica "
         "(Azure answers PrivateEndpointIpConfigurationMissingMemberNamesRequiredByFps; refused before it now)",
         m("private_endpoint", name="pe-x", resource_group="rg-network", virtual_network="vnet-app",
           subnet="snet-workload", target_id=f"{ACR}/acrprivnetdemo", ip_configurations=[
               {"group_id": "registry", "member_name": "registry", "private_ip_address": "10.20.1.10"},
               {"group_id": "registry", "member_name": "registry_data_westeurope", "private_ip_address": "10.20.1.11"}]),
         ["ip_configurations: no address for registry_data_eastus"]),
    # ---- subnet_network_policies ------------------------------------------------------------------
    Case("snp-not-a-subnet-id", "acr", "a subnet_id that is a virtual network id",
         m("subnet_network_policies", subnet_id=f"{NET}/virtualNetworks/vnet-app", private_endpoint_network_policies="Disabled"),
         ["subnet_id"]),
    Case("snp-bad-choice", "acr", "a policy value outside its choices",
         m("subnet_network_policies", private_endpoint_network_policies="Off", **SUBNET),
         ["private_endpoint_network_policies", "Off"]),
    Case("snp-no-subnet", "acr", "no subnet named",
         m("subnet_network_policies", resource_group="rg-network", private_endpoint_network_policies="Disabled"),
         ["name", "subnet_id"]),
    Case("snp-empty-name", "acr", "an empty subnet name (once sent a PUT to .../subnets/)",
         m("subnet_network_policies", SUBNET, name="", private_endpoint_network_policies="Disabled"),
         ["name: is empty"]),
    Case("snp-null-name", "acr", "a null subnet name (an undefined variable)",
         m("subnet_network_policies", SUBNET, name=None, private_endpoint_network_policies="Disabled"),
         ["name is null"]),
    # ---- private_link_check -------------------------------------------------------------------------
    Case("check-bad-resolver", "acr", "a resolver that is not an address",
         m("private_link_check", name="pe-acrprivnetdemo", resource_group="rg-network", resolver="dns.local:99999"),
         ["resolver", "dns.local:99999"]),
    Case("check-bad-timeout", "acr", "a negative DNS timeout",
         m("private_link_check", name="pe-acrprivnetdemo", resource_group="rg-network", dns_timeout=-1), ["dns_timeout"]),
    # ---- credentials and subscription ---------------------------------------------------------------
    Case("cred-wrong-secret", "acr", "a wrong client secret",
         m("subnet_network_policies", secret="not-the-secret", private_endpoint_network_policies="Disabled", **SUBNET),
         ["secret"], module="credentials"),
    Case("cred-unknown-subscription", "acr", "a subscription that does not exist",
         m("subnet_network_policies", subscription_id=UNKNOWN_SUB, private_endpoint_network_policies="Disabled", **SUBNET),
         [("SubscriptionNotFound", "subscription_id"), UNKNOWN_SUB], module="credentials"),
    Case("cred-malformed-subscription", "acr", "a subscription id that is not a GUID",
         m("subnet_network_policies", subscription_id="my-subscription", private_endpoint_network_policies="Disabled",
           **SUBNET),
         [("subscription_id", "SubscriptionNotFound"), "my-subscription"], module="credentials"),
    Case("cred-wrong-tenant", "acr", "a tenant that does not exist",
         m("subnet_network_policies", tenant="00000000-0000-4000-8000-0000000000aa",
           private_endpoint_network_policies="Disabled", **SUBNET),
         ["tenant"], module="credentials"),
    Case("cred-bad-cloud", "acr", "an unknown cloud name",
         m("subnet_network_policies", cloud_environment="AzureMarsCloud", private_endpoint_network_policies="Disabled",
           **SUBNET),
         ["cloud_environment", "AzureMarsCloud"], module="credentials"),
    Case("cred-missing-ca-bundle", "acr", "a CA bundle path that does not exist",
         m("subnet_network_policies", ca_bundle="/nonexistent/ca.pem", private_endpoint_network_policies="Disabled",
           **SUBNET),
         ["ca_bundle", "/nonexistent/ca.pem"], module="credentials"),
    Case("cred-forced-source-incomplete", "nosecret", "auth_source=awx without AZURE_SECRET",
         m("subnet_network_policies", auth_source="awx", private_endpoint_network_policies="Disabled", **SUBNET),
         ["AZURE_SECRET"], module="credentials"),
    Case("cred-no-credentials", "nosecret", "no secret anywhere (auto falls through to managed identity, then the CLI)",
         m("subnet_network_policies", private_endpoint_network_policies="Disabled", **SUBNET),
         ["credential"], module="credentials"),
    Case("cred-no-subscription", "nosubscription", "no subscription anywhere",
         m("subnet_network_policies", private_endpoint_network_policies="Disabled", **SUBNET),
         ["subscription_id", "AZURE_SUBSCRIPTION_ID"], module="credentials"),
    # ---- vnet_peering -----------------------------------------------------------------------------------
    Case("peering-overlap", "hub", "peering VNets whose address spaces overlap",
         m("vnet_peering", remote_virtual_network={"name": "vnet-overlap", "resource_group": "rg-spokes"}, **PEER),
         ["10.1.0.0/16", "10.1.128.0/17"]),
    Case("peering-self", "hub", "peering a VNet with itself",
         m("vnet_peering", remote_virtual_network={"name": "vnet-spoke1", "resource_group": "rg-spokes"}, **PEER),
         ["remote_virtual_network"]),
    Case("peering-remote-gateway-missing", "hub", "use_remote_gateways towards a VNet without a gateway",
         m("vnet_peering", remote_virtual_network={"name": "vnet-spoke2", "resource_group": "rg-spokes"},
           use_remote_gateways=True, **PEER),
         ["use_remote_gateways", "vnet-spoke2"]),
    Case("peering-transit-and-remote-gateways", "hub", "allow_gateway_transit and use_remote_gateways on one side",
         m("vnet_peering", remote_virtual_network={"name": "vnet-hub", "resource_group": "rg-hub"},
           use_remote_gateways=True, allow_gateway_transit=True, **PEER),
         ["allow_gateway_transit", "use_remote_gateways"]),
    Case("peering-bad-remote-id", "hub", "a remote_virtual_network id that is not a virtual network",
         m("vnet_peering", remote_virtual_network=f"/subscriptions/{SUB}/resourceGroups/rg-hub", **PEER),
         ["remote_virtual_network"]),
    Case("peering-unknown-remote", "hub", "a remote virtual network that does not exist",
         m("vnet_peering", remote_virtual_network={"name": "vnet-nothere", "resource_group": "rg-hub"}, **PEER),
         ["vnet-nothere"]),
    # ---- roles --------------------------------------------------------------------------------------------
    Case("role-acr-basic-registry", "acr", "the ACR role on a Basic registry",
         role("acr_private_link", ACR_ROLE_VARS, acr_private_link_registry_name="acrbasicdemo"),
         ["acrbasicdemo", "Premium"], module="acr_private_link role"),
    Case("role-acr-ttl-out-of-range", "acr", "the ACR role with a TTL out of range",
         role("acr_private_link", ACR_ROLE_VARS, acr_private_link_record_ttl=-5),
         ["acr_private_link_record_ttl"], module="acr_private_link role"),
    Case("role-acr-bad-mode", "acr", "the ACR role with a connection mode outside its choices",
         role("acr_private_link", ACR_ROLE_VARS, acr_private_link_connection_mode="sometimes"),
         ["acr_private_link_connection_mode", "sometimes"], module="acr_private_link role"),
    Case("role-acr-missing-subnet", "acr", "the ACR role without its subnet",
         role("acr_private_link", **{k: v for k, v in ACR_ROLE_VARS.items() if k != "acr_private_link_subnet"}),
         ["acr_private_link_subnet"], module="acr_private_link role"),
    Case("role-acr-null-subnet", "acr", "the ACR role with its subnet null (passes the argument spec)",
         role("acr_private_link", ACR_ROLE_VARS, acr_private_link_subnet=None),
         ["acr_private_link_subnet: is null or empty"], module="acr_private_link role"),
    Case("role-acr-unknown-subnet", "acr", "the ACR role with a subnet that does not exist",
         role("acr_private_link", ACR_ROLE_VARS, acr_private_link_subnet="snet-nothere"),
         ["snet-nothere"], module="acr_private_link role"),
    Case("role-service-endpoints-unknown-service", "acr", "the service endpoints role with a misspelt service",
         role("subnet_service_endpoints", subnet_service_endpoints_subnets=[
             {"virtual_network": "vnet-app", "resource_group": "rg-network", "name": "snet-vm",
              "services": ["Microsoft.KeyVault", "Microsoft.Storgae"]}]),
         ["Microsoft.Storgae"], module="subnet_service_endpoints role"),
    Case("role-service-endpoints-missing", "acr", "the service endpoints role without its subnets",
         role("subnet_service_endpoints"), ["subnet_service_endpoints_subnets"], module="subnet_service_endpoints role"),
    Case("role-hub-spoke-missing-spoke", "hub", "the hub and spoke role on a host without its spoke",
         role("vnet_hub_spoke", vnet_hub_spoke_hub={"virtual_network": "vnet-hub", "resource_group": "rg-hub"}),
         ["vnet_hub_spoke_spoke"], module="vnet_hub_spoke role"),
    Case("role-hub-spoke-overlap", "hub", "the hub and spoke role with a spoke overlapping the hub it names",
         role("vnet_hub_spoke", vnet_hub_spoke_hub={"virtual_network": "vnet-spoke1", "resource_group": "rg-spokes"},
              vnet_hub_spoke_use_hub_gateway=False),
         ["10.1.0.0/16", "10.1.128.0/17"], module="vnet_hub_spoke role",
         pre=[{"name": "This host's spoke (a host variable, as the inventory gives it)", "ansible.builtin.set_fact": {
             "vnet_hub_spoke_spoke": {"virtual_network": "vnet-overlap", "resource_group": "rg-spokes"}}}]),
    Case("role-hub-spoke-missing-hub", "hub", "the hub and spoke role without its hub",
         role("vnet_hub_spoke"), ["vnet_hub_spoke_hub"], module="vnet_hub_spoke role"),
]

GROUPS = {
    "acr": dict(estate=ACR_ESTATE, env={}),
    "nosecret": dict(estate=ACR_ESTATE, env={"AZURE_SECRET": None}),
    "nosubscription": dict(estate=ACR_ESTATE, env={"AZURE_SUBSCRIPTION_ID": None}),
    "hub": dict(estate=HUB_ESTATE, env={}),
}


def _mark_task(var):
    return {"name": f"Read the emulator's log position ({var})", "ansible.builtin.set_fact": {
        var: "{{ (lookup('ansible.builtin.url', emulator_url ~ '/_emulator/log/summary', ca_path=emulator_ca, "
             "split_lines=false) | from_json).last_seq }}"}}


def playbook(cases, out_path):
    """One play: for each case, a mark, the case in a block (its failure kept by the rescue), a mark."""
    tasks = []
    for i, case in enumerate(cases):
        tasks.extend(case.pre)
        body = dict(case.task)
        body["name"] = f"Case {case.id}"
        body["register"] = f"case_{i}"
        tasks.append(_mark_task(f"before_{i}"))
        tasks.append({"name": f"Case {case.id} (kept)", "block": [body], "rescue": [{
            "name": f"Keep the failure of case {case.id}",
            "ansible.builtin.set_fact": {f"case_{i}": "{{ ansible_failed_result | combine({'failed': true, "
                                                      "'failed_task': ansible_failed_task.name}) }}"}}]})
        tasks.append(_mark_task(f"after_{i}"))
    summary = {c.id: {"result": "{{ case_%d | default({}) }}" % i, "before": "{{ before_%d }}" % i,
                      "after": "{{ after_%d }}" % i} for i, c in enumerate(cases)}
    tasks.append({"name": "Keep every outcome", "ansible.builtin.copy": {
        "content": "{{ outcomes | to_nice_json }}", "dest": out_path, "mode": "0600"},
        "vars": {"outcomes": summary}})
    return [{"name": "Bad inputs", "hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}",
                      "emulator_url": "{{ lookup('ansible.builtin.env', 'PRIVNET_EMULATOR_URL') }}",
                      "emulator_ca": "{{ lookup('ansible.builtin.env', 'REQUESTS_CA_BUNDLE') }}"},
             "tasks": tasks}]


def run_group(emulator, group, workdir):
    """Run every case of a group in one ansible-playbook; returns (Run, {case id: outcome}, log)."""
    cases = [c for c in CASES if c.group == group]
    spec = GROUPS[group]
    lib.fresh(emulator)
    for item in spec["estate"]:
        emulator.control.scenario(item)
    os.makedirs(workdir, exist_ok=True)
    out_path = os.path.join(workdir, f"{group}.json")
    book = os.path.join(workdir, f"{group}.yml")
    with open(book, "w", encoding="utf-8") as f:
        yaml.safe_dump(playbook(cases, out_path), f, sort_keys=False, width=200)
    env = {k: v for k, v in spec["env"].items() if v is not None}
    drop = [k for k, v in spec["env"].items() if v is None]
    run = lib.run(emulator, ["ansible-playbook", "-i", "localhost,", book], env=env, cwd=workdir, drop_env=drop)
    outcomes = {}
    if os.path.exists(out_path):
        with open(out_path, encoding="utf-8") as f:
            outcomes = json.load(f)
    return run, outcomes, emulator.control.log()


def message(result):
    """What the user reads: the task's msg, and each loop item's msg."""
    parts = [str(result.get("msg") or "")]
    parts += [str(item.get("msg") or "") for item in result.get("results") or [] if isinstance(item, dict)]
    return "\n".join(p for p in parts if p)


def problems(case, outcome, log):
    """What is wrong with a case's outcome ([] when it failed as it must)."""
    if outcome is None:
        return ["the case did not run (see the playbook output)"]
    result = outcome["result"]
    before, after = int(outcome["before"]), int(outcome["after"])
    found = []
    if not result.get("failed"):
        found.append("it did not fail")
    text = message(result)
    for expected in case.expect:
        options = expected if isinstance(expected, tuple) else (expected,)
        if not any(option in text for option in options):
            found.append(f"the message does not name {' or '.join(repr(o) for o in options)}")
    # ansible 2.19 puts "(traceback unavailable)" in every failure's exception; a real one starts "Traceback".
    if "Traceback (most recent call last)" in text + str(result.get("exception") or ""):
        found.append("it failed with a traceback")
    case_writes = [e for e in log if e["kind"] == "arm" and e["write"] and before < e["seq"] <= after]
    if case_writes:
        wrote = [f"{e['method']} {lib.short_path(e['path'])} -> {e['status']}" for e in case_writes]
        found.append("it wrote: " + ", ".join(wrote))
    return found


def requests_in(outcome, log):
    before, after = int(outcome["before"]), int(outcome["after"])
    return [e for e in log if e["kind"] == "arm" and before < e["seq"] <= after]
