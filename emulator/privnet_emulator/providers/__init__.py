"""Resource providers. Each module's `register(engine)` adds its resource handlers (and, for peering.py and
gateways.py, the callbacks network.py fires through hooks.py)."""


def register_all(engine):
    from . import (acr, endpoints, gateways, identities, network, peering, privatedns, routes, routeserver,
                   security)
    for module in (network, peering, gateways, endpoints, privatedns, acr, security, routes, routeserver,
                   identities):
        module.register(engine)
