"""Fixtures: one in-process emulator per session, reset before each test, and real SDK clients."""

import pytest
from azure.identity import ClientSecretCredential

from privnet_emulator import SECOND_SUBSCRIPTION
from privnet_emulator.testing import RunningEmulator


@pytest.fixture(scope="session")
def running(tmp_path_factory):
    # audit=True: every ARM response is checked against the published spec (test_contract.py's final check)
    emu = RunningEmulator(str(tmp_path_factory.mktemp("emulator")), audit=True)
    yield emu
    emu.stop()


def pytest_collection_modifyitems(session, config, items):
    """The contract audit's final check runs last, after the traffic of every other test."""
    last = [i for i in items if i.name == "test_every_response_of_the_suite_follows_the_spec"]
    items[:] = [i for i in items if i not in last] + last


@pytest.fixture
def emulator(running):
    running.control.reset()
    running.control.config(latency="instant", time_scale=1.0, page_size=100, busy_response="conflict",
                           token_lifetime=3599, throttling=False, throttle_limits={"defaults": True})
    yield running
    running.control.clear_faults()


@pytest.fixture
def credential(emulator):
    env = emulator.env
    return ClientSecretCredential(env["AZURE_TENANT"], env["AZURE_CLIENT_ID"], env["AZURE_SECRET"],
                                  authority=env["AZURE_AUTHORITY_HOST"], connection_verify=emulator.ca_path,
                                  disable_instance_discovery=True)


def _client(cls, emulator, credential, subscription=None, **kwargs):
    return cls(credential, subscription or emulator.env["AZURE_SUBSCRIPTION_ID"], base_url=emulator.url,
               credential_scopes=["https://management.azure.com/.default"], connection_verify=emulator.ca_path,
               polling_interval=0, **kwargs)


@pytest.fixture
def clients(emulator, credential):
    """SDK clients against the emulator: .resource, .network, .privatedns, .acr (and .*2 for the second subscription)."""
    from azure.mgmt.containerregistry import ContainerRegistryManagementClient
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.privatedns import PrivateDnsManagementClient
    from azure.mgmt.resource.resources import ResourceManagementClient

    class Clients:
        resource = _client(ResourceManagementClient, emulator, credential)
        network = _client(NetworkManagementClient, emulator, credential)
        privatedns = _client(PrivateDnsManagementClient, emulator, credential)
        acr = _client(ContainerRegistryManagementClient, emulator, credential)
        network2 = _client(NetworkManagementClient, emulator, credential, SECOND_SUBSCRIPTION)
        acr2 = _client(ContainerRegistryManagementClient, emulator, credential, SECOND_SUBSCRIPTION)
        resource2 = _client(ResourceManagementClient, emulator, credential, SECOND_SUBSCRIPTION)
        control = emulator.control
        subscription = emulator.env["AZURE_SUBSCRIPTION_ID"]

    return Clients


@pytest.fixture
def make_client(emulator, credential):
    """Build any SDK client against the emulator: make_client(cls, subscription=None, **kwargs)."""
    return lambda cls, subscription=None, **kw: _client(cls, emulator, credential, subscription, **kw)
