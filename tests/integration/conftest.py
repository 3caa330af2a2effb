"""Integration tests: each target under targets/ is a role that runs real modules, through
ansible-playbook, against a fresh emulator estate. Nothing is mocked."""

import json
import os
import subprocess
import sys

import pytest

from privnet_emulator.testing import RunningEmulator

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
COLLECTIONS = os.path.join(REPO, ".cache", "collections")


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    emu = RunningEmulator(str(tmp_path_factory.mktemp("emulator")))
    yield emu
    emu.stop()


def playbook_env(emulator, extra=None):
    """The environment a job template would give: AWX's Azure credential variables plus the CA bundle."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_")}
    env.update({k: emulator.env[k] for k in ("AZURE_SUBSCRIPTION_ID", "AZURE_CLIENT_ID", "AZURE_SECRET",
                                             "AZURE_TENANT", "AZURE_CLOUD_ENVIRONMENT", "REQUESTS_CA_BUNDLE",
                                             "PRIVNET_EMULATOR_URL")})
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_ROLES_PATH": os.path.join(HERE, "targets"),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
    })
    env.update(extra or {})
    return env


def run_playbook(emulator, playbook, extra_args=(), env=None, check=True):
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", playbook,
           *extra_args]
    proc = subprocess.run(cmd, env=playbook_env(emulator, env), capture_output=True, text=True, cwd=HERE,
                          timeout=900, check=False)
    if check and proc.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-20000:]}\n{proc.stderr[-5000:]}")
    return proc


def arm_writes(emulator, since):
    """(method, lower-cased path) of every ARM write the emulator logged after sequence number ``since``."""
    return [(e["method"], e["path"].lower()) for e in emulator.control.log(since=since)
            if e["kind"] == "arm" and e["write"]]


def result_of(stdout):
    """The JSON a play printed with `debug: msg: "RESULT {{ x | to_json }}"` (default callback output)."""
    line = next(line for line in stdout.splitlines() if '"msg": "RESULT ' in line)
    return json.loads(json.loads("{" + line.strip().rstrip(",") + "}")["msg"][len("RESULT "):])
