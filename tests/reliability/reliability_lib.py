"""Shared helpers of the reliability suite: the emulator, ansible runs, state normalisation and
the results record that RESULTS.md is written from.

Every run is real: ansible-playbook (or ansible) runs the collection's modules against the
in-process ARM emulator over HTTPS, with only AWX's variable names in the environment.
"""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
COLLECTIONS = os.path.join(REPO, ".cache", "collections")
BIN = os.path.dirname(sys.executable)
# Per-test results (tests/output is git-ignored); RESULTS.md is written from them.
RECORDS = os.path.join(REPO, "tests", "output", "reliability")
RESULTS_MD = os.path.join(HERE, "RESULTS.md")

ACR_PLAYBOOK = os.path.join(REPO, "playbooks", "acr_private_link.yml")
DEMO_INVENTORY = os.path.join(REPO, "playbooks", "inventory", "demo.yml")
ACR_VARS = os.path.join(REPO, "playbooks", "vars", "acr_private_link.demo.yml")
AWX_VARIABLES = ("AZURE_SUBSCRIPTION_ID", "AZURE_CLIENT_ID", "AZURE_SECRET", "AZURE_TENANT", "AZURE_CLOUD_ENVIRONMENT")

# The transient fault kinds the emulator injects on ARM requests, and the one on the token endpoint.
ARM_TRANSIENT_KINDS = ("429", "500", "503", "conflict", "retryable", "failed_lro", "drop")
TOKEN_KIND = "token_error"

_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}", re.I)
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
# Fields whose values change from one run to the next by nature (times), not by outcome.
_VOLATILE_KEYS = {"modified", "lastUpdatedTime", "creationDate", "createdAt", "lastModifiedAt"}


# ---- the environment a job template gives -------------------------------------------------

def playbook_env(emulator, extra=None, drop=()):
    """AWX's Azure credential variables plus the CA bundle; nothing else Azure-related. ``drop``
    names variables to leave out (a job template without that credential field)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ANSIBLE_"))}
    env.update({k: emulator.env[k] for k in AWX_VARIABLES + ("REQUESTS_CA_BUNDLE", "PRIVNET_EMULATOR_URL")})
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_DEPRECATION_WARNINGS": "0",
    })
    env.update(extra or {})
    for key in drop:
        env.pop(key, None)
    return env


class Run:
    """One finished ansible process."""

    def __init__(self, cmd, proc, seconds):
        self.cmd = cmd
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.seconds = seconds

    @property
    def output(self):
        return self.stdout + "\n" + self.stderr

    def describe(self, tail=12000):
        return f"$ {' '.join(self.cmd)}\nrc={self.rc} ({self.seconds:.1f} s)\n{self.stdout[-tail:]}\n{self.stderr[-4000:]}"


def run(emulator, argv, env=None, cwd=None, timeout=900, drop_env=()):
    """Run an ansible entry point (argv[0] is ansible-playbook, ansible, ...) from the venv."""
    cmd = [os.path.join(BIN, argv[0]), *argv[1:]]
    started = time.monotonic()
    proc = subprocess.run(cmd, env=playbook_env(emulator, env, drop_env), capture_output=True, text=True,
                          cwd=cwd or REPO, timeout=timeout, check=False)
    return Run(cmd, proc, time.monotonic() - started)


def start(emulator, argv, env=None, cwd=None):
    """Start an ansible entry point without waiting (for concurrent runs); returns (cmd, Popen, start time)."""
    cmd = [os.path.join(BIN, argv[0]), *argv[1:]]
    proc = subprocess.Popen(cmd, env=playbook_env(emulator, env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=cwd or REPO)
    return cmd, proc, time.monotonic()


def finish(started, timeout=900):
    cmd, proc, t0 = started
    out, err = proc.communicate(timeout=timeout)
    return Run(cmd, subprocess.CompletedProcess(cmd, proc.returncode, out, err), time.monotonic() - t0)


def vnet_resolver(emulator, vnet="vnet-app"):
    """The emulator's DNS listener for a VNet, "a resolver inside the VNet" (as scripts/demo gives it)."""
    listener = next(item for item in emulator.control.dns() if item["vnet_id"].lower().endswith(f"/virtualnetworks/{vnet}"))
    return f"{listener['address']}:{listener['port']}"


def acr_playbook_args(emulator, *extra, resolver=True):
    """ansible-playbook argv for the main procedure as scripts/demo runs it."""
    args = ["ansible-playbook", "-i", DEMO_INVENTORY, ACR_PLAYBOOK, "-e", f"@{ACR_VARS}"]
    if resolver:
        args += ["-e", f"acr_private_link_dns_resolver={vnet_resolver(emulator)}"]
    return args + list(extra)


def fresh(emulator, *scenarios):
    forget_tokens()
    emulator.control.reset()
    for name in scenarios:
        emulator.control.scenario(name)


def forget_tokens():
    """Make the next module run sign in again, as a new controller would: remove the sockets of the
    collection's token brokers (plugins/module_utils/_token_broker.py); their daemons then exit."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = runtime if runtime and os.path.isdir(runtime) else tempfile.gettempdir()
    for path in glob.glob(os.path.join(base, f"privnet-azure-{os.getuid()}", "*.sock")):
        os.unlink(path)


# ---- the request log ------------------------------------------------------------------------

def last_seq(emulator):
    return emulator.control.summary()["last_seq"]


def arm_log(emulator, since=0):
    return [e for e in emulator.control.log(since=since) if e["kind"] == "arm"]


def writes(emulator, since=0):
    return [e for e in arm_log(emulator, since) if e["write"]]


def write_targets(entries):
    """The distinct (method, path) of the ARM writes in a log, in first-seen order."""
    seen = []
    for e in entries:
        if e["kind"] == "arm" and e["write"] and (e["method"], e["path"]) not in seen:
            seen.append((e["method"], e["path"]))
    return seen


def short_path(path):
    """A write path without its subscription and resource group prefix, for test ids and reports."""
    parts = path.split("/providers/", 1)
    return parts[1] if len(parts) == 2 else path


# ---- state -----------------------------------------------------------------------------------

def _mask(value):
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items() if k not in _VOLATILE_KEYS}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, str):
        if _TIMESTAMP.match(value):
            return "<time>"
        return _GUID.sub("<guid>", value).lower() if value.startswith("/") else _GUID.sub("<guid>", value)
    return value


def normalise(snapshot, subscription=None):
    """GET /_emulator/state reduced to what a run's outcome is: each resource's id (GUIDs masked,
    lower case), type, provisioning state and body (times dropped, GUIDs masked). Etags and
    generated names differ between equal outcomes; everything else must not."""
    out = []
    for res in snapshot["resources"]:
        rid = res["id"]
        if subscription and f"/subscriptions/{subscription}/".lower() not in rid.lower():
            continue
        masked_id = _mask(rid)
        type_ = "/".join(part for i, part in enumerate(rid.split("/providers/")[-1].split("/")) if i == 0 or i % 2 == 1)
        out.append({"id": masked_id, "type": type_.lower(), "provisioningState": res["provisioningState"],
                    "body": _mask(res["body"])})
    out.sort(key=lambda r: r["id"])
    return {"resources": out, "pending_operations": len(snapshot["operations"]),
            "resource_groups": sorted(g["name"].lower() for g in snapshot["resourceGroups"])}


def state_difference(expected, actual):
    """Human-readable differences between two normalised states ('' when equal)."""
    lines = []
    exp = {r["id"]: r for r in expected["resources"]}
    act = {r["id"]: r for r in actual["resources"]}
    ids_exp = [r["id"] for r in expected["resources"]]
    ids_act = [r["id"] for r in actual["resources"]]
    for rid in sorted(set(ids_act)):
        if ids_act.count(rid) > 1 and ids_act.count(rid) != ids_exp.count(rid):
            lines.append(f"duplicated: {rid} x{ids_act.count(rid)}")
    for rid in sorted(set(exp) - set(act)):
        lines.append(f"missing: {rid}")
    for rid in sorted(set(act) - set(exp)):
        lines.append(f"orphaned/extra: {rid} {json.dumps(act[rid]['body'])[:400]}")
    for rid in sorted(set(exp) & set(act)):
        if exp[rid] != act[rid]:
            lines.append(f"differs: {rid}\n  expected {json.dumps(exp[rid], sort_keys=True)[:1500]}\n"
                         f"  actual   {json.dumps(act[rid], sort_keys=True)[:1500]}")
    if expected["pending_operations"] != actual["pending_operations"]:
        lines.append(f"pending operations: expected {expected['pending_operations']}, got {actual['pending_operations']}")
    if expected["resource_groups"] != actual["resource_groups"]:
        lines.append(f"resource groups: expected {expected['resource_groups']}, got {actual['resource_groups']}")
    return "\n".join(lines)


# ---- results ---------------------------------------------------------------------------------

def record(suite, part, name, **fields):
    """Keep one result for RESULTS.md (a JSON file per result, so parallel workers never clash)."""
    folder = os.path.join(RECORDS, suite)
    os.makedirs(folder, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{part}-{name}")[:180]
    with open(os.path.join(folder, safe + ".json"), "w", encoding="utf-8") as f:
        json.dump(dict(part=part, name=name, **fields), f, indent=1, sort_keys=True)


def load_records(suite):
    folder = os.path.join(RECORDS, suite)
    if not os.path.isdir(folder):
        return []
    out = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".json"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                out.append(json.load(f))
    return out
