"""ARM request throttling: token buckets per region, scope, principal and operation kind (off by default).

Source: MicrosoftDocs/azure-docs `articles/azure-resource-manager/management/request-limits-and-throttling.md`
(version of 05/28/2025, "Regional throttling and token bucket algorithm"; read in the mirror
xtqqczze/MicrosoftDocs-azure-docs at fa91c9dd975e99eba2d8e105d639bc2b20edc200):

* Limits apply per region (not per ARM instance), with a token bucket: a bucket size (the most requests at once) and
  a refill rate (tokens per second) until the bucket is full again.
* Subscription: reads 250 / 25 per s, deletes 200 / 10 per s, writes 200 / 10 per s; Tenant: the same numbers.
* Subscription limits apply per subscription, per service principal and per operation type; global subscription limits
  of 15 times the service principal limits apply across all principals. A request is throttled when the global, the
  service principal or the tenant limit is exceeded.
* Subscription requests name a subscription id (`/subscriptions/{id}/...`); tenant requests do not (`/tenants`,
  `/providers`, the subscription list).
* A throttled request gets 429 with `Retry-After` (seconds); a request sent before it elapses is not processed.
* Headers: `x-ms-ratelimit-remaining-subscription-reads` on reads, `-writes` on writes, `-deletes` on deletes;
  `x-ms-ratelimit-remaining-tenant-reads` / `-writes` for tenant requests.

The global headers `x-ms-ratelimit-remaining-subscription-global-reads` / `-writes` / `-deletes` are not in the
article's table; recorded answers carry them beside the principal's: Azure/azure-powershell
`src/Accounts/Accounts/help/Invoke-AzRestMethod.md` (Example 6, a GET of 29 Oct 2024: reads 249, global-reads 3749,
i.e. 250 - 1 and 15 x 250 - 1).

The 429 body: code `SubscriptionRequestsThrottled`, message "Number of '<read|write|delete>' requests for subscription
'<id>' actor '<principal>' exceeded. Please try again after '<n>' seconds after additional tokens are available. Refer
to https://aka.ms/arm-throttling for additional information." (azure-sdk-for-go error dump of a real ARM 429 on a GET,
quoted in roivaz/ARO-HCP-CIHealth `pkg/failurepatterns/extractor` tests; the code also in the AKS troubleshooting
article `SubscriptionRequestsThrottled` (Status=429)).

Emulator conventions (the article is silent):
* The emulator is one ARM region, the cloud's home region; every bucket key carries it.
* Operation kind by HTTP method: GET/HEAD reads, DELETE deletes, PUT/PATCH/POST writes (POST actions included).
* A request is checked after authentication (a request without a valid token reaches no bucket) and before anything
  else; a throttled request takes no token.
* `Retry-After`: whole seconds until the empty bucket holds one token again, at least 1.
* The 429 carries the remaining headers of its kind (0 for the empty bucket).
* The global bucket's message drops the actor; a tenant bucket answers `TenantRequestsThrottled` (a code client
  libraries list beside `SubscriptionRequestsThrottled`; no Azure sample found) with "for tenant '<id>'".
* No header for tenant deletes (the article has the bucket, no header); no `-resource-requests` /
  `-resource-entities-read` headers (only sent where a service overrides the default limits; none is modelled).

Not modelled: resource provider limits (Microsoft.Network 1,000 writes / 10,000 reads per 5 minutes, Storage, ...),
the smaller limits of free or trial subscriptions, background job throttling, and the hourly per-instance limits of
sovereign clouds (the emulator applies the token buckets in every cloud).
"""

import math
import threading
import time

from .errors import ArmError

KINDS = ("reads", "writes", "deletes")
SINGULAR = {"reads": "read", "writes": "write", "deletes": "delete"}
GLOBAL_FACTOR = 15
DEFAULT_LIMITS = {
    "subscription": {"reads": {"bucket": 250, "refill": 25}, "writes": {"bucket": 200, "refill": 10},
                     "deletes": {"bucket": 200, "refill": 10}},
    "tenant": {"reads": {"bucket": 250, "refill": 25}, "writes": {"bucket": 200, "refill": 10},
               "deletes": {"bucket": 200, "refill": 10}},
    "global_factor": GLOBAL_FACTOR,
}
HELP_URL = "https://aka.ms/arm-throttling"


def default_limits():
    return {scope: ({k: dict(v) for k, v in kinds.items()} if isinstance(kinds, dict) else kinds)
            for scope, kinds in DEFAULT_LIMITS.items()}


def operation_kind(method):
    method = method.upper()
    if method in ("GET", "HEAD"):
        return "reads"
    if method == "DELETE":
        return "deletes"
    return "writes"


class Bucket:
    __slots__ = ("size", "refill", "tokens", "stamp")

    def __init__(self, size, refill, now):
        self.size, self.refill, self.tokens, self.stamp = float(size), float(refill), float(size), now

    def level(self, now):
        if now > self.stamp:
            self.tokens = min(self.size, self.tokens + (now - self.stamp) * self.refill)
            self.stamp = now
        return self.tokens

    def wait(self):
        """Seconds until the bucket holds one token (emulator convention: whole seconds, at least 1)."""
        if self.refill <= 0:
            return 3600
        return max(1, math.ceil((1 - self.tokens) / self.refill))


class Throttle:
    """The token buckets of one emulator; `admit` answers the headers of a request or raises its 429."""

    def __init__(self, region, clock=time.monotonic):
        self.region = region
        self.clock = clock
        self.offset = 0.0   # seconds the control API's advance has added (time passing without waiting)
        self.lock = threading.Lock()
        self.limits = default_limits()
        self.reset()

    def reset(self):
        with self.lock:
            self.buckets = {}
            self.admitted = 0
            self.throttled = 0
            self.throttled_by = {}   # "subscription-reads" / "subscription-global-writes" / "tenant-reads": count

    def now(self):
        return self.clock() + self.offset

    def advance(self, seconds):
        """Let `seconds` pass for the buckets (they refill as if the time had passed)."""
        seconds = float(seconds)
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        with self.lock:
            self.offset += seconds

    def set_limits(self, spec):
        """Merge {"subscription"|"tenant": {"reads"|"writes"|"deletes": {"bucket", "refill"}}, "global_factor"}
        into the limits and start every bucket full again."""
        if not isinstance(spec, dict):
            raise ValueError("throttle_limits must be an object")
        limits = default_limits() if spec.get("defaults") else {
            s: ({k: dict(v) for k, v in kinds.items()} if isinstance(kinds, dict) else kinds)
            for s, kinds in self.limits.items()}
        for scope, kinds in spec.items():
            if scope == "defaults":
                continue
            if scope == "global_factor":
                if float(kinds) <= 0:
                    raise ValueError("global_factor must be positive")
                limits["global_factor"] = float(kinds)
                continue
            if scope not in ("subscription", "tenant") or not isinstance(kinds, dict):
                raise ValueError("throttle_limits keys: subscription, tenant, global_factor, defaults")
            for kind, values in kinds.items():
                if kind not in KINDS or not isinstance(values, dict) or not set(values) <= {"bucket", "refill"}:
                    raise ValueError(f"throttle_limits.{scope}: {', '.join(KINDS)} of {{bucket, refill}}")
                for name, value in values.items():
                    if float(value) < (1 if name == "bucket" else 0):
                        raise ValueError(f"throttle_limits.{scope}.{kind}.{name} is out of range")
                    limits[scope][kind][name] = float(value)
        with self.lock:
            self.limits = limits
            self.buckets = {}

    def describe(self):
        with self.lock:
            now = self.now()
            buckets = [{"key": list(key), "tokens": round(b.level(now), 3), "size": b.size, "refill": b.refill}
                       for key, b in sorted(self.buckets.items())]
            return {"region": self.region, "limits": self.limits, "admitted": self.admitted,
                    "throttled": self.throttled, "throttled_by": dict(self.throttled_by), "buckets": buckets}

    def _bucket(self, key, size, refill, now):
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = Bucket(size, refill, now)
        return bucket

    def admit(self, method, low, segs, claims):
        """Take a token from each bucket the request falls in; answer its x-ms-ratelimit-remaining-* headers, or
        raise the 429 (SubscriptionRequestsThrottled / TenantRequestsThrottled) with Retry-After."""
        kind = operation_kind(method)
        principal = str(claims.get("oid") or claims.get("appid") or claims.get("sub") or "unknown")
        with self.lock:
            now = self.now()
            if len(low) >= 2 and low[0] == "subscriptions":
                sub = low[1]
                limit = self.limits["subscription"][kind]
                factor = self.limits["global_factor"]
                checks = [
                    ("subscription", f"x-ms-ratelimit-remaining-subscription-{kind}",
                     self._bucket((self.region, "subscription", sub, principal, kind),
                                  limit["bucket"], limit["refill"], now)),
                    ("subscription-global", f"x-ms-ratelimit-remaining-subscription-global-{kind}",
                     self._bucket((self.region, "subscription-global", sub, kind),
                                  limit["bucket"] * factor, limit["refill"] * factor, now)),
                ]
                subject = ("subscription", segs[1])
            else:
                tenant = str(claims.get("tid") or "unknown").lower()
                limit = self.limits["tenant"][kind]
                header = None if kind == "deletes" else f"x-ms-ratelimit-remaining-tenant-{kind}"
                checks = [("tenant", header, self._bucket((self.region, "tenant", tenant, principal, kind),
                                                         limit["bucket"], limit["refill"], now))]
                subject = ("tenant", tenant)
            empty = next(((scope, b) for scope, _, b in checks if b.level(now) < 1), None)
            if empty is None:
                for _, _, bucket in checks:
                    bucket.tokens -= 1
                self.admitted += 1
            headers = {h: str(max(0, math.floor(b.tokens))) for _, h, b in checks if h}
            if empty is None:
                return headers
            scope, bucket = empty
            self.throttled += 1
            counter = f"{scope}-{kind}"
            self.throttled_by[counter] = self.throttled_by.get(counter, 0) + 1
            wait = bucket.wait()
        headers["Retry-After"] = str(wait)
        what, ident = subject
        actor = "" if scope == "subscription-global" else f" actor '{principal}'"
        code = "TenantRequestsThrottled" if what == "tenant" else "SubscriptionRequestsThrottled"
        error = ArmError(429, code,
                         f"Number of '{SINGULAR[kind]}' requests for {what} '{ident}'{actor} exceeded. Please try again "
                         f"after '{wait}' seconds after additional tokens are available. Refer to {HELP_URL} for "
                         "additional information.", headers=headers)
        error.throttled = True
        raise error
