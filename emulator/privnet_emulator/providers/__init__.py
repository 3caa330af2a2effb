"""Resource providers. Each module's `register(engine)` adds its resource handlers."""


def register_all(engine):
    from . import acr, network, privatedns
    for module in (network, privatedns, acr):
        module.register(engine)
