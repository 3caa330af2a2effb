"""Which spec operations the emulator serves (for emulator/CONTRACT.md, written by emulator/tools/gen_contract.py)."""

import inspect


class _Stub:
    store = None
    config = {}


_ENGINE = None


def engine():
    global _ENGINE
    if _ENGINE is None:
        from ..arm import Engine
        from ..providers import register_all
        _ENGINE = Engine(_Stub())
        register_all(_ENGINE)
    return _ENGINE


def handler(namespace, types):
    eng = engine()
    if "*" in types:   # a path parameter in a type position (Private DNS {recordType}): any record set handler
        for key, h in eng.handlers.items():
            if key[0] == namespace and len(key) == len(types) + 1 and all(
                    t == "*" or t == k for t, k in zip(types, key[1:])) and key[-1] != "all":
                return h
        return None
    return eng.handlers.get((namespace,) + tuple(types))


def serves(namespace, scope, segs, method):
    segs = list(segs)
    if len(segs) == 3 and segs[0] == "locations":    # {scope}/providers/{ns}/locations/{location}/{action}
        action = engine().location_actions.get((namespace, segs[2], method))
        return action is not None and scope in getattr(action, "scopes", ("sub", "rg"))
    if scope == "sub" and method == "POST" and len(segs) == 1:   # a subscription action (checkNameAvailability)
        return (namespace, segs[0]) in engine().subscription_actions
    if method == "POST" and len(segs) % 2 == 1:       # an action on a resource: .../{type}/{name}/{action}
        h = handler(namespace, segs[:-1][0::2])
        if h is None:
            return False
        return segs[-1].lower() in inspect.getsource(type(h).action).lower()
    if len(segs) % 2 == 1:                            # a list
        h = handler(namespace, segs[0::2])
        if h is None or method != "GET":
            return False
        return scope == "rg" or (len(segs) == 1 and h.list_by_subscription)
    h = handler(namespace, segs[0::2])
    if h is None or scope != "rg":
        return False
    # a type served read-only (a load balancer's child collections: written through the parent) names its methods
    return method in getattr(h, "served_methods", ("GET", "PUT", "PATCH", "DELETE", "HEAD"))
