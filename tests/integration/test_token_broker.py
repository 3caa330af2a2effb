"""One sign-in per credential for a whole controller run (plugins/module_utils/_token_broker.py).

A fleet run makes dozens of module runs, each a process of its own. The first one that needs a
token starts the token broker; every later one with the same credential gets its token from the
broker, so Entra ID sees one token request per run instead of one per module run. Without the
broker (PRIVNET_AZURE_TOKEN_BROKER=off) each module run signs in itself: that run shows what the
first one would count if the broker did not work.
"""

import os
import shutil
import tempfile
import time

import pytest

from conftest import run_playbook
from test_fleet import PLAYBOOK, REGISTRIES, estate, inventory


@pytest.fixture
def runtime_dir():
    # A private XDG_RUNTIME_DIR of its own: no broker of an earlier test answers, and ours goes with it.
    path = tempfile.mkdtemp(prefix="pbi-", dir="/tmp")
    yield path
    for parent, _dirs, names in os.walk(path):
        for name in names:
            os.unlink(os.path.join(parent, name))  # a removed socket makes its daemon exit
    shutil.rmtree(path, ignore_errors=True)


def tokens_since(emulator, mark):
    return [e for e in emulator.control.log(since=mark) if e["kind"] == "token"]


def test_a_fleet_run_signs_in_once(emulator, tmp_path, runtime_dir):
    emulator.control.reset()
    emulator.control.scenario("acr")
    emulator.control.scenario(estate())
    inv = inventory(tmp_path)
    env = {"XDG_RUNTIME_DIR": runtime_dir}

    mark = emulator.control.summary()["last_seq"]
    run_playbook(emulator, PLAYBOOK, ["-i", inv, "-f", str(len(REGISTRIES))], env=env)
    assert [e["status"] for e in tokens_since(emulator, mark)] == [200]

    # Nothing but the broker's socket and lock files, and the lock files are empty: no token, no secret on disk.
    written = [os.path.join(parent, name) for parent, _d, names in os.walk(runtime_dir) for name in names]
    assert written and all(path.endswith((".sock", ".lock")) for path in written), written
    assert all(os.path.getsize(path) == 0 for path in written if path.endswith(".lock"))
    assert all(os.stat(path).st_mode & 0o077 == 0 for path in written)

    # A second run in the broker's lifetime needs no sign-in at all.
    mark = emulator.control.summary()["last_seq"]
    run_playbook(emulator, PLAYBOOK, ["-i", inv, "-f", str(len(REGISTRIES))], env=env)
    assert tokens_since(emulator, mark) == []

    # The same run without the broker: every module run signs in.
    mark = emulator.control.summary()["last_seq"]
    run_playbook(emulator, PLAYBOOK, ["-i", inv, "-f", str(len(REGISTRIES))],
                 env=dict(env, PRIVNET_AZURE_TOKEN_BROKER="off"))
    assert len(tokens_since(emulator, mark)) >= 3 * len(REGISTRIES)


def test_the_broker_exits_when_idle(emulator, tmp_path, runtime_dir):
    emulator.control.reset()
    emulator.control.scenario("acr")
    emulator.control.scenario(estate())
    inv = inventory(tmp_path)
    run_playbook(emulator, PLAYBOOK, ["-i", inv, "--limit", REGISTRIES[0]],
                 env={"XDG_RUNTIME_DIR": runtime_dir, "PRIVNET_AZURE_TOKEN_BROKER_IDLE": "2"})
    directory = os.path.join(runtime_dir, f"privnet-azure-{os.getuid()}")
    deadline = time.monotonic() + 30
    while any(n.endswith(".sock") for n in os.listdir(directory)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not [n for n in os.listdir(directory) if n.endswith(".sock")]
