"""Microsoft.Network routeTables and their routes (property list and child type), Network 2026-03-01.

Sources (facts only):
* Fields and enums: azure-mgmt-network 33.1.0 models (RouteTablePropertiesFormat: routes, subnets (read-only),
  disableBgpRoutePropagation, disablePeeringRoute, resourceGuid (read-only); RoutePropertiesFormat: addressPrefix,
  nextHopType, nextHopIpAddress, nextHop; RouteNextHopType VirtualNetworkGateway/VnetLocal/Internet/
  VirtualAppliance/VirtualApplianceEcmp/None). LRO style: NRP's (arm-wire-contract.md §1.1).
* Shape of a table with a route, each route with id and provisioningState: spec example
  Microsoft.Network/Network/stable/2026-03-01/examples/RouteTableCreateWithRoute.json.
* `disableBgpRoutePropagation` answers false when not sent and `routes` answers [] when empty: the output of
  `az network route-table create` quoted in public lab notes (code search); the spec's own 201 example is
  inconsistent (it drops the value it was sent), so the SDK model's field list is used.
* `subnets`: read-only back-reference (SDK model), listed only when a subnet uses the table.

Not modelled (Azure's answer undocumented): deleting a table a subnet uses (the only public quote is an old
xplat-cli message without a code), route validation (next hop address required for VirtualAppliance, prefix
syntax), route limits, `hasBgpOverride` and `nextHop`.
"""

from ..ids import same_id
from .collections import ChildCollectionParent, CollectionChild
from .network import canonical_enum

ROUTE_TABLE_TYPE = ("routeTables",)
NEXT_HOP_TYPES = ("VirtualNetworkGateway", "VnetLocal", "Internet", "VirtualAppliance", "VirtualApplianceEcmp",
                  "None")


def subnets_using_route_table(emu, table_key):
    return [s for s in emu.store.of_type("Microsoft.Network", ("virtualNetworks", "subnets"))
            if same_id((s.properties.get("routeTable") or {}).get("id"), table_key)]


class RouteTable(ChildCollectionParent):
    types = ROUTE_TABLE_TYPE
    child_type = prop_key = "routes"
    read_only = ("provisioningState", "resourceGuid", "subnets")
    duration = 3.0
    retry_after = 10

    def normalise_top(self, rid, props, existing):
        props["disableBgpRoutePropagation"] = bool(props.get("disableBgpRoutePropagation", False))

    def render_properties(self, res):
        props = super().render_properties(res)
        subnets = subnets_using_route_table(self.emu, res.key)
        if subnets:
            props["subnets"] = [{"id": str(s.rid)} for s in subnets]
        return props


class Route(CollectionChild):
    types = ROUTE_TABLE_TYPE + ("routes",)
    duration = 3.0
    retry_after = 10

    def normalise(self, cid, props, parent_body):
        props = super().normalise(cid, props, parent_body)
        props.pop("hasBgpOverride", None)   # read-only (SDK model)
        if props.get("nextHopType") is not None:
            props["nextHopType"] = canonical_enum(props["nextHopType"], NEXT_HOP_TYPES, "nextHopType")
        return props


def register(engine):
    for cls in (RouteTable, Route):
        engine.register(cls)
