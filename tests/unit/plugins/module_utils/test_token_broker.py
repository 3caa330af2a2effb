# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller's token broker: one sign-in shared by module runs with the same credential.

These tests fork real daemons (from the test process) in a private temporary directory, with a
short idle time, and talk to them over their Unix sockets.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time

import pytest

from azure.core.exceptions import ClientAuthenticationError

from ansible_collections.privnet.azure.plugins.module_utils import _token_broker as broker
from ansible_collections.privnet.azure.plugins.module_utils._auth import credential_fingerprint
from ansible_collections.privnet.azure.plugins.module_utils._cloud import PUBLIC_CLOUDS

pytestmark = pytest.mark.skipif(not hasattr(socket, "AF_UNIX") or not hasattr(os, "fork"), reason="POSIX only")


class PidCredential:
    """Tokens that say which process signed in, and with what."""

    def __init__(self, fail=False):
        self.fail = fail

    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken
        if self.fail:
            raise ClientAuthenticationError(message="AADSTS7000215: Invalid client secret provided.")
        return AccessToken(f"{os.getpid()}|{','.join(scopes)}|{kwargs.get('tenant_id')}", 4102444800)


@pytest.fixture
def directory():
    # Short and private: a Unix socket path must stay under 108 bytes.
    path = tempfile.mkdtemp(prefix="pbt-", dir="/tmp")
    yield path
    for parent, _dirs, names in os.walk(path):  # removing a socket makes its daemon exit
        for name in names:
            os.unlink(os.path.join(parent, name))
    shutil.rmtree(path, ignore_errors=True)


def brokered(credential, directory, secret=b"s1", identity=b"sp-a", idle="5"):
    return broker.brokered(credential, identity, secret,
                           environ={"XDG_RUNTIME_DIR": directory, broker.IDLE_VARIABLE: idle})


def signer(token):
    return int(token.token.split("|")[0])


def test_module_runs_with_one_credential_share_one_daemon(directory):
    first = brokered(PidCredential(), directory)
    assert isinstance(first, broker.BrokeredCredential)
    token = first.get_token("https://management.azure.com/.default")
    daemon = signer(token)
    assert daemon != os.getpid()
    assert token.expires_on == 4102444800
    # A later module run (a new credential object, same inputs) is answered by the same daemon.
    again = brokered(PidCredential(), directory).get_token("https://management.azure.com/.default", tenant_id="tenant-b")
    assert signer(again) == daemon
    assert again.token.endswith("|tenant-b")
    sockets = [n for n in os.listdir(os.path.join(directory, f"privnet-azure-{os.getuid()}")) if n.endswith(".sock")]
    assert len(sockets) == 1


def test_another_secret_gets_its_own_daemon(directory):
    one = signer(brokered(PidCredential(), directory, secret=b"s1").get_token("scope"))
    other = signer(brokered(PidCredential(), directory, secret=b"s2").get_token("scope"))
    assert one != other and os.getpid() not in (one, other)


def test_a_request_without_the_proof_is_not_answered(directory):
    credential = brokered(PidCredential(), directory)
    credential.get_token("scope")
    request = {"proof": "0" * 64, "scopes": ["scope"]}
    with pytest.raises(ValueError):
        broker.exchange(credential.path, request)
    # The right proof is answered.
    assert "token" in broker.exchange(credential.path, dict(request, proof=credential.proof))


def test_a_sign_in_error_is_the_credentials_own(directory):
    credential = brokered(PidCredential(fail=True), directory)
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
        credential.get_token("scope")
    assert not credential.broken  # the daemon answered: no second sign-in here


def test_the_daemon_exits_when_idle_and_removes_its_socket(directory):
    credential = brokered(PidCredential(), directory, idle="1")
    credential.get_token("scope")
    deadline = time.monotonic() + 10
    while os.path.exists(credential.path) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not os.path.exists(credential.path)
    # The next module run starts a new daemon.
    assert signer(brokered(PidCredential(), directory, idle="1").get_token("scope")) != os.getpid()


def test_a_running_daemon_does_not_hold_the_start_lock(directory):
    import fcntl
    credential = brokered(PidCredential(), directory)
    daemon = signer(credential.get_token("scope"))
    descriptor = os.open(credential.lock_path, os.O_RDWR)
    try:
        # Non-blocking: raises BlockingIOError if the daemon kept the lock it was started under.
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(descriptor)
    # Its socket removed (as a new controller's clean-up does), the next module run starts another one.
    os.unlink(credential.path)
    assert signer(brokered(PidCredential(), directory).get_token("scope")) not in (daemon, os.getpid())


def test_a_dead_daemons_socket_is_replaced(directory):
    credential = brokered(PidCredential(), directory)
    os.makedirs(os.path.dirname(credential.path), exist_ok=True)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(credential.path)  # bound, never listening: connections are refused
    dead.close()
    assert signer(credential.get_token("scope")) != os.getpid()


@pytest.mark.parametrize("value", ["off", "0", "false", "No"])
def test_off_means_the_credential_itself(directory, value):
    credential = PidCredential()
    environ = {broker.SWITCH_VARIABLE: value, "XDG_RUNTIME_DIR": directory}
    assert broker.brokered(credential, b"i", b"s", environ=environ) is credential


def test_an_unsafe_directory_means_the_credential_itself(directory, monkeypatch):
    unsafe = os.path.join(directory, f"privnet-azure-{os.getuid()}")
    os.mkdir(unsafe, 0o755)
    os.chmod(unsafe, 0o755)
    credential = PidCredential()
    assert brokered(credential, directory) is credential


def test_an_unanswering_daemon_falls_back_to_signing_in_here(directory, monkeypatch):
    credential = brokered(PidCredential(), directory)

    def no_answer(path, request):
        raise OSError("timed out")

    monkeypatch.setattr(broker, "exchange", no_answer)
    assert signer(credential.get_token("scope")) == os.getpid()
    assert credential.broken


def test_the_fingerprint_covers_every_input_of_the_credential(tmp_path):
    cloud = PUBLIC_CLOUDS["azurecloud"]
    params = {"client_id": "c", "tenant": "t", "secret": "s", "auth_source": "auto"}
    base = credential_fingerprint(params, cloud, True, environ={})
    assert b'"s"' not in base[0] and b'"s"' in base[1]  # the secret is in the secret part only
    assert credential_fingerprint(dict(params, secret="s2"), cloud, True, environ={})[1] != base[1]
    assert credential_fingerprint(dict(params, tenant="t2"), cloud, True, environ={})[0] != base[0]
    assert credential_fingerprint(params, PUBLIC_CLOUDS["azureusgovernment"], True, environ={})[0] != base[0]
    assert credential_fingerprint(params, cloud, True, environ={"AZURE_CLIENT_SECRET": "x"})[1] != base[1]
    certificate = tmp_path / "sp.pem"
    certificate.write_text("one")
    with_certificate = credential_fingerprint(dict(params, certificate_path=str(certificate)), cloud, True, environ={})
    certificate.write_text("two")
    assert credential_fingerprint(dict(params, certificate_path=str(certificate)), cloud, True,
                                  environ={})[1] != with_certificate[1]
