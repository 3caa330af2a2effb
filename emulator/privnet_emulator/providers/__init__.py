"""Resource providers. Each module's `register(engine)` adds its resource handlers (and, for peering.py and
gateways.py, the callbacks network.py and gateways.py fire through hooks.py; for acr.py, storage.py, keyvault.py,
sql.py, minimal.py and linkservices.py, the private link targets endpoints.py looks up). The modules import each
other only at import time and without cycles: where two depend on each other one of them answers through a hook
(hooks.py) or a registry (endpoints.register_target)."""

from . import (acr, deployments, dnsresolver, endpoints, gateways, identities, keyvault, linkservices, minimal, network,
               peering, privatedns, routes, routeserver, security, sql, storage, vpn)

# Registration order (handlers, then hook callbacks, run in this order).
PROVIDERS = (network, peering, gateways, vpn, endpoints, linkservices, privatedns, acr, security, routes, routeserver,
             identities, storage, keyvault, sql, minimal, deployments, dnsresolver)


def register_all(engine):
    for module in PROVIDERS:
        module.register(engine)
