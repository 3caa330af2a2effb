"""Peer suite: azure.azcollection's own modules drive every resource type the emulator serves.

Clients nobody here wrote are the judges (issue 13, part 5b). Each playbook in tests/peer/playbooks/ covers one
resource family with azure.azcollection 3.12.0 modules (from the bench virtualenv, bench/setup.sh): create,
update, an idempotent re-run that must report changed=false, the matching _info module, and delete. This script
starts one emulator per latency mode, resets it before every playbook, runs the playbook with the bench's
azcollection environment (AWX's credential variables, bench/shim on PYTHONPATH, see bench/README.md "Custom
cloud"), counts the task results with the peer_results callback, and writes tests/peer/RESULTS.md.

Run with the repo's venv (it imports the emulator's control client):

    .venv/bin/python tests/peer/run.py                      # instant, then realistic (--time-scale 0.02)
    .venv/bin/python tests/peer/run.py --latency instant --family private_dns   # a quick look

Every failure is listed in RESULTS.md with its message; DIAGNOSES below says, for the failures understood,
whether the emulator or azcollection is wrong and why. A failure without a diagnosis is listed as such, and makes
the exit code 1. If the work tree's emulator is broken, serve the last committed one with --emulator-path (e.g. a
`git archive HEAD emulator` extracted under /tmp).
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time

PEER = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(PEER))
BENCH = os.path.join(REPO, "bench")
AZ_VENV = os.path.join(BENCH, ".venv-azcollection")
AZ_SITE = os.path.join(AZ_VENV, "lib", f"python{sys.version_info.major}.{sys.version_info.minor}", "site-packages")
LOGS = os.path.join(REPO, "tests", "output", "peer")

# family -> (title, the azcollection modules the playbook drives). The playbook is playbooks/<family>.yml.
FAMILIES = {
    "resource_group": ("Resource groups", "azure_rm_resourcegroup(_info)"),
    "virtual_network": ("Virtual networks and subnets (NSG, route table, service endpoints)",
                        "azure_rm_virtualnetwork(_info), azure_rm_subnet(_info)"),
    "peering": ("VNet peerings", "azure_rm_virtualnetworkpeering(_info)"),
    "security_group": ("Network security groups and rules", "azure_rm_securitygroup(_info)"),
    "application_security_group": ("Application security groups", "azure_rm_applicationsecuritygroup(_info)"),
    "route_table": ("Route tables and routes", "azure_rm_routetable(_info), azure_rm_route(_info)"),
    "network_interface": ("Network interfaces", "azure_rm_networkinterface(_info)"),
    "private_dns": ("Private DNS zones, virtual network links, record sets",
                    "azure_rm_privatednszone(_info), azure_rm_privatednszonelink(_info), "
                    "azure_rm_privatednsrecordset(_info)"),
    "private_endpoint": ("Private endpoints and DNS zone groups",
                         "azure_rm_privateendpoint(_info), azure_rm_privateendpointdnszonegroup(_info)"),
    "container_registry": ("Container registries and replications",
                           "azure_rm_containerregistry(_info), azure_rm_containerregistryreplication(_info)"),
    "user_assigned_identity": ("User-assigned identities",
                               "azure_rm_resource, azure_rm_resource_info (3.12.0 has no identity module)"),
    "service_endpoint_policy": ("Service endpoint policies",
                                "azure_rm_serviceendpointpolicy(_info), "
                                "azure_rm_serviceendpointpolicydefinition(_info)"),
    "virtual_network_gateway": ("Virtual network gateways", "azure_rm_virtualnetworkgateway(_info)"),
}

# (family, task name) -> why it fails: who is wrong, and the source. Filled in from the runs' failures.
ACR_ADMIN = (
    "**azcollection is wrong.** With `admin_user_enabled: true`, azure_rm_containerregistry 3.12.0 calls "
    "`listCredentials` while it reads the existing registry, before any update (`get_containerregistry`), and fails "
    "on the answer; it also never compares `admin_user_enabled` (nor tags) with the registry, only location, SKU and "
    "identity, so it could not turn the admin user on anyway. The emulator's 400 `UnAuthorizedForCredentialOperations` "
    "for credential operations on a registry whose admin user is disabled is Azure's (Azure/azure-cli #1898, "
    "MicrosoftDocs/azure-docs #57954, hashicorp/terraform-provider-azurerm #21440). A registry created with the admin "
    "user works (the second registry's steps pass).")
DIAGNOSES = {
    ("container_registry", "Enable the admin user on the existing registry"): ACR_ADMIN,
    ("container_registry", "Assert the admin user was enabled"): "Follows from the step before (azcollection).",
    ("container_registry", "Assert the replica did not change"): (
        "**azcollection is wrong.** azure_rm_containerregistryreplication 3.12.0 never compares: when the replica "
        "exists it always sends a PATCH with empty `ReplicationUpdateParameters`, then sets `changed` to "
        "`old.as_dict() != create_replication_dict(new)`, two dicts of different shape (the second has only id, "
        "name, location, provisioning_state, tags and status), so a re-run always reports `changed: true`."),
    ("virtual_network_gateway", "Create the gateway's public IP address"): (
        "**Emulator gap (larger, listed).** The emulator does not serve `Microsoft.Network/publicIPAddresses`, which "
        "azure_rm_virtualnetworkgateway always references (it builds the id from `public_ip_address_name`). The "
        "emulator keeps a gateway's `publicIPAddress` reference without checking it, so the gateway steps after "
        "this one pass; in Azure the referenced public IP address must exist."),
}

# Rendered into RESULTS.md as is: what the suite found and fixed in the emulator, and what it cannot cover.
NOTES = """## Emulator fixes this suite led to

- `Microsoft.Network/serviceEndpointPolicies/{policy}/serviceEndpointPolicyDefinitions/{name}` is served as a child
  type beside the policy's property list (PUT/GET/DELETE/list), as routes are for route tables
  (`providers/gateways.py`, `ServiceEndpointPolicyDefinition`; source: azure-rest-api-specs Microsoft.Network
  `serviceEndpointPolicy.json`, `ServiceEndpointPolicyDefinitions_CreateOrUpdate` / `_Get` / `_Delete` /
  `_ListByResourceGroup`). Before, azure_rm_serviceendpointpolicydefinition got 400 `InvalidResourceType`.
  Test: `emulator/tests/test_network.py::test_service_endpoint_policy_definitions_as_child_type`.
- `Microsoft.ManagedIdentity` api-version 2023-01-31 is served (`contract/versions.py`; source: azure-rest-api-specs
  `specification/msi/resource-manager/Microsoft.ManagedIdentity/stable/2023-01-31/ManagedIdentity.json`, a GA
  version). Before, every request at that version got 400 `InvalidApiVersionParameter`.

## Not covered, and why

- Public IP addresses (`azure_rm_publicipaddress`): the emulator does not serve `Microsoft.Network/publicIPAddresses`
  (a larger gap: SKUs, allocation, address assignment). Virtual network gateways reference one; the emulator does
  not check that reference.
- User-assigned identities: azure.azcollection 3.12.0 has no `azure_rm_userassignedidentity`; the family runs through
  its generic `azure_rm_resource` / `azure_rm_resource_info`.
- Azure Route Server (`virtualHubs` of kind `RouteServer` and their `ipConfigurations`): azcollection's
  `azure_rm_virtualhub` writes Virtual WAN hubs (a `virtualWan` reference), which the emulator does not model, and
  azcollection has no Route Server module.
- Registry private endpoint connections and private link resources: azcollection's
  `azure_rm_privateendpointconnection(_info)` works on Private Link services (`privateLinkServices`), not on
  registries; the endpoint's connection state is checked through `azure_rm_privateendpoint_info` instead.
"""

MODES = {"instant": {"latency": "instant"}, "realistic": {"latency": "realistic"}}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", choices=("instant", "realistic", "both"), default="both")
    parser.add_argument("--time-scale", type=float, default=0.02,
                        help="realistic mode: multiply Azure-like durations and Retry-After by this (default 0.02)")
    parser.add_argument("--family", action="append", choices=sorted(FAMILIES),
                        help="run only these families (repeatable); RESULTS.md is then not written unless --out")
    parser.add_argument("--emulator-path", default=os.path.join(REPO, "emulator"),
                        help="directory holding the privnet_emulator package to serve (default: the work tree's)")
    parser.add_argument("--out", help="where to write the report (default: tests/peer/RESULTS.md on a full run)")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds allowed per playbook run")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the report from the last runs kept in tests/output/peer/runs-<mode>.json")
    return parser.parse_args(argv)


class Emulator:
    """The emulator as a subprocess (its own package path, so a committed copy can be served)."""

    def __init__(self, data_dir, emulator_path, mode, time_scale):
        from privnet_emulator.testing import Control, read_env
        os.makedirs(data_dir, exist_ok=True)
        env_path = os.path.join(data_dir, "env")
        if os.path.exists(env_path):
            os.remove(env_path)
        env = dict(os.environ, PYTHONPATH=emulator_path)
        args = [sys.executable, "-m", "privnet_emulator", "--data-dir", data_dir, "--port", "0", "--latency", mode]
        if mode == "realistic":
            args += ["--time-scale", str(time_scale)]
        self.log = open(os.path.join(data_dir, "emulator.log"), "w", encoding="utf-8")
        self.proc = subprocess.Popen(args, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not os.path.exists(env_path):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not start: see {data_dir}/emulator.log")
            time.sleep(0.05)
        time.sleep(0.1)  # the env file is written whole, but let the listener settle
        self.env = read_env(data_dir)
        self.control = Control(self.env["PRIVNET_EMULATOR_URL"], self.env["REQUESTS_CA_BUNDLE"])

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


def azcollection_env(emu_env, results_path):
    """The bench's azcollection side (bench/run.py side_setup): AWX's credential variables only, the cloud as the
    bare ARM URL, bench/shim on PYTHONPATH, instance discovery off; plus the peer_results callback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ANSIBLE_", "PYTHON"))}
    env.update({k: emu_env[k] for k in ("AZURE_SUBSCRIPTION_ID", "AZURE_CLIENT_ID", "AZURE_SECRET", "AZURE_TENANT",
                                        "REQUESTS_CA_BUNDLE")})
    env.update(AZURE_CLOUD_ENVIRONMENT=emu_env["PRIVNET_EMULATOR_URL"], PYTHONPATH=os.path.join(BENCH, "shim"),
               AZURE_DISABLE_INSTANCE_DISCOVERY="true", ANSIBLE_COLLECTIONS_PATH=AZ_SITE, ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
               ANSIBLE_CALLBACK_PLUGINS=os.path.join(PEER, "callback_plugins"),
               ANSIBLE_CALLBACKS_ENABLED="peer_results", ANSIBLE_RETRY_FILES_ENABLED="False",
               PRIVNET_PEER_RESULTS=results_path)
    env["PATH"] = os.path.join(AZ_VENV, "bin") + os.pathsep + env.get("PATH", "")
    return env


def run_family(emu, family, mode, time_scale, timeout):
    os.makedirs(os.path.join(LOGS, mode), exist_ok=True)
    log_path = os.path.join(LOGS, mode, f"{family}.log")
    results_path = os.path.join(LOGS, mode, f"{family}.jsonl")
    if os.path.exists(results_path):
        os.remove(results_path)
    emu.control.reset()
    emu.control.config(**MODES[mode], time_scale=time_scale if mode == "realistic" else 1.0)
    argv = [os.path.join(AZ_VENV, "bin", "ansible-playbook"), os.path.join(PEER, "playbooks", f"{family}.yml")]
    start = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(argv, env=azcollection_env(emu.env, results_path), cwd=PEER, stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = "timeout"
    wall = time.monotonic() - start
    tasks = []
    if os.path.exists(results_path):
        with open(results_path, encoding="utf-8") as f:
            tasks = [json.loads(line) for line in f if line.strip()]
    entries = emu.control.log()
    with open(os.path.join(LOGS, mode, f"{family}.requests.json"), "w", encoding="utf-8") as f:
        json.dump(entries, f, indent=0)   # the emulator's request log of this run, for diagnosis
    arm = [e for e in entries if e["kind"] == "arm"]
    return {"family": family, "mode": mode, "rc": rc, "wall_s": round(wall, 1), "tasks": tasks,
            "arm_requests": len(arm), "writes": sum(1 for e in arm if e["write"]),
            "log": os.path.relpath(log_path, REPO)}


def counts(run):
    c = {"ok": 0, "changed": 0, "failed": 0, "skipped": 0}
    for t in run["tasks"]:
        c[t["status"]] += 1
    c["total"] = len(run["tasks"])
    c["passed"] = c["ok"] + c["changed"]
    return c


def diagnosis(family, task):
    return DIAGNOSES.get((family, task)) or DIAGNOSES.get(("*", task))


def report(runs):
    by = {(r["family"], r["mode"]): r for r in runs}
    modes = [m for m in MODES if any(r["mode"] == m for r in runs)]
    when = {m: max(r.get("finished", "") for r in runs if r["mode"] == m) for m in modes}
    scale = {m: next((r.get("time_scale") for r in runs if r["mode"] == m), None) for m in modes}
    lines = [
        "# Peer suite: azure.azcollection against the emulator", "",
        "Generated by `tests/peer/run.py` (`make peer-suite`), never by hand. Each playbook in",
        "[`playbooks/`](playbooks/) drives one resource family with azure.azcollection 3.12.0 (bundled in ansible",
        "12.3.0, the bench virtualenv `bench/.venv-azcollection`) through create, update, an idempotent re-run that",
        "must answer `changed: false`, the `_info` module and delete, with an `assert` after each step. Plays run with",
        "`ignore_errors`, so one failure does not hide the steps after it. azcollection reaches the emulator as a",
        "custom cloud exactly as in the bench (bench/README.md, \"Custom cloud\": the `bench/shim` and",
        "`AZURE_DISABLE_INSTANCE_DISCOVERY`); TLS is verified with the emulator's CA.", "",
        "Runs: " + "; ".join(f"{m}" + (f" latency, time scale {scale[m]}" if scale[m] else " latency")
                             + f", finished {when[m]} UTC" for m in modes) + ".",
        "",
        "A task passes when it ends ok or changed; the asserts are tasks too, so an idempotent re-run that reports",
        "`changed: true` counts as one failed task (its assert).", "",
    ]
    header = "| Family | Modules | " + " | ".join(f"{m}: passed / tasks" for m in modes) + " |"
    lines += [header, "|---|---|" + "---|" * len(modes)]
    totals = {m: [0, 0] for m in modes}
    for family, (title, modules) in FAMILIES.items():
        cells = []
        for m in modes:
            run = by.get((family, m))
            if run is None:
                cells.append("not run")
                continue
            c = counts(run)
            totals[m][0] += c["passed"]
            totals[m][1] += c["total"]
            extra = "" if run["rc"] == 0 or c["failed"] else f" (rc {run['rc']})"
            cells.append(f"{c['passed']} / {c['total']}" + (f", **{c['failed']} failed**" if c["failed"] else "")
                         + extra)
        if all(cell == "not run" for cell in cells):
            continue
        lines.append(f"| {title} (`{family}.yml`) | {modules} | " + " | ".join(cells) + " |")
    lines.append("| **all** | | " + " | ".join(f"**{t[0]} / {t[1]}**" for t in totals.values()) + " |")
    lines += ["", "Per run: wall time, ARM requests (writes) seen by the emulator, ansible-playbook's exit code.", "",
              "| Family | " + " | ".join(modes) + " |", "|---|" + "---|" * len(modes)]
    for family in FAMILIES:
        cells = []
        for m in modes:
            run = by.get((family, m))
            cells.append("not run" if run is None else
                         f"{run['wall_s']} s, {run['arm_requests']} ({run['writes']}), rc {run['rc']}")
        if not all(cell == "not run" for cell in cells):
            lines.append(f"| {family} | " + " | ".join(cells) + " |")
    lines += ["", "## Failures", "",
              "Each failed task once, with the modes it failed in, its diagnosis and the message it ended with.", ""]
    any_failure = False
    for family in FAMILIES:
        seen = {}   # task -> (modes, action, message)
        for m in modes:
            run = by.get((family, m))
            if run is None:
                continue
            if run["rc"] != 0 and not any(t["status"] == "failed" for t in run["tasks"]):
                seen[f"ansible-playbook rc {run['rc']}"] = ([m], "ansible-playbook", f"see {run['log']}")
            for t in run["tasks"]:
                if t["status"] == "failed":
                    entry = seen.setdefault(t["task"], ([], t["action"], t.get("msg", "")))
                    entry[0].append(m)
        if not seen:
            continue
        any_failure = True
        lines += [f"### {FAMILIES[family][0]} (`{family}.yml`)", ""]
        for task, (in_modes, action, msg) in seen.items():
            msg = " ".join(msg.split())
            if len(msg) > 300:
                msg = msg[:300] + "..."
            why = diagnosis(family, task) or "not diagnosed yet"
            lines.append(f"- **{task}** (`{action.split('.')[-1]}`; {' and '.join(in_modes)}): {why}")
            lines.append(f"  - message: `{msg.replace('`', chr(39))}`")
        lines.append("")
    if not any_failure:
        lines.append("None.")
        lines.append("")
    lines.append(NOTES)
    return "\n".join(lines)


def runs_path(mode):
    return os.path.join(LOGS, f"runs-{mode}.json")


def load_runs(mode):
    """The last run of each family in this mode (kept across invocations, so a family can be run again alone)."""
    if not os.path.exists(runs_path(mode)):
        return {}
    with open(runs_path(mode), encoding="utf-8") as f:
        return json.load(f)


def save_run(run):
    kept = load_runs(run["mode"])
    kept[run["family"]] = run
    os.makedirs(LOGS, exist_ok=True)
    with open(runs_path(run["mode"]), "w", encoding="utf-8") as f:
        json.dump(kept, f, indent=1)


def main(argv=None):
    args = parse_args(argv)
    sys.path.insert(0, args.emulator_path)
    modes = ["instant", "realistic"] if args.latency == "both" else [args.latency]
    families = args.family or list(FAMILIES)
    if not args.report_only:
        if not os.path.exists(os.path.join(AZ_VENV, "bin", "ansible-playbook")):
            sys.exit("bench/.venv-azcollection is missing: run bench/setup.sh (make peer-suite does)")
        for mode in modes:
            emu = Emulator(os.path.join(LOGS, f"emulator-{mode}"), args.emulator_path, mode, args.time_scale)
            try:
                for family in families:
                    run = run_family(emu, family, mode, args.time_scale, args.timeout)
                    run["finished"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
                    run["time_scale"] = args.time_scale if mode == "realistic" else None
                    save_run(run)
                    c = counts(run)
                    print(f"{mode:9} {family:28} passed {c['passed']:3} / {c['total']:3}  failed {c['failed']:2}  "
                          f"rc {run['rc']}  {run['wall_s']} s", flush=True)
            finally:
                emu.stop()
    out = args.out or (None if args.family else os.path.join(PEER, "RESULTS.md"))
    runs = [r for m in ("instant", "realistic") for r in load_runs(m).values()]
    if out:
        with open(out, "w", encoding="utf-8") as f:
            f.write(report(runs))
        print(f"wrote {os.path.relpath(out, REPO)}")
    # Diagnosed failures (azcollection's bugs, listed emulator gaps) are the suite's findings; fail on new ones.
    new = [(r["mode"], r["family"], t["task"]) for r in runs if r["mode"] in modes and r["family"] in families
           for t in r["tasks"] if t["status"] == "failed" and not diagnosis(r["family"], t["task"])]
    for mode, family, task in new:
        print(f"undiagnosed failure: {mode} {family}: {task}")
    return 1 if new or any(r["rc"] not in (0,) and not counts(r)["failed"] for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
