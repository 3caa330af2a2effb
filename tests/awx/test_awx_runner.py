"""playbooks/acr_private_link.yml run the way an AWX job template runs it: through
ansible_runner.run() with a private data directory holding the project, an inventory, the
extra variables and an environment made only of what AWX injects (its Azure credential's
variables, the CA bundle of a custom CA, and the collections path of the project update).

The collection is built with `ansible-galaxy collection build` and installed from that tarball
into the private data directory, as AWX's project update installs collections/requirements.yml,
so the test runs what ships, not the work tree.

Nothing is mocked: the playbook talks HTTPS to the ARM emulator, started in-process.
"""

import json
import os
import shutil
import subprocess
import sys

import ansible_runner
import pytest
import yaml

from privnet_emulator.testing import RunningEmulator

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)
HOST = "acrprivnetdemo"

# What AWX's "Microsoft Azure Resource Manager" credential injects, and nothing else from Azure.
AWX_CREDENTIAL_VARIABLES = ("AZURE_SUBSCRIPTION_ID", "AZURE_CLIENT_ID", "AZURE_SECRET", "AZURE_TENANT",
                            "AZURE_CLOUD_ENVIRONMENT")


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    emu = RunningEmulator(str(tmp_path_factory.mktemp("emulator")))
    emu.control.scenario("acr")
    yield emu
    emu.stop()


@pytest.fixture(scope="module")
def installed_collections(tmp_path_factory):
    """The collection as AWX's project update leaves it: built, then installed from the tarball."""
    out = tmp_path_factory.mktemp("collection")
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(out), REPO],
                   check=True, capture_output=True, text=True)
    tarball = next(p for p in out.iterdir() if p.name.startswith("privnet-azure-") and p.suffix == ".gz")
    target = out / "requirements_collections"
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--offline", "--force", "-p", str(target),
                    str(tarball)], check=True, capture_output=True, text=True)
    assert (target / "ansible_collections" / "privnet" / "azure" / "MANIFEST.json").is_file()
    return target


@pytest.fixture
def awx_process_env(monkeypatch):
    """An execution node's environment: no Azure, CA or Ansible settings of the developer's shell
    leak in; ansible-playbook is found on PATH (the venv's, as an execution environment's)."""
    scrubbed = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "PRIVNET_EMULATOR_URL")
    for key in list(os.environ):
        if key.startswith(("AZURE_", "ANSIBLE_", "MOLECULE_")) or key in scrubbed:
            monkeypatch.delenv(key)
    monkeypatch.setenv("PATH", BIN + os.pathsep + os.environ.get("PATH", ""))


def vnet_resolver(emulator, vnet="vnet-app"):
    listener = next(li for li in emulator.control.dns() if li["vnet_id"].lower().endswith(f"/virtualnetworks/{vnet}"))
    return f"{listener['address']}:{listener['port']}"


def private_data_dir(root, emulator, collections):
    """The directory AWX prepares for a job: project/, inventory/, env/envvars, env/extravars."""
    root.mkdir()
    shutil.copytree(os.path.join(REPO, "playbooks"), root / "project" / "playbooks")
    (root / "project" / "collections").mkdir()
    shutil.copy(os.path.join(REPO, "collections", "requirements.yml"), root / "project" / "collections")

    # AWX writes the job's inventory; these are the demo inventory's registry host and its host vars.
    with open(os.path.join(REPO, "playbooks", "inventory", "demo.yml"), encoding="utf-8") as f:
        demo = yaml.safe_load(f)
    group = demo["all"]["children"]["acr_private_links"]
    (root / "inventory").mkdir()
    (root / "inventory" / "hosts.yml").write_text(yaml.safe_dump({"all": {"children": {"acr_private_links": group}}}))

    env = root / "env"
    env.mkdir()
    envvars = {k: emulator.env[k] for k in AWX_CREDENTIAL_VARIABLES}
    envvars["REQUESTS_CA_BUNDLE"] = emulator.env["REQUESTS_CA_BUNDLE"]
    envvars["ANSIBLE_COLLECTIONS_PATH"] = str(collections)
    (env / "envvars").write_text(yaml.safe_dump(envvars))

    # The job template's extra variables: the demo's shared settings, plus a DNS server inside
    # vnet-app (the emulator's listener for that VNet) for the role's resolution check.
    with open(os.path.join(REPO, "playbooks", "vars", "acr_private_link.demo.yml"), encoding="utf-8") as f:
        extravars = yaml.safe_load(f)
    extravars["acr_private_link_dns_resolver"] = vnet_resolver(emulator)
    (env / "extravars").write_text(yaml.safe_dump(extravars))
    return root


def run_job(pdd, ident):
    return ansible_runner.run(private_data_dir=str(pdd), playbook="playbooks/acr_private_link.yml", ident=ident,
                              quiet=True)


def changed_events(run):
    return [e for e in run.events
            if e.get("event") in ("runner_on_ok", "runner_item_on_ok") and e["event_data"].get("res", {}).get("changed")]


def stdout_of(run):
    with run.stdout as f:  # a new handle on the job's stdout artifact
        return f.read()


def test_acr_private_link_job_template(emulator, installed_collections, awx_process_env, tmp_path):
    pdd = private_data_dir(tmp_path / "job", emulator, installed_collections)
    secret = emulator.env["AZURE_SECRET"]

    # ---- first run: builds the private link ----------------------------------------------------
    mark = emulator.control.summary()["last_seq"]
    first = run_job(pdd, "run1")
    output = stdout_of(first)
    assert first.status == "successful" and first.rc == 0, output[-8000:]
    assert first.stats["failures"] == {} and first.stats["dark"] == {}, first.stats
    assert first.stats["changed"].get(HOST, 0) >= 4, first.stats   # policies, zone, endpoint, records, access
    assert len(changed_events(first)) >= 4
    assert emulator.control.writes(since=mark), "the first run should have written to ARM"

    # What a VM in vnet-app resolves, as the playbook reports it: each name to its private IP.
    resolved = [e["event_data"]["res"]["msg"] for e in first.events
                if e.get("event") == "runner_item_on_ok" and e["event_data"].get("task") == "What a VM in the virtual network resolves"]
    assert len(resolved) == 3, resolved
    for line in resolved:
        rest = line.partition(" -> ")[2]
        ip, answer = rest.partition(" (resolves to: ")[::2]
        assert ip.startswith("10.20.1.") and answer == ip + ")", line

    # The job output (what AWX stores and shows) never holds the credential's secret.
    assert secret not in output
    assert secret not in json.dumps(list(first.events))

    # ---- second run: the same job again changes nothing and writes nothing -------------------
    mark = emulator.control.summary()["last_seq"]
    second = run_job(pdd, "run2")
    output = stdout_of(second)
    assert second.status == "successful" and second.rc == 0, output[-8000:]
    assert second.stats["changed"] == {} or set(second.stats["changed"].values()) == {0}, second.stats
    assert changed_events(second) == [], [e["event_data"]["task"] for e in changed_events(second)]
    writes = emulator.control.writes(since=mark)
    assert writes == [], [(w["method"], w["path"]) for w in writes]
    assert emulator.control.summary(since=mark)["reads"] > 0   # it did check, through ARM
    assert secret not in output
