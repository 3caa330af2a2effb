"""ARM request throttling (privnet_emulator/throttle.py), driven by the real SDK clients.

Source: MicrosoftDocs/azure-docs `articles/azure-resource-manager/management/request-limits-and-throttling.md`
(2025 version: token buckets per region, subscription, principal and operation kind; reads 250 / 25 per s, writes and
deletes 200 / 10 per s; a global bucket 15 times that; 429 with Retry-After); the global headers and the first
values (249 / 3749) as Azure/azure-powershell's `Invoke-AzRestMethod.md` shows them; the 429 body code
`SubscriptionRequestsThrottled`. Conventions where the article is silent are listed in throttle.py.
"""

import time

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.resource.resources import ResourceManagementClient

from privnet_emulator import DEFAULT_SUBSCRIPTION, DEFAULT_TENANT
from privnet_emulator.errors import ArmError
from privnet_emulator.testing import EmulatorProcess
from privnet_emulator.throttle import Throttle

H = "x-ms-ratelimit-remaining-"


@pytest.fixture
def throttled(emulator):
    """Throttling on, with the article's limits; off again (and the limits back) afterwards."""
    emulator.control.config(throttling=True, throttle_limits={"defaults": True})
    yield emulator
    emulator.control.config(throttling=False, throttle_limits={"defaults": True})


def _limits(emulator, **kinds):
    """Small buckets for a test: _limits(emu, reads=(bucket, refill), ...) on the subscription scope."""
    emulator.control.config(throttle_limits={"subscription": {
        kind: {"bucket": size, "refill": refill} for kind, (size, refill) in kinds.items()}})


class Headers:
    """A raw_response_hook that keeps each answer's x-ms-ratelimit-* headers and Retry-After."""

    def __init__(self):
        self.seen = []

    def __call__(self, pipeline_response):
        headers = pipeline_response.http_response.headers
        self.seen.append({k.lower(): v for k, v in headers.items()
                          if k.lower().startswith("x-ms-ratelimit") or k.lower() == "retry-after"})

    def values(self, name):
        return [int(h[name]) for h in self.seen]


def _rg_body():
    return {"location": "westeurope"}


def _vnet_body(prefix):
    return {"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": [prefix]}}}


def test_off_by_default_no_headers(clients):
    """Existing suites are unchanged: without --throttling no answer carries a rate-limit header."""
    assert clients.control.config()["throttling"] is False
    hook = Headers()
    clients.resource.resource_groups.create_or_update("rg1", _rg_body(), raw_response_hook=hook)
    clients.resource.resource_groups.get("rg1", raw_response_hook=hook)
    assert hook.seen == [{}, {}]


def test_every_answer_carries_the_remaining_requests_of_its_kind(throttled, clients):
    """Reads, writes and deletes each answer their own bucket's header and the subscription's global one; the first
    read of a fresh bucket shows 249 / 3749 (250 - 1, 15 x 250 - 1), the first write 199 / 2999."""
    hook = Headers()
    clients.resource.resource_groups.create_or_update("rg1", _rg_body(), raw_response_hook=hook)
    assert hook.seen[-1] == {H + "subscription-writes": "199", H + "subscription-global-writes": "2999"}
    clients.resource.resource_groups.get("rg1", raw_response_hook=hook)
    assert hook.seen[-1] == {H + "subscription-reads": "249", H + "subscription-global-reads": "3749"}
    # an answer that is an error carries them too (ARM took the request; the provider refused it)
    with pytest.raises(HttpResponseError) as caught:
        clients.network.virtual_networks.get("rg1", "missing")
    assert caught.value.status_code == 404
    assert set(caught.value.response.headers) >= {H + "subscription-reads", H + "subscription-global-reads"}
    clients.resource.resource_groups.begin_delete("rg1", raw_response_hook=hook).result()
    deletes = [h for h in hook.seen if H + "subscription-deletes" in h]
    assert deletes == [{H + "subscription-deletes": "199", H + "subscription-global-deletes": "2999"}]
    # a tenant request (no subscription id) draws on the tenant's bucket
    resp = clients.resource.send_request(HttpRequest("GET", "/subscriptions?api-version=2022-12-01"))
    assert resp.status_code == 200
    assert resp.headers[H + "tenant-reads"] == "249"
    assert not [k for k in resp.headers if k.lower().startswith(H + "subscription")]


def test_remaining_requests_decrease_per_subscription_and_principal(throttled, clients):
    _limits(throttled, reads=(5, 0), writes=(200, 0))
    clients.resource.resource_groups.create_or_update("rg1", _rg_body())
    hook = Headers()
    for _ in range(5):
        clients.resource.resource_groups.get("rg1", raw_response_hook=hook)
    assert hook.values(H + "subscription-reads") == [4, 3, 2, 1, 0]
    assert hook.values(H + "subscription-global-reads") == [74, 73, 72, 71, 70]
    # another subscription has buckets of its own
    other = Headers()
    list(clients.resource2.resource_groups.list(raw_response_hook=other))
    assert other.values(H + "subscription-reads") == [4]
    # writes are a bucket of their own: the empty read bucket does not stop them
    write = Headers()
    clients.resource.resource_groups.create_or_update("rg2", _rg_body(), raw_response_hook=write)
    assert write.values(H + "subscription-writes") == [198]


def test_burst_beyond_the_bucket_gets_429_with_retry_after(throttled, clients, make_client):
    _limits(throttled, writes=(3, 0.5))
    no_retry = make_client(ResourceManagementClient, retry_total=0)
    for name in ("rg1", "rg2", "rg3"):
        no_retry.resource_groups.create_or_update(name, _rg_body())
    with pytest.raises(HttpResponseError) as caught:
        no_retry.resource_groups.create_or_update("rg4", _rg_body())
    err = caught.value
    assert err.status_code == 429
    assert err.error.code == "SubscriptionRequestsThrottled"
    assert err.error.message.startswith(
        f"Number of 'write' requests for subscription '{DEFAULT_SUBSCRIPTION}' actor '")
    assert "Please try again after '2' seconds" in err.error.message, err.error.message
    assert err.response.headers["Retry-After"] == "2"          # one token at 0.5 per second
    assert err.response.headers[H + "subscription-writes"] == "0"
    # the throttled request was not processed and took no token
    names = {g.name for g in clients.resource.resource_groups.list()}
    assert "rg4" not in names and {"rg1", "rg2", "rg3"} <= names
    state = throttled.control.call("GET", "throttling")
    assert state["throttled"] == 1 and state["throttled_by"] == {"subscription-writes": 1}
    assert throttled.control.summary()["throttled"] == 1


def test_global_bucket_throttles_across_principals(throttled, make_client):
    """The global bucket (15 x by default) is a limit of its own: made smaller than the principal's here, it is the
    one that runs dry; its 429 names no actor."""
    throttled.control.config(throttle_limits={"subscription": {"reads": {"bucket": 10, "refill": 0}},
                                              "global_factor": 0.2})
    no_retry = make_client(ResourceManagementClient, retry_total=0)
    hook = Headers()
    list(no_retry.resource_groups.list(raw_response_hook=hook))
    list(no_retry.resource_groups.list(raw_response_hook=hook))
    assert hook.values(H + "subscription-global-reads") == [1, 0]
    assert hook.values(H + "subscription-reads") == [9, 8]
    with pytest.raises(HttpResponseError) as caught:
        list(no_retry.resource_groups.list())
    assert caught.value.status_code == 429
    assert caught.value.error.code == "SubscriptionRequestsThrottled"
    assert " actor " not in caught.value.error.message
    assert throttled.control.call("GET", "throttling")["throttled_by"] == {"subscription-global-reads": 1}


def test_tenant_requests_are_throttled_on_the_tenant_bucket(throttled, make_client):
    throttled.control.config(throttle_limits={"tenant": {"reads": {"bucket": 2, "refill": 0}}})
    no_retry = make_client(ResourceManagementClient, retry_total=0)
    seen = [no_retry.send_request(HttpRequest("GET", "/tenants?api-version=2022-12-01")) for _ in range(3)]
    assert [r.status_code for r in seen] == [200, 200, 429]
    assert [r.headers[H + "tenant-reads"] for r in seen] == ["1", "0", "0"]
    assert seen[2].json()["error"]["code"] == "TenantRequestsThrottled"
    assert f"for tenant '{DEFAULT_TENANT}'" in seen[2].json()["error"]["message"]
    # subscription requests are not on the tenant's bucket
    hook = Headers()
    list(no_retry.resource_groups.list(raw_response_hook=hook))
    assert hook.values(H + "subscription-reads") == [249]
    assert H + "tenant-reads" not in hook.seen[0]


def test_bucket_refills_as_time_passes(throttled, make_client):
    _limits(throttled, reads=(2, 1))
    no_retry = make_client(ResourceManagementClient, retry_total=0)
    no_retry.resource_groups.create_or_update("rg1", _rg_body())
    hook = Headers()
    no_retry.resource_groups.get("rg1", raw_response_hook=hook)
    no_retry.resource_groups.get("rg1", raw_response_hook=hook)
    with pytest.raises(HttpResponseError) as caught:
        no_retry.resource_groups.get("rg1")
    assert caught.value.response.headers["Retry-After"] == "1"
    throttled.control.call("POST", "advance", {"seconds": 1})       # one second: one token at 1 per second
    no_retry.resource_groups.get("rg1", raw_response_hook=hook)
    with pytest.raises(HttpResponseError):
        no_retry.resource_groups.get("rg1")
    throttled.control.call("POST", "advance", {"seconds": 60})      # a long wait fills it to its size, no more
    no_retry.resource_groups.get("rg1", raw_response_hook=hook)
    assert hook.values(H + "subscription-reads") == [1, 0, 0, 1]


def test_sdk_retry_honours_retry_after_and_recovers(throttled, clients):
    """azure-core's RetryPolicy retries the 429 after Retry-After; the writes all land."""
    _limits(throttled, writes=(1, 1))
    clients.resource.resource_groups.create_or_update("rg1", _rg_body())
    since = clients.control.summary()["last_seq"]
    started = time.monotonic()
    for name, prefix in (("v1", "10.1.0.0/16"), ("v2", "10.2.0.0/16")):
        vnet = clients.network.virtual_networks.begin_create_or_update("rg1", name, _vnet_body(prefix)).result()
        assert vnet.provisioning_state == "Succeeded"
    elapsed = time.monotonic() - started
    puts = [e for e in clients.control.log(kind="arm", since=since) if e["method"] == "PUT"]
    assert {e["status"] for e in puts if e["throttled"]} == {429}
    assert puts[-1]["status"] in (200, 201) and not puts[-1]["throttled"]
    retried = [e for e in puts if e["throttled"]]
    assert all(b["time"] - a["time"] >= 0.9 for a, b in zip(puts, puts[1:]) if a["throttled"]), puts
    assert elapsed >= 0.9 * len(retried)
    assert {v.name for v in clients.network.virtual_networks.list("rg1")} == {"v1", "v2"}
    summary = clients.control.summary(since)
    assert summary["throttled"] == len(retried) >= 1


def test_config_is_validated_and_reset_refills(throttled, make_client):
    control = throttled.control
    for bad in ({"throttle_limits": {"subscription": {"lists": {"bucket": 1}}}},
                {"throttle_limits": {"subscription": {"reads": {"bucket": 0}}}},
                {"throttle_limits": {"region": {}}},
                {"throttling": "yes"}):
        with pytest.raises(RuntimeError, match="400"):
            control.config(**bad)
    _limits(throttled, reads=(1, 0))
    assert control.config()["throttle_limits"]["subscription"]["reads"] == {"bucket": 1.0, "refill": 0.0}
    assert control.config()["throttle_limits"]["subscription"]["writes"] == {"bucket": 200, "refill": 10}
    no_retry = make_client(ResourceManagementClient, retry_total=0)
    list(no_retry.resource_groups.list())
    with pytest.raises(HttpResponseError):
        list(no_retry.resource_groups.list())
    assert control.call("GET", "throttling")["throttled"] == 1
    control.reset()   # buckets full again, counters back to zero
    assert control.call("GET", "throttling")["throttled"] == 0
    list(no_retry.resource_groups.list())


def test_model_refills_at_the_documented_rates():
    """The article's numbers, on a clock of our own: 250 reads at once, then 25 a second; 200 writes, then 10."""
    now = [0.0]
    model = Throttle("westeurope", clock=lambda: now[0])
    claims = {"oid": "p1", "tid": "t1"}
    low = ["subscriptions", "s1", "resourcegroups"]
    for i in range(250):
        assert model.admit("GET", low, low, claims)[H + "subscription-reads"] == str(249 - i)
    with pytest.raises(ArmError) as caught:
        model.admit("GET", low, low, claims)
    assert caught.value.status == 429 and caught.value.headers["Retry-After"] == "1"
    now[0] = 1.0
    for _ in range(25):
        model.admit("GET", low, low, claims)
    with pytest.raises(ArmError):
        model.admit("GET", low, low, claims)
    # another principal has a bucket of its own, within the subscription's global one (15 x 250 reads, 375 a second)
    assert model.admit("GET", low, low, {"oid": "p2"}) == {H + "subscription-reads": "249",
                                                          H + "subscription-global-reads": str(3750 - 25 - 1)}
    for i in range(200):
        model.admit("PUT", low, low, claims)
    with pytest.raises(ArmError) as caught:
        model.admit("POST", low, low, claims)
    assert caught.value.headers["Retry-After"] == "1"
    now[0] = 2.0
    assert model.admit("DELETE", low, low, claims) == {H + "subscription-deletes": "199",
                                                       H + "subscription-global-deletes": "2999"}
    for _ in range(10):
        model.admit("PATCH", low, low, claims)
    with pytest.raises(ArmError):
        model.admit("PATCH", low, low, claims)


def test_cli_flag_turns_throttling_on(tmp_path):
    proc = EmulatorProcess(str(tmp_path / "emu"), "--throttling")
    try:
        assert proc.control.config()["throttling"] is True
    finally:
        proc.stop()
