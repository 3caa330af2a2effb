"""Cross-provider effects without import cycles.

network.py owns virtual networks and subnets, but peerings and service endpoint policies (peering.py, gateways.py)
must check and react to what happens to them. Instead of network.py importing those modules inside its functions,
each module registers callbacks here from its own `register(engine)`, and network.py fires the events. Likewise
peering.py imports gateways.py (gateways_of_vnet), so gateways.py asks peering.py whether a gateway may be deleted
through an event rather than by importing it. The callbacks live on the engine, so every emulator instance has its
own list; they run in registration order.

Events and their arguments:
  check_subnet(emu, subnet_rid, subnet_props, vnet_location)   validation of a subnet (alone or inside a VNet PUT);
                                                               may normalise subnet_props; raises ArmError to refuse
  check_address_space(emu, vnet_rid, new_prefixes)              validation of a VNet PUT; raises ArmError to refuse
  address_space_changed(emu, vnet_res)                          after a VNet's address space changed
  vnet_deleted(emu, vnet_res)                                   after a VNet was deleted
  check_gateway_delete(emu, gateway_res, vnet_keys)             fired by gateways.py before a gateway is deleted
                                                               (vnet_keys: the VNets of its ipConfigurations);
                                                               raises ArmError to refuse
"""

EVENTS = ("check_subnet", "check_address_space", "address_space_changed", "vnet_deleted", "check_gateway_delete")


def registry(engine):
    hooks = getattr(engine, "provider_hooks", None)
    if hooks is None:
        hooks = {event: [] for event in EVENTS}
        engine.provider_hooks = hooks
    return hooks


def on(engine, event, callback):
    registry(engine)[event].append(callback)


def fire(engine, event, *args):
    for callback in list(registry(engine)[event]):
        callback(*args)
