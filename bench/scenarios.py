"""Starting estates for the bench, as emulator scenario documents (POST /_emulator/scenario).

The format is the one emulator/privnet_emulator/scenarios.py documents. Inventories for the playbooks
are generated here too. Run as a script to print one: `python bench/scenarios.py hub_spoke 10`,
`python bench/scenarios.py fleet_inventory 20`.
"""

import json
import sys

LOCATION = "westeurope"


def hub_spoke(spokes=10):
    """vnet-hub 10.0.0.0/16 (rg-hub) with a VPN gateway, and vnet-spoke1..N 10.<i>.0.0/16 (rg-spokes)."""
    if not 1 <= spokes <= 254:
        raise ValueError("spokes must be between 1 and 254 (one /16 each under 10.0.0.0/8)")
    hub = {"name": "vnet-hub", "resource_group": "rg-hub", "location": LOCATION,
           "address_prefixes": ["10.0.0.0/16"],
           "subnets": [{"name": "GatewaySubnet", "address_prefix": "10.0.255.0/27"},
                       {"name": "snet-shared", "address_prefix": "10.0.1.0/24"}],
           "gateway": {"name": "vgw-hub", "sku": "VpnGw1"}}
    spoke_vnets = [{"name": f"vnet-spoke{i}", "resource_group": "rg-spokes", "location": LOCATION,
                    "address_prefixes": [f"10.{i}.0.0/16"],
                    "subnets": [{"name": "snet-app", "address_prefix": f"10.{i}.1.0/24"}]}
                   for i in range(1, spokes + 1)]
    return {"resource_groups": [{"name": "rg-hub", "location": LOCATION}, {"name": "rg-spokes", "location": LOCATION}],
            "virtual_networks": [hub, *spoke_vnets]}


def fleet_registry(i):
    return f"acrfleet{i:03d}"


def fleet(registries=20, replicas=()):
    """N Premium registries acrfleet001..N in rg-acr, and vnet-app/snet-workload as in the `acr` scenario (a /23:
    one endpoint address per registry)."""
    if not 1 <= registries <= 500:
        raise ValueError("registries must be between 1 and 500")
    return {"resource_groups": [{"name": "rg-acr", "location": LOCATION}, {"name": "rg-network", "location": LOCATION}],
            "virtual_networks": [{"name": "vnet-app", "resource_group": "rg-network", "location": LOCATION,
                                  "address_prefixes": ["10.20.0.0/16"],
                                  "subnets": [{"name": "snet-workload", "address_prefix": "10.20.2.0/23",
                                               "private_endpoint_network_policies": "Enabled"}]}],
            "registries": [{"name": fleet_registry(i), "resource_group": "rg-acr", "location": LOCATION,
                            "sku": "Premium", "replicas": list(replicas)} for i in range(1, registries + 1)]}


def registry_inventory(names):
    """Group `registries`: one host per registry (connection: local), with the variables of both sides.

    azcollection's bench playbooks read `registry_name`; privnet.azure's acr_private_link role reads
    `acr_private_link_*`.
    """
    hosts = {name: {"registry_name": name,
                    "acr_private_link_registry_name": name,
                    "acr_private_link_registry_resource_group": "rg-acr",
                    "acr_private_link_virtual_network": "vnet-app",
                    "acr_private_link_virtual_network_resource_group": "rg-network",
                    "acr_private_link_subnet": "snet-workload"} for name in names}
    return {"registries": {"hosts": hosts, "vars": {"ansible_connection": "local"}}}


def acr_inventory(_=None):
    """The `acr` scenario's Premium registry as an inventory."""
    return registry_inventory(["acrprivnetdemo"])


def fleet_inventory(registries=20):
    return registry_inventory([fleet_registry(i) for i in range(1, registries + 1)])


def slices(registries, count):
    """AWX job slicing: the hosts of fleet_inventory(registries) split into ``count`` slices as AWX splits an
    inventory (host i goes to slice i mod count), each slice as a --limit pattern."""
    names = [fleet_registry(i) for i in range(1, registries + 1)]
    return [",".join(names[k::count]) for k in range(count)]


def hub_spoke_inventory(spokes=10):
    """Group `spokes`: one host per spoke, the hub as a group variable (privnet.azure's vnet_hub_spoke role)."""
    hosts = {f"spoke{i}": {"vnet_hub_spoke_spoke": {"virtual_network": f"vnet-spoke{i}", "resource_group": "rg-spokes"}}
             for i in range(1, spokes + 1)}
    return {"spokes": {"hosts": hosts, "vars": {
        "ansible_connection": "local", "vnet_hub_spoke_hub": {"virtual_network": "vnet-hub", "resource_group": "rg-hub"}}}}


def vpn_gateways_inventory(_=None):
    """playbooks/inventory/vpn_gateways.yml as it is (the emulator's `vpn` estate): two gateways, one host each, and
    two spokes."""
    import os

    import yaml
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "playbooks", "inventory",
                        "vpn_gateways.yml")
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


GENERATORS = {"vpn_gateways_inventory": vpn_gateways_inventory, "hub_spoke": hub_spoke, "hub_spoke_inventory": hub_spoke_inventory, "fleet": fleet,
              "fleet_inventory": fleet_inventory, "acr_inventory": acr_inventory}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in GENERATORS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(GENERATORS)}}} COUNT")
    json.dump(GENERATORS[sys.argv[1]](int(sys.argv[2])), sys.stdout, indent=2)
    print()
