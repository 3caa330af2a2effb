"""Fault injection: the next N matching requests, or a seeded random rate.

Kinds: 429, 500, 503 (answered before the request is handled), conflict (409
AnotherOperationInProgress), retryable (429 RetryableError), failed_lro (the write is accepted and
its operation ends Failed), drop (the connection is closed without an answer), token_error (the
token endpoint answers 503 temporarily_unavailable), and one permanent kind: forbidden (403
AuthorizationFailed, the caller lacks the role assignment for that action on that scope).
"""

import random
import re
import threading

from .errors import ArmError

KINDS = ("429", "500", "503", "conflict", "retryable", "failed_lro", "drop", "token_error", "forbidden")
WRITE = {"PUT", "PATCH", "DELETE", "POST"}


class Fault:
    def __init__(self, spec):
        self.kind = str(spec.get("kind", ""))
        if self.kind not in KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(KINDS)}")
        self.method = (spec.get("method") or "").upper() or None
        self.path = re.compile(spec["path"], re.I) if spec.get("path") else None
        self.count = int(spec.get("count", 1))
        self.retry_after = spec.get("retry_after", 1)
        self.code = spec.get("code")
        self.hits = 0

    def matches(self, target, method, path):
        if self.kind == "token_error":
            if target != "token":
                return False
        elif target != "arm":
            return False
        if self.method and self.method != method:
            return False
        if self.path and not self.path.search(path):
            return False
        if self.kind == "failed_lro" and method not in ("PUT", "PATCH", "DELETE"):
            return False
        return True

    def describe(self):
        return {"kind": self.kind, "method": self.method, "path": self.path.pattern if self.path else None,
                "remaining": self.count, "hits": self.hits}


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        with getattr(self, "lock", threading.Lock()):
            self.rules = []
            self.random = None

    def add(self, spec):
        with self.lock:
            if "rate" in spec:
                kinds = spec.get("kinds") or ["429", "500", "503", "conflict", "drop"]
                for kind in kinds:
                    if kind not in KINDS:
                        raise ValueError(f"fault kind must be one of {', '.join(KINDS)}")
                self.random = {"rate": float(spec["rate"]), "rng": random.Random(spec.get("seed", 0)),
                               "kinds": kinds, "writes_only": bool(spec.get("writes_only", False)),
                               "retry_after": spec.get("retry_after", 1), "hits": 0}
                return
            self.rules.append(Fault(spec))

    def describe(self):
        with self.lock:
            out = {"rules": [r.describe() for r in self.rules]}
            if self.random:
                out["random"] = {k: v for k, v in self.random.items() if k != "rng"}
            return out

    def take(self, target, method, path):
        """Return (kind, fault) for this request, consuming one shot, or None."""
        with self.lock:
            for rule in self.rules:
                if rule.count > 0 and rule.matches(target, method, path):
                    rule.count -= 1
                    rule.hits += 1
                    return rule.kind, {"retry_after": rule.retry_after, "code": rule.code}
            rnd = self.random
            if rnd and target == "arm" and (method in WRITE or not rnd["writes_only"]):
                if rnd["rng"].random() < rnd["rate"]:
                    kind = rnd["rng"].choice(rnd["kinds"])
                    if kind == "failed_lro" and method not in ("PUT", "PATCH", "DELETE"):
                        kind = "500"
                    if kind == "token_error":
                        return None
                    rnd["hits"] += 1
                    return kind, {"retry_after": rnd["retry_after"], "code": None}
        return None


def _action(method, path):
    """The RBAC action a request needs: Microsoft.Network/virtualNetworks/subnets/write for a PUT of a subnet."""
    parts = path.strip("/").split("/")
    lowered = [p.lower() for p in parts]
    if "providers" not in lowered:
        return f"Microsoft.Resources/subscriptions/resourceGroups/{'read' if method == 'GET' else 'write'}"
    rest = parts[lowered.index("providers") + 1:]
    types = [rest[0]] + [rest[i] for i in range(1, len(rest), 2)]
    verb = {"GET": "read", "DELETE": "delete", "POST": "action"}.get(method, "write")
    return "/".join(types) + "/" + verb


def immediate_error(kind, params, method="GET", path="/", client="00000000-0000-0000-0000-000000000000"):
    """The ArmError a fault of this kind answers with, or None when it is not answered at once."""
    retry = {"Retry-After": str(params.get("retry_after", 1))}
    if kind == "forbidden":
        return ArmError(403, "AuthorizationFailed",
                        f"The client '{client}' with object id '{client}' does not have authorization to perform "
                        f"action '{_action(method, path)}' over scope '{path}' or the scope is invalid. If access "
                        "was recently granted, please refresh your credentials.")
    if kind == "429":
        return ArmError(429, "TooManyRequests", "The request is being throttled.", headers=retry)
    if kind == "500":
        return ArmError(500, "InternalServerError", "An internal server error occurred. Please try again.")
    if kind == "503":
        return ArmError(503, "ServiceUnavailable", "The service is temporarily unavailable. Please try again.",
                        headers=retry)
    if kind == "conflict":
        return ArmError(409, "AnotherOperationInProgress",
                        "Another operation on this or dependent resource is in progress.")
    if kind == "retryable":
        return ArmError(429, "RetryableError", "A retryable error occurred.", headers=retry, details=[
            {"code": "RetryableErrorDueToAnotherOperation",
             "message": "Operation PutSubnetOperation is updating this resource. The call can be retried."}])
    return None


def failed_lro_error(params):
    code = params.get("code") or "RetryableError"
    return {"code": code, "message": "The operation failed because of a transient error. Retry the operation.",
            "details": []}
