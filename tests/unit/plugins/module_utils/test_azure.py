# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.module_utils.testing import patch_module_args
from azure.core.exceptions import ClientAuthenticationError, ResourceExistsError, ResourceNotFoundError

from ansible_collections.privnet.azure.plugins.module_utils import _azure
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import compare
from ansible_collections.privnet.azure.plugins.module_utils._validate import Refused
from ansible_collections.privnet.azure.tests.unit.helpers import FakePoller, arm_error, not_found


class FakeClock:
    """Stands in for the time module in _azure: sleep() only moves the clock forward."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def make_module(patched_exit, monkeypatch):
    """An AzureModule built from ``args``; exit/fail raise ModuleExit (see conftest)."""
    clock = FakeClock()
    monkeypatch.setattr(_azure, "time", clock)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)

    def make(args=None, **kwargs):
        with patch_module_args(dict({"subscription_id": "11111111-1111-4111-8111-111111111111"}, **(args or {}))):
            module = AzureModule(argument_spec=dict(resource_group=dict(type="str")), **kwargs)
        module.sleeps = clock.sleeps
        return module
    return make


def failure(excinfo):
    assert excinfo.value.failed
    return excinfo.value.result


# ---- option wiring ------------------------------------------------------------------------

def test_wait_options_are_opt_in(make_module):
    assert "wait" not in make_module().params
    module = make_module(lro=True)
    assert (module.params["wait"], module.params["wait_timeout"]) == (True, 600)


def test_options_fall_back_to_awx_variables(make_module, monkeypatch):
    monkeypatch.setenv("AZURE_CLIENT_ID", "app")
    monkeypatch.setenv("AZURE_SECRET", "s3cret")
    monkeypatch.setenv("AZURE_TENANT", "t")
    module = make_module()
    assert (module.params["client_id"], module.params["secret"], module.params["tenant"]) == ("app", "s3cret", "t")
    assert "s3cret" in module.no_log_values


def test_connection_verify_is_true_or_the_ca_bundle(make_module, tmp_path, monkeypatch):
    assert make_module().connection_verify is True
    bundle = tmp_path / "ca.pem"
    bundle.write_text("x")
    assert make_module({"ca_bundle": str(bundle)}).connection_verify == str(bundle)


def test_missing_ca_bundle_file_fails_early(make_module, tmp_path):
    with pytest.raises(Exception) as caught:
        make_module({"ca_bundle": str(tmp_path / "nope.pem")})
    assert "ca_bundle:" in failure(caught)["msg"]


def test_subscription_is_required_when_used(make_module, monkeypatch):
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    module = make_module({"subscription_id": None})
    with pytest.raises(Exception) as caught:
        module.client("network")
    assert "subscription_id is required" in failure(caught)["msg"]


def test_subscription_id_is_returned_stripped(make_module):
    module = make_module({"subscription_id": " 22222222-2222-4222-8222-222222222222 "})
    assert module.subscription_id == "22222222-2222-4222-8222-222222222222"


def test_a_subscription_name_fails_before_any_client_is_built(make_module, monkeypatch):
    module = make_module({"subscription_id": "my-subscription"})
    imported = []
    monkeypatch.setattr(_azure.importlib, "import_module", imported.append)
    with pytest.raises(Exception) as caught:
        module.client("network")
    assert failure(caught)["msg"] == ("subscription_id: 'my-subscription' is not a subscription id; give the "
                                      "subscription's GUID (az account show --query id), not its name")
    assert imported == [] and module._clients == {}


# ---- clients ------------------------------------------------------------------------------

class FakeClient:
    def __init__(self, credential, subscription_id, **kwargs):
        self.credential, self.subscription_id, self.kwargs = credential, subscription_id, kwargs


def test_client_is_built_for_the_cloud_and_cached_per_subscription(make_module, monkeypatch):
    module = make_module({"cloud_environment": "AzureChinaCloud"})
    monkeypatch.setattr(AzureModule, "credential", "CRED")
    imported = []

    def import_module(name):
        imported.append(name)
        return type("sdk", (), {"NetworkManagementClient": FakeClient})

    monkeypatch.setattr(_azure.importlib, "import_module", import_module)
    client = module.client("network")
    assert module.client("network") is client
    other = module.client("network", subscription_id="22222222-2222-4222-8222-222222222222")
    assert imported == ["azure.mgmt.network", "azure.mgmt.network"]
    assert (client.subscription_id, other.subscription_id) == ("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222")
    assert client.credential == "CRED"
    assert client.kwargs["base_url"] == "https://management.chinacloudapi.cn"
    assert client.kwargs["credential_scopes"] == ["https://management.core.chinacloudapi.cn//.default"]
    assert client.kwargs["connection_verify"] is True
    assert client.kwargs["polling_interval"] == 2


def test_auxiliary_tenants_ride_along_and_a_client_may_sign_into_another_tenant(make_module, monkeypatch):
    import azure.mgmt.core.policies  # noqa: F401  (imported before importlib is patched below)
    module = make_module({"auxiliary_tenants": ["tenant-b"], "tenant": "tenant-a"})
    plain = make_module()
    monkeypatch.setattr(AzureModule, "credential", "CRED")
    monkeypatch.setattr(_azure.importlib, "import_module", lambda name: type("sdk", (), {"NetworkManagementClient": FakeClient}))
    home = module.client("network")
    policy = home.kwargs["custom_hook_policy"]
    assert [(c.credential, c.tenant) for c in policy._auxiliary_credentials] == [("CRED", "tenant-b")]
    assert policy._scopes == ("https://management.core.windows.net//.default",)
    # a subscription of tenant B: signed into B, with an auxiliary token for the home tenant A
    remote = module.client("network", subscription_id="22222222-2222-4222-8222-222222222222", tenant_id="tenant-b")
    assert (remote.credential.credential, remote.credential.tenant) == ("CRED", "tenant-b")
    assert [c.tenant for c in remote.kwargs["custom_hook_policy"]._auxiliary_credentials] == ["tenant-a"]
    # without auxiliary tenants no policy is added
    assert "custom_hook_policy" not in plain.client("network").kwargs


def test_more_than_three_auxiliary_tenants_are_refused_before_any_call(make_module, monkeypatch):
    module = make_module({"auxiliary_tenants": ["a", "b", "c", "d"]})
    monkeypatch.setattr(AzureModule, "credential", "CRED")
    with pytest.raises(Exception) as caught:
        module.client("network")
    assert failure(caught)["msg"].startswith("auxiliary_tenants: 4 tenants given; Azure Resource Manager takes tokens "
                                             "for at most 3")


def test_missing_sdk_fails_with_missing_required_lib(make_module, monkeypatch):
    module = make_module()
    monkeypatch.setattr(AzureModule, "credential", "CRED")

    def import_module(name):
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(_azure.importlib, "import_module", import_module)
    with pytest.raises(Exception) as caught:
        module.client("privatedns")
    result = failure(caught)
    assert "azure-mgmt-privatedns" in result["msg"]
    assert "No module named" in result["exception"]


# ---- calls, errors, retries ---------------------------------------------------------------

def test_azure_error_becomes_a_clean_failure(make_module):
    module = make_module()

    def boom():
        raise arm_error(400, "InvalidResourceReference", "Resource /x referenced by /y was not found.")

    with pytest.raises(Exception) as caught:
        module.call(boom, what="creating private endpoint 'pe'")
    result = failure(caught)
    assert result["msg"] == ("creating private endpoint 'pe': InvalidResourceReference: "
                             "Resource /x referenced by /y was not found.")
    assert result["azure_error"] == {"code": "InvalidResourceReference",
                                     "message": "Resource /x referenced by /y was not found.",
                                     "target": None, "status_code": 400}
    assert "exception" not in result
    assert module.sleeps == []


def test_authentication_failure_names_the_credential_source(make_module):
    module = make_module()
    module._credential_origin = "a client secret from the module options"

    def boom():
        raise ClientAuthenticationError("AADSTS7000215: Invalid client secret provided.")

    with pytest.raises(Exception) as caught:
        module.call(boom, what="reading subnet 's'")
    msg = failure(caught)["msg"]
    assert msg.startswith("reading subnet 's': ClientAuthenticationError: AADSTS7000215")
    assert msg.endswith("(credentials: a client secret from the module options)")


def raises(error):
    """A stand-in SDK call that fails with ``error``."""
    def call(*args, **kwargs):
        raise error
    return call


def test_get_or_none(make_module):
    module = make_module()
    assert module.get_or_none(raises(not_found()), "x") is None
    assert module.get_or_none(lambda name: {"name": name}, "x") == {"name": "x"}


def test_get_or_none_reports_other_errors(make_module):
    module = make_module()
    with pytest.raises(Exception) as caught:
        module.get_or_none(raises(arm_error(403, "AuthorizationFailed", "no")), what="reading x")
    assert failure(caught)["msg"] == "reading x: AuthorizationFailed: no"


def test_get_or_none_fails_on_a_404_for_a_missing_subscription(make_module):
    module = make_module()
    calls = []

    def get():
        calls.append(1)
        raise arm_error(404, "SubscriptionNotFound", "The subscription '22222222-2222-4222-8222-222222222222' "
                        "could not be found.", cls=ResourceNotFoundError)

    with pytest.raises(Exception) as caught:
        module.get_or_none(get, what="reading virtual network 'v'")
    result = failure(caught)
    assert result["msg"] == ("reading virtual network 'v': SubscriptionNotFound: The subscription "
                             "'22222222-2222-4222-8222-222222222222' could not be found.")
    assert result["azure_error"]["status_code"] == 404
    assert calls == [1] and module.sleeps == []  # not retried


def test_get_or_none_returns_none_for_resource_not_found(make_module):
    module = make_module()
    calls = []

    def get():
        calls.append(1)
        raise arm_error(404, "ResourceNotFound", "The Resource 'x' was not found.", cls=ResourceNotFoundError)

    assert module.get_or_none(get, what="reading x") is None
    assert calls == [1] and module.sleeps == []


def test_means_absent():
    assert _azure.means_absent(not_found()) is True
    assert _azure.means_absent(arm_error(404, "ResourceNotFound", cls=ResourceNotFoundError)) is True
    assert _azure.means_absent(arm_error(404, "SubscriptionNotFound", cls=ResourceNotFoundError)) is False
    # a 404 as a plain HttpResponseError (SDK calls without an error map) says "absent" too, by its code
    assert _azure.means_absent(arm_error(404, "ResourceNotFound")) is True
    assert _azure.means_absent(arm_error(404, "SubscriptionNotFound")) is False
    assert _azure.means_absent(arm_error(403, "AuthorizationFailed")) is False


@pytest.mark.parametrize("error", [
    arm_error(409, "AnotherOperationInProgress", cls=ResourceExistsError),
    arm_error(429, "RetryableError", details=["RetryableErrorDueToAnotherOperation"]),
    arm_error(400, "ReferencedResourceNotProvisioned"),
    arm_error(400, "BadRequest", details=["AnotherOperationInProgress"]),
])
def test_arm_conflicts_are_retried_with_backoff(make_module, error):
    module = make_module()
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise error
        return "ok"

    assert module.call(flaky) == "ok"
    assert len(calls) == 3
    assert len(module.sleeps) == 2
    assert 1.0 <= module.sleeps[0] <= 2.0 and 2.0 <= module.sleeps[1] <= 4.0


def test_a_plain_conflict_is_not_retried(make_module):
    module = make_module()
    calls = []

    def conflict():
        calls.append(1)
        raise arm_error(409, "Conflict", "real conflict", cls=ResourceExistsError)

    with pytest.raises(Exception) as caught:
        module.call(conflict, what="x")
    assert failure(caught)["azure_error"]["code"] == "Conflict"
    assert len(calls) == 1


def test_retries_are_bounded_by_attempts(make_module):
    module = make_module(lro=True)
    calls = []

    def busy():
        calls.append(1)
        raise arm_error(409, "AnotherOperationInProgress", "busy")

    with pytest.raises(Exception) as caught:
        module.call(busy, what="updating x")
    assert failure(caught)["msg"] == "updating x: AnotherOperationInProgress: busy"
    assert len(calls) == _azure.RETRY_MAX_ATTEMPTS


def test_retries_are_bounded_by_wait_timeout(make_module):
    module = make_module({"wait_timeout": 5}, lro=True)
    calls = []

    def busy():
        calls.append(1)
        raise arm_error(409, "AnotherOperationInProgress", "busy")

    with pytest.raises(Exception):
        module.call(busy)
    # Delays are 1-2 s, 2-4 s, 4-8 s: the budget of 5 s allows two or three sleeps, never
    # the eight attempts the attempt bound alone would allow.
    assert 2 <= len(calls) <= 3
    assert sum(module.sleeps) <= 5


# ---- long-running operations --------------------------------------------------------------

def test_begin_waits_and_returns_the_result(make_module):
    module = make_module({"wait_timeout": 30}, lro=True)
    poller = FakePoller(result="done")
    assert module.begin(lambda *a: poller, "rg", what="updating x") == "done"
    assert poller.waited == [30]


def test_begin_without_wait_returns_at_once(make_module):
    module = make_module({"wait": False}, lro=True)
    poller = FakePoller(result="done")
    assert module.begin(lambda: poller) is None
    assert poller.waited == []


def test_begin_timeout_says_what_it_waited_for(make_module):
    module = make_module({"wait_timeout": 42}, lro=True)
    with pytest.raises(Exception) as caught:
        module.begin(lambda: FakePoller(finishes=False), what="updating subnet 's'")
    assert failure(caught)["msg"].startswith("timed out after 42 s waiting for updating subnet 's'")


def test_failed_lro_with_retryable_code_is_started_again(make_module):
    module = make_module(lro=True)
    # A failed LRO surfaces as HttpResponseError with status 200 (the poll) and the ARM code.
    pollers = [FakePoller(error=arm_error(200, "AnotherOperationInProgress")), FakePoller(result="ok")]
    started = []

    def start():
        started.append(1)
        return pollers[len(started) - 1]

    assert module.begin(start) == "ok"
    assert len(started) == 2


def test_failed_lro_with_other_code_fails(make_module):
    module = make_module(lro=True)
    with pytest.raises(Exception) as caught:
        module.begin(lambda: FakePoller(error=arm_error(200, "InternalServerError", "oops")), what="creating x")
    assert failure(caught)["msg"] == "creating x: InternalServerError: oops"


# ---- exit ---------------------------------------------------------------------------------

def test_exit_adds_diff_only_in_diff_mode(make_module):
    difference = compare({"a": 1}, {"a": 2})
    with pytest.raises(Exception) as caught:
        make_module().exit(changed=True, diff=difference, thing={"a": 1})
    assert "diff" not in caught.value.result
    with pytest.raises(Exception) as caught:
        make_module({"_ansible_diff": True}).exit(changed=True, diff=difference, thing={"a": 1})
    assert caught.value.result["diff"] == {"before": {"a": 2}, "after": {"a": 1}}
    assert caught.value.result["changed"] is True


def test_validated_turns_value_errors_into_failures(make_module):
    module = make_module()

    def check(value):
        raise ValueError(f"name: {value!r} is bad; use letters")

    with pytest.raises(Exception) as caught:
        module.validated(check, "x y")
    assert failure(caught)["msg"] == "name: 'x y' is bad; use letters"


def test_validated_adds_the_result_keys_of_a_refusal(make_module):
    module = make_module()

    def check():
        raise Refused("registry: on the Basic SKU; upgrade it", sku="Basic")

    with pytest.raises(Exception) as caught:
        module.validated(check)
    assert failure(caught)["msg"] == "registry: on the Basic SKU; upgrade it"
    assert failure(caught)["sku"] == "Basic"


def test_resolve_id_checks_a_bare_name_and_completes_it(make_module):
    module = make_module({"subscription_id": "11111111-1111-4111-8111-111111111111", "resource_group": "rg"})
    rid = module.resolve_id("vnet-a", "virtual_network", "Microsoft.Network", "virtualNetworks",
                            name_kind="virtual_network")
    assert (rid.subscription, rid.resource_group, rid.name) == ("11111111-1111-4111-8111-111111111111", "rg", "vnet-a")
    with pytest.raises(Exception) as caught:
        module.resolve_id("-vnet", "virtual_network", "Microsoft.Network", "virtualNetworks",
                          name_kind="virtual_network")
    assert failure(caught)["msg"].startswith("virtual_network: '-vnet' is not a valid virtual network name")


# ---- null and empty values, before any call ---------------------------------------------------

@pytest.fixture
def make_strict_module(patched_exit, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    spec = dict(
        name=dict(type="str", required=True, aliases=["subnet"]),
        virtual_network=dict(type="str"),
        subnet_id=dict(type="str"),
        mode=dict(type="str", default="auto"),
        group_ids=dict(type="list", elements="str"),
        links=dict(type="list", elements="dict",
                   options=dict(name=dict(type="str", required=True), virtual_network=dict(type="str"))),
        note=dict(type="str"),
    )

    def make(args, **kwargs):
        with patch_module_args(dict({"subscription_id": "11111111-1111-4111-8111-111111111111"}, **args)):
            return AzureModule(argument_spec=spec, **kwargs)
    return make


@pytest.mark.parametrize("args, message", [
    (dict(name=None), "name: is null; give a value"),
    (dict(subnet=None), "name: is null; give a value"),
    (dict(name=""), "name: is empty; give a value"),
    (dict(name="  "), "name: is empty; give a value"),
    (dict(name="a", virtual_network=""), "virtual_network: is empty; give a value"),
    (dict(name="a", group_ids=["registry", ""]), "group_ids: holds an empty or null item"),
    (dict(name="a", group_ids=[None]), "group_ids: holds an empty or null item"),
    (dict(name="a", links=[{"name": "l1"}, {"name": None}]), "links[1].name: is null; give a value"),
    (dict(name="a", links=[{"name": "l1", "virtual_network": ""}]), "links[0].virtual_network: is empty"),
])
def test_null_and_empty_values_are_refused_naming_the_option(make_strict_module, args, message):
    with pytest.raises(Exception) as excinfo:
        make_strict_module(args)
    assert message in failure(excinfo)["msg"]


def test_required_one_of_and_together_do_not_count_null(make_strict_module):
    with pytest.raises(Exception) as excinfo:
        make_strict_module(dict(name="a", subnet_id=None, virtual_network=None),
                           required_one_of=[("subnet_id", "virtual_network")])
    assert failure(excinfo)["msg"] == "one of subnet_id, virtual_network is required; subnet_id, virtual_network is null"
    with pytest.raises(Exception) as excinfo:
        make_strict_module(dict(name="a", subnet_id="x", virtual_network=None),
                           required_together=[("subnet_id", "virtual_network")])
    assert "virtual_network is missing or null" in failure(excinfo)["msg"]


def test_null_takes_the_default_and_allow_empty_lets_an_option_be_blank(make_strict_module):
    module = make_strict_module(dict(name="a", mode=None, note=""), allow_empty=("note",))
    assert module.params["mode"] == "auto" and module.params["note"] == ""


def test_a_cloud_that_does_not_serve_the_request_is_named_with_the_api_version(make_module):
    module = make_module()
    exc = arm_error(400, "NoRegisteredProviderFound",
                    "No registered resource provider found for location 'local' and API version '2026-03-01' for type "
                    "'privateEndpoints'.")
    exc.response.request = type("Request", (), {"url": "https://management.local.azurestack.external/subscriptions/s/"
                                                       "providers/Microsoft.Network/privateEndpoints?api-version=2026-03-01"})()
    with pytest.raises(Exception) as excinfo:
        module.fail_azure("creating private endpoint 'pe'", exc)
    msg = failure(excinfo)["msg"]
    assert msg.startswith("creating private endpoint 'pe': NoRegisteredProviderFound: No registered resource provider")
    assert "does not serve this request at api-version 2026-03-01" in msg
    assert "Azure Stack Hub's API profiles have no private endpoints" in msg
