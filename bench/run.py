"""The benchmark runner: privnet.azure against azure.azcollection on the same emulator.

For each latency mode, scenario and run, the two sides take turns (ours first on even runs,
azcollection first on odd ones); before every measured run the emulator is reset and the
scenario's estate loaded through the control API. Per run it records wall time, the CPU time of
the whole process tree, ARM requests by method, writes, token requests (from the emulator's
request log), and per module process the peak RSS and CPU (every module runs under
bench/bin/timed-python, i.e. GNU time). Results: bench/results/results.json and README.md.

Run with the repo's venv (it imports the emulator's test helpers): `.venv/bin/python bench/run.py`.
A side whose playbook does not exist yet is reported as "missing"; the other side still runs.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from privnet_emulator.testing import Control, read_env

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
import scenarios  # noqa: E402  (bench/scenarios.py, next to this file)

AZ_VENV = os.path.join(BENCH, ".venv-azcollection")
AZ_SITE = os.path.join(AZ_VENV, "lib", f"python{sys.version_info.major}.{sys.version_info.minor}", "site-packages")
AZ_COLLECTION = os.path.join(AZ_SITE, "ansible_collections", "azure", "azcollection")

# The emulator's VPN gateway create (emulator/privnet_emulator/providers/gateways.py: Azure's 45 minutes), scaled by
# time_scale in realistic latency.
GATEWAY_CREATE_S = 2700.0
GATEWAY_PATH = "/providers/microsoft.network/virtualnetworkgateways/"


def gateway_overlap(control, mark, args, mode):
    """The VPN gateways a run created: when each create (its first PUT) was sent after the run's first one, and the
    sum of their create durations (the emulator's, scaled) that a run building them one after the other would take."""
    puts = {}
    for entry in control.log(since=mark, method="PUT", kind="arm"):
        path = entry["path"].lower()
        if GATEWAY_PATH in path and "/" not in path.split(GATEWAY_PATH, 1)[1]:
            puts.setdefault(path.rsplit("/", 1)[1], entry["time"])
    first = min(puts.values(), default=0)
    create = GATEWAY_CREATE_S * (args.time_scale if mode != "instant" else 0)
    return {"gateways": {name: round(at - first, 2) for name, at in sorted(puts.items())},
            "gateway_create_s": round(create, 2), "gateway_create_sum_s": round(create * len(puts), 2)}


# name -> the estate to load, an inventory (bench/scenarios.py; written to a file, {inventory}) and per
# side the command ("ansible-playbook" is the side's own). Placeholders: {repo} {bench} {inventory}
# {forks} {spokes}. A side whose .yml is absent is "missing".
def fleet_scenario(size, forks, slices=1, sides=("ours", "azcollection")):
    """A fleet of ``size(args)`` registries, one inventory host each, run with ``forks(args)``; with ``slices``,
    as that many concurrent ansible-playbook processes each limited to its slice (AWX job slicing)."""
    return {
        "estate": lambda a: scenarios.fleet(size(a)), "inventory": lambda a: scenarios.fleet_inventory(size(a)),
        "size": size, "forks": forks, "slices": slices, "sides": sides,
        "ours": ["ansible-playbook", "-i", "{inventory}", "-f", "{forks}", "-e", "privnet_hosts=registries",
                 "{repo}/playbooks/acr_private_link.yml"],
        "azcollection": ["ansible-playbook", "-i", "{inventory}", "-f", "{forks}", "{bench}/azcollection/fleet.yml"],
    }


SCENARIOS = {
    "acr_private_link": {
        "estate": lambda a: {"name": "acr"}, "inventory": lambda a: scenarios.acr_inventory(),
        "ours": ["ansible-playbook", "-i", "{inventory}", "-e", "privnet_hosts=registries",
                 "{repo}/playbooks/acr_private_link.yml"],
        "azcollection": ["ansible-playbook", "{bench}/azcollection/acr_private_link.yml"],
    },
    # The same playbook on the estate it already converged: the cost of a no-op run.
    "acr_private_link_rerun": {
        "estate": lambda a: {"name": "acr"}, "inventory": lambda a: scenarios.acr_inventory(), "warm": True,
        "ours": ["ansible-playbook", "-i", "{inventory}", "-e", "privnet_hosts=registries",
                 "{repo}/playbooks/acr_private_link.yml"],
        "azcollection": ["ansible-playbook", "{bench}/azcollection/acr_private_link.yml"],
    },
    "hub_spoke": {
        "estate": lambda a: scenarios.hub_spoke(a.spokes), "inventory": lambda a: scenarios.hub_spoke_inventory(a.spokes),
        "ours": ["ansible-playbook", "-i", "{inventory}", "-f", "{forks}", "{repo}/playbooks/hub_spoke.yml"],
        "azcollection": ["ansible-playbook", "{bench}/azcollection/hub_spoke.yml", "-e", "spoke_count={spokes}"],
    },
    # Issue 19: a hub's VPN gateway and a second region's, one inventory host each, created with wait: false and
    # waited for later, then the VNet-to-VNet connection and two spokes on the hub's gateway. Compared with the sum
    # of the two gateways' create durations (what building them one after the other takes). Ours only: no
    # azcollection playbook for it.
    "vpn_gateways": {
        "estate": lambda a: {"name": "vpn"}, "inventory": lambda a: scenarios.vpn_gateways_inventory(),
        "sides": ("ours",), "extra": gateway_overlap,
        "ours": ["ansible-playbook", "-i", "{inventory}", "-f", "{forks}",
                 "-e", "@{repo}/playbooks/vars/vpn_gateways.example.yml", "{repo}/playbooks/vpn_gateways.yml"],
        "azcollection": ["ansible-playbook", "{bench}/azcollection/vpn_gateways.yml"],
    },
    "fleet": fleet_scenario(lambda a: a.fleet, lambda a: a.forks),
    # What the fleet's time is compared with: one registry of the same shape, alone.
    "fleet_1": fleet_scenario(lambda a: 1, lambda a: 1),
    # The large fleet, ours only by default: azcollection's run of it takes about 25 minutes on 2 cores
    # (ask for it with --side azcollection).
    "fleet_200": fleet_scenario(lambda a: 200, lambda a: 50, sides=("ours",)),
    # The same 200 registries as AWX job slicing runs them: 4 slices (--limit), 4 ansible-playbook processes at
    # once, forks 13 each.
    "fleet_200_sliced": fleet_scenario(lambda a: 200, lambda a: 13, slices=4, sides=("ours",)),
}
SIDES = ("ours", "azcollection")
LATENCY = {"instant": {"latency": "instant"}, "realistic": {"latency": "realistic"}}
# ARM's request throttling (emulator/privnet_emulator/throttle.py: Microsoft's documented token buckets) is on
# in every run: a fleet meets it on real Azure.
THROTTLING = True


class Emulator:
    """The emulator as a subprocess of the runner, its output in a file (a pipe nobody reads could fill)."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.proc = subprocess.Popen([sys.executable, "-m", "privnet_emulator", "--data-dir", data_dir],
                                     stdout=open(os.path.join(data_dir, "emulator.log"), "w", encoding="utf-8"),
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not os.path.exists(os.path.join(data_dir, "env")):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not start: see {data_dir}/emulator.log")
            time.sleep(0.05)
        self.env = read_env(data_dir)
        self.control = Control(self.env["PRIVNET_EMULATOR_URL"], self.env["REQUESTS_CA_BUNDLE"])

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def side_setup(side, emu_env):
    """(venv bin dir, environment) for a side. Both get only AWX's credential variable names."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ANSIBLE_", "PYTHON"))}
    env.update({k: emu_env[k] for k in ("AZURE_SUBSCRIPTION_ID", "AZURE_CLIENT_ID", "AZURE_SECRET", "AZURE_TENANT",
                                        "AZURE_CLOUD_ENVIRONMENT", "REQUESTS_CA_BUNDLE")})
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False")
    if side == "ours":
        env["ANSIBLE_COLLECTIONS_PATH"] = os.path.join(REPO, ".cache", "collections")
        return os.path.join(REPO, ".venv", "bin"), env
    env["ANSIBLE_COLLECTIONS_PATH"] = AZ_SITE
    # azcollection reads a cloud URL msrestazure's way: the ARM base, to which it appends
    # /metadata/endpoints?api-version=2015-01-01 (bench/shim/sitecustomize.py restores that function).
    env["AZURE_CLOUD_ENVIRONMENT"] = emu_env["PRIVNET_EMULATOR_URL"]
    env["PYTHONPATH"] = os.path.join(BENCH, "shim")
    # Documented azcollection option: else MSAL asks login.microsoftonline.com to validate the authority.
    env["AZURE_DISABLE_INSTANCE_DISCOVERY"] = "true"
    return os.path.join(AZ_VENV, "bin"), env


def command(spec, side, args, inventory):
    """(argv list, missing playbooks): one argv, or one per slice."""
    forks = spec["forks"](args) if "forks" in spec else args.forks
    argv = [a.format(repo=REPO, bench=BENCH, inventory=inventory, forks=forks, spokes=args.spokes)
            for a in spec[side]]
    missing = [a for a in argv if a.endswith((".yml", ".yaml")) and a != inventory  # "@file": extra vars
               and not os.path.exists(a.removeprefix("@"))]
    count = spec.get("slices", 1)
    if count == 1:
        return [argv], missing
    return [[*argv, "--limit", hosts] for hosts in scenarios.slices(spec["size"](args), count)], missing


def measure(argvs, env, log_path):
    """Run the argvs at once (one process each: AWX's slices); return (rc, wall s until the last ends, tree CPU s,
    tree max RSS MiB, module processes, failed hosts). rc is the first non-zero exit code, else 0."""
    rss_log = log_path + ".modules"
    env = dict(env, PRIVNET_BENCH_RSS_LOG=rss_log)
    with open(log_path, "w", encoding="utf-8") as out:
        start = time.monotonic()
        procs = [subprocess.Popen(argv, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT) for argv in argvs]
        cpu, max_rss, codes = 0.0, 0, []
        for proc in procs:
            _, status, usage = os.wait4(proc.pid, 0)  # usage covers every reaped descendant too
            cpu += usage.ru_utime + usage.ru_stime
            max_rss = max(max_rss, usage.ru_maxrss)
            codes.append(os.waitstatus_to_exitcode(status))
        wall = time.monotonic() - start
    with open(log_path, encoding="utf-8", errors="replace") as f:
        failed_hosts = failed_in_recap(f.read())
    modules = []  # (start, end, rss MiB, cpu s); GNU time adds a line of its own when a module fails
    if os.path.exists(rss_log):
        with open(rss_log, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 5 and all(p.replace(".", "", 1).isdigit() for p in parts):
                    begin, kib, elapsed, user, system = map(float, parts)
                    modules.append((begin, begin + elapsed, kib / 1024, user + system))
        os.remove(rss_log)
    return next((c for c in codes if c), 0), wall, cpu, max_rss / 1024, modules, failed_hosts


def failed_in_recap(output):
    """Hosts whose PLAY RECAP line shows failed or unreachable tasks."""
    return sorted({m.group(1) for m in re.finditer(r"^(\S+)\s+: ok=\d+\s+changed=\d+\s+unreachable=(\d+)\s+"
                                                   r"failed=(\d+)", output, re.M) if int(m.group(2)) or int(m.group(3))})


def concurrent_rss(modules):
    """The largest sum of module peak RSS over processes alive at the same time (an upper bound)."""
    events = sorted([(m[0], m[2]) for m in modules] + [(m[1], -m[2]) for m in modules])
    peak = total = 0
    for _, delta in events:
        total += delta
        peak = max(peak, total)
    return peak


def requests_since(control, mark):
    entries = control.log(since=mark)
    arm = [e for e in entries if e["kind"] == "arm"]
    by_method, by_kind = {}, {}
    for e in arm:
        by_method[e["method"]] = by_method.get(e["method"], 0) + 1
    for e in entries:
        by_kind[e["kind"]] = by_kind.get(e["kind"], 0) + 1
    statuses = {}
    for e in arm:
        if e["status"] >= 300:  # 404s are mostly read-before-create; 409/429/5xx are contention or faults
            statuses[str(e["status"])] = statuses.get(str(e["status"]), 0) + 1
    return {"arm_requests": len(arm), "writes": sum(e["write"] for e in arm), "by_method": by_method,
            "arm_statuses": statuses, "throttled": sum(1 for e in arm if e.get("throttled")),
            "token_requests": by_kind.get("token", 0), "by_kind": by_kind}


def one_run(emu, spec, side, args, mode, inventory, log_path):
    argvs, missing = command(spec, side, args, inventory)
    if missing:
        return {"status": "missing", "missing": missing}
    bindir, env = side_setup(side, emu.env)
    python = os.path.join(bindir, "python")
    argvs = [[os.path.join(bindir, argv[0]), *argv[1:], "-e", f"ansible_python_interpreter={BENCH}/bin/timed-python"]
             for argv in argvs]
    env["PRIVNET_BENCH_PYTHON"] = python
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    # Every run starts signed out, as a new controller (or AWX job) does: a private runtime directory for
    # privnet.azure's token broker (README "Authentication"), removed after the run (its daemons then exit).
    runtime = tempfile.mkdtemp(prefix="pbr-", dir="/tmp")
    env["XDG_RUNTIME_DIR"] = runtime
    try:
        emu.control.reset()
        emu.control.config(**LATENCY[mode], time_scale=args.time_scale, throttling=THROTTLING)
        emu.control.scenario(spec["estate"](args))
        if spec.get("warm"):
            rc = measure(argvs, env, log_path + ".warm")[0]
            if rc:
                return {"status": "failed", "rc": rc, "log": log_path + ".warm"}
            # The measured re-run is another job: it signs in again.
            shutil.rmtree(runtime)
            runtime = tempfile.mkdtemp(prefix="pbr-", dir="/tmp")
            env["XDG_RUNTIME_DIR"] = runtime
        mark = emu.control.summary()["last_seq"]
        rc, wall, cpu, tree_rss, modules, failed_hosts = measure(argvs, env, log_path)
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
    result = {"status": "ok" if rc == 0 else "failed", "rc": rc, "wall_s": round(wall, 3), "cpu_s": round(cpu, 2),
              "processes": len(argvs), "failed_hosts": failed_hosts,
              "tree_max_rss_mib": round(tree_rss, 1), "module_runs": len(modules),
              "module_peak_rss_mib": round(max((m[2] for m in modules), default=0), 1),
              "module_concurrent_rss_mib": round(concurrent_rss(modules), 1),
              "module_cpu_s": round(sum(m[3] for m in modules), 2), "log": os.path.relpath(log_path, REPO)}
    result.update(requests_since(emu.control, mark))
    if spec.get("extra"):
        result.update(spec["extra"](emu.control, mark, args, mode))
    return result


def aggregate(runs):
    ok = [r for r in runs if r["status"] == "ok"]
    if not ok:
        return {"status": runs[0]["status"] if runs else "not run", "runs": len(runs),
                "missing": runs[0].get("missing") if runs else None}

    def med(key):
        return statistics.median(r[key] for r in ok)
    methods = sorted({m for r in ok for m in r["by_method"]})
    return {"status": "ok", "runs": len(runs), "failed": len(runs) - len(ok),
            "wall_s": {"median": round(med("wall_s"), 2), "min": min(r["wall_s"] for r in ok),
                       "max": max(r["wall_s"] for r in ok)},
            "cpu_s": round(med("cpu_s"), 2), "module_cpu_s": round(med("module_cpu_s"), 2),
            "module_runs": med("module_runs"), "module_peak_rss_mib": max(r["module_peak_rss_mib"] for r in ok),
            "module_concurrent_rss_mib": max(r["module_concurrent_rss_mib"] for r in ok),
            "tree_max_rss_mib": max(r["tree_max_rss_mib"] for r in ok),
            "arm_requests": med("arm_requests"), "writes": med("writes"),
            "arm_statuses": {c: statistics.median(r["arm_statuses"].get(c, 0) for r in ok)
                             for c in sorted({c for r in ok for c in r["arm_statuses"]})},
            "token_requests": med("token_requests"), "throttled": med_or_zero(ok, "throttled"),
            "failed_hosts": max(len(r.get("failed_hosts", [])) for r in runs), "processes": ok[0].get("processes", 1),
            "by_method": {m: statistics.median(r["by_method"].get(m, 0) for r in ok) for m in methods}}


def med_or_zero(runs, key):
    """The median of ``key`` over runs (0 for runs recorded before the key existed)."""
    return statistics.median(r.get(key, 0) for r in runs)


def installed_sizes():
    sizes = {}
    for side, python, reqs, collection in (
            ("ours", os.path.join(REPO, ".venv", "bin", "python"), os.path.join(REPO, "requirements.txt"),
             [os.path.join(REPO, "plugins"), os.path.join(REPO, "roles"), os.path.join(REPO, "playbooks")]),
            ("azcollection", os.path.join(AZ_VENV, "bin", "python"), os.path.join(AZ_COLLECTION, "requirements.txt"),
             [AZ_COLLECTION])):
        out = subprocess.run([python, os.path.join(BENCH, "depsize.py"), reqs], check=True, capture_output=True,
                             text=True).stdout
        sizes[side] = json.loads(out)
        sizes[side]["collection_bytes"] = sum(os.path.getsize(os.path.join(d, f)) for top in collection
                                              if os.path.isdir(top) for d, _, files in os.walk(top) for f in files
                                              if "__pycache__" not in d)
    return sizes


def versions():
    def ask(python, code):
        return subprocess.run([python, "-c", code], capture_output=True, text=True).stdout.strip()
    core = "import ansible.release as r; print(r.__version__)"
    az = json.load(open(os.path.join(AZ_COLLECTION, "MANIFEST.json"), encoding="utf-8"))["collection_info"]["version"]
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine(),
            "ours_ansible_core": ask(os.path.join(REPO, ".venv", "bin", "python"), core),
            "azcollection_ansible_core": ask(os.path.join(AZ_VENV, "bin", "python"), core), "azcollection": az}


def ratio(ours, theirs):
    return f"{ours / theirs:.2f}" if isinstance(ours, (int, float)) and theirs else "n/a"


def markdown(results):
    meta = results["meta"]
    lines = ["# Benchmark: privnet.azure vs azure.azcollection", "",
             f"Generated by `make bench` (bench/run.py) on {meta['date']}: {meta['runs']} runs per side, scenario "
             f"and latency mode, sides alternating, one emulator (reset + estate loaded before each run). "
             f"Machine: {meta['versions']['cpus']} CPUs, Python {meta['versions']['python']}; azure.azcollection "
             f"{meta['versions']['azcollection']} on ansible-core {meta['versions']['azcollection_ansible_core']}, "
             f"ours on ansible-core {meta['versions']['ours_ansible_core']}. Realistic latency: Azure-like "
             f"durations x {meta['time_scale']}. Hub-spoke: {meta['spokes']} spokes; fleet: {meta['fleet']} "
             f"registries, forks {meta['forks']}. How each figure is taken: bench/README.md.", ""]
    for update in meta.get("updates", []):
        lines += [f"Measured again on {update['date']} ({update['runs']} runs per side; fleet: {update['fleet']} "
                  f"registries, forks {update['forks']}{'; ARM throttling on' if update.get('throttling') else ''}"
                  f"{'; scenarios interleaved run by run' if update.get('interleave') else ''}): "
                  f"{', '.join(update['scenarios'])} in "
                  f"{', '.join(update['modes'])} latency. The other rows are from the first date.", ""]
    for mode, per_scenario in results["modes"].items():
        lines += [f"## Latency: {mode}", "",
                  "| scenario | side | wall s median (min-max) | CPU s | module runs | ARM requests | writes "
                  "| by method | non-2xx | tokens | peak module RSS MiB | concurrent module RSS MiB |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for name, sides in per_scenario.items():
            for side in SIDES:
                agg = sides[side]["summary"]
                if agg["status"] != "ok":
                    lines.append(f"| {name} | {side} | {agg['status']} | | | | | | | | | |")
                    continue
                w = agg["wall_s"]
                fails = f" ({agg['failed']} failed)" if agg["failed"] else ""
                methods = " ".join(f"{m}:{n:g}" for m, n in agg["by_method"].items())
                statuses = " ".join(f"{c}:{n:g}" for c, n in agg["arm_statuses"].items() if n)
                lines.append(f"| {name} | {side} | {w['median']} ({w['min']}-{w['max']}){fails} | {agg['cpu_s']} | "
                             f"{agg['module_runs']:g} | {agg['arm_requests']:g} | {agg['writes']:g} | {methods} | {statuses} | "
                             f"{agg['token_requests']:g} | {agg['module_peak_rss_mib']} | {agg['module_concurrent_rss_mib']} |")
        lines += ["", "Ratios ours / azcollection (below 1: ours is smaller or faster):", "",
                  "| scenario | wall | CPU | ARM requests | writes | tokens | peak module RSS | concurrent module RSS |",
                  "|---|---|---|---|---|---|---|---|"]
        for name, sides in per_scenario.items():
            o, a = sides["ours"]["summary"], sides["azcollection"]["summary"]
            if o["status"] != "ok" or a["status"] != "ok":
                lines.append(f"| {name} | n/a (ours: {o['status']}, azcollection: {a['status']}) | | | | | | |")
                continue
            lines.append(f"| {name} | {ratio(o['wall_s']['median'], a['wall_s']['median'])} | "
                         f"{ratio(o['cpu_s'], a['cpu_s'])} | {ratio(o['arm_requests'], a['arm_requests'])} | "
                         f"{ratio(o['writes'], a['writes'])} | {ratio(o['token_requests'], a['token_requests'])} | "
                         f"{ratio(o['module_peak_rss_mib'], a['module_peak_rss_mib'])} | "
                         f"{ratio(o['module_concurrent_rss_mib'], a['module_concurrent_rss_mib'])} |")
        lines.append("")
    lines += fleet_tables(results)
    lines += vpn_tables(results)
    sizes = results["installed"]
    lines += ["## Installed size of the Python dependencies", "",
              "| side | distributions | MiB | collection files MiB | largest |", "|---|---|---|---|---|"]
    for side in SIDES:
        s = sizes[side]
        top = ", ".join(f"{d['name']} {d['bytes'] / 2**20:.0f}" for d in s["largest"][:3])
        lines.append(f"| {side} | {s['distributions']} | {s['bytes'] / 2**20:.0f} | {s['collection_bytes'] / 2**20:.1f} "
                     f"| {top} |")
    lines.append(f"\nRatio ours / azcollection: {ratio(sizes['ours']['bytes'], sizes['azcollection']['bytes'])}.")
    return "\n".join(lines) + "\n"


def fleet_tables(results):
    """Per latency mode, the fleet rows: per registry costs, 429s, tokens, failed hosts, and the wall time against
    one registry's (fleet_1) in the same mode."""
    lines = []
    for mode, per_scenario in results["modes"].items():
        fleets = {name: sides for name, sides in per_scenario.items() if name.startswith("fleet")}
        if not fleets:
            continue
        header = [f"## Fleets, latency {mode}", "",
                  "Rows measured with ARM throttling on (Microsoft's token buckets, emulator/privnet_emulator/"
                  "throttle.py). x one registry: the fleet's wall time over the same side's fleet_1 in the same mode.",
                  "",
                  "| scenario | side | registries | processes x forks | wall s | x one registry | failed hosts "
                  "| ARM requests | 429s | tokens | CPU s per registry | module runs | module CPU s per module run |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        rows = []
        for name, sides in fleets.items():
            meta_fleet = results["meta"].get("fleets", {}).get(name, {})
            size = meta_fleet.get("registries") or results["meta"]["fleet"]
            for side in SIDES:
                agg = sides[side]["summary"]
                if agg["status"] != "ok" or any("throttled" not in r for r in sides[side]["runs"]):
                    continue  # not run, or measured before throttling was modelled
                one = fleets.get("fleet_1", {}).get(side, {}).get("summary", {})
                wall = agg["wall_s"]["median"]
                times = ratio(wall, one["wall_s"]["median"]) if one.get("status") == "ok" else "n/a"
                per_run = ratio(agg.get("module_cpu_s", 0), agg["module_runs"])
                rows.append(f"| {name} | {side} | {size} | {agg.get('processes', 1)} x {meta_fleet.get('forks', '')} "
                             f"| {wall} | {times} | {agg.get('failed_hosts', 0)} | {agg['arm_requests']:g} | "
                             f"{agg.get('throttled', 0):g} | {agg['token_requests']:g} | {ratio(agg['cpu_s'], size)} | "
                             f"{agg['module_runs']:g} | {per_run} |")
        if rows:
            lines += header + rows + [""]
    return lines


def vpn_tables(results):
    """The vpn_gateways rows: the playbook's wall time against the sum of its two gateways' create durations."""
    lines = []
    for mode, per_scenario in results["modes"].items():
        runs = [r for r in per_scenario.get("vpn_gateways", {}).get("ours", {}).get("runs", [])
                if r["status"] == "ok" and "gateways" in r]
        if not runs or not runs[0]["gateway_create_sum_s"]:
            continue
        lines += [f"## VPN gateways built in parallel, latency {mode}", "",
                  "playbooks/vpn_gateways.yml (two gateways, the VNet-to-VNet connection, two spokes) against the sum "
                  "of the two gateways' create durations (the emulator's 45 minutes x time_scale each): below 1, the "
                  "gateways were built at the same time. Second create sent: seconds after the first one.", "",
                  "| run | wall s | one gateway's create s | sum of creates s | wall / sum | second create sent s |",
                  "|---|---|---|---|---|---|"]
        for i, run in enumerate(runs):
            second = max(run["gateways"].values(), default=0)
            lines.append(f"| {i} | {run['wall_s']} | {run['gateway_create_s']} | {run['gateway_create_sum_s']} | "
                         f"{ratio(run['wall_s'], run['gateway_create_sum_s'])} | {second} |")
        lines.append("")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs per side, scenario and mode (default 5)")
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), help="default: all")
    parser.add_argument("--side", action="append", choices=SIDES, help="default: both")
    parser.add_argument("--latency", action="append", choices=sorted(LATENCY), help="default: instant and realistic")
    parser.add_argument("--time-scale", type=float, default=0.05, help="realistic durations x this (default 0.05)")
    parser.add_argument("--spokes", type=int, default=10)
    parser.add_argument("--fleet", type=int, default=20, help="registries in the fleet scenario")
    parser.add_argument("--forks", type=int, default=10, help="ansible forks for the fleet scenario")
    parser.add_argument("--out", default=os.path.join(BENCH, "results"))
    parser.add_argument("--merge", action="store_true",
                        help="keep what OUT/results.json holds for the scenarios and modes not run now (a scenario "
                             "measured again after a change); the report names what was measured when")
    parser.add_argument("--interleave", action="store_true",
                        help="take run i of every scenario before run i+1 (not all runs of a scenario in a row), so "
                             "that a machine whose speed drifts during the bench weighs on fleet and fleet_1 alike")
    parser.add_argument("--report-only", action="store_true",
                        help="rebuild the summaries and README.md from OUT/results.json without running anything")
    args = parser.parse_args(argv)
    if args.report_only:
        with open(os.path.join(args.out, "results.json"), encoding="utf-8") as f:
            results = json.load(f)
        for per_scenario in results["modes"].values():
            for sides_ in per_scenario.values():
                for side in sides_.values():
                    side["summary"] = aggregate(side["runs"])
        write(results, args.out)
        return 0
    names = args.scenario or list(SCENARIOS)
    sides = args.side or list(SIDES)
    modes = args.latency or ["instant", "realistic"]
    logs = os.path.join(args.out, "logs")
    os.makedirs(logs, exist_ok=True)

    results = {"meta": {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                        "runs": args.runs, "time_scale": args.time_scale, "spokes": args.spokes, "fleet": args.fleet,
                        "forks": args.forks, "versions": versions(),
                        "commands": {n: {s: SCENARIOS[n][s] for s in SIDES} for n in names},
                        "fleets": {n: {"registries": SCENARIOS[n]["size"](args), "forks": SCENARIOS[n]["forks"](args),
                                       "slices": SCENARIOS[n]["slices"]} for n in names if "size" in SCENARIOS[n]},
                        "throttling": THROTTLING, "interleave": args.interleave},
               "installed": installed_sizes(), "modes": {}}
    if args.merge and os.path.exists(os.path.join(args.out, "results.json")):
        results = merged(args, results, names, modes)
    emu = Emulator(tempfile.mkdtemp(prefix="privnet-bench-"))
    try:
        for mode in modes:
            per_scenario = results["modes"].setdefault(mode, {})
            plans = {}
            for name in names:
                spec = SCENARIOS[name]
                inventory = None
                if "inventory" in spec:
                    inventory = os.path.join(logs, f"{name}-inventory.json")
                    with open(inventory, "w", encoding="utf-8") as f:
                        json.dump(spec["inventory"](args), f)
                # A scenario's own sides unless --side names them.
                chosen = [side for side in sides if args.side or side in spec.get("sides", SIDES)]
                plans[name] = (spec, inventory, chosen, {side: [] for side in SIDES})
            # Scenario by scenario, or with --interleave run i of every scenario before run i+1.
            order = ([(i, name) for i in range(args.runs) for name in names] if args.interleave
                     else [(i, name) for name in names for i in range(args.runs)])
            for i, name in order:
                spec, inventory, chosen, runs = plans[name]
                for side in (chosen if i % 2 == 0 else chosen[::-1]):
                    if runs[side] and runs[side][0]["status"] == "missing":
                        continue  # reported once
                    run = one_run(emu, spec, side, args, mode, inventory, os.path.join(logs, f"{mode}-{name}-{side}-{i}.log"))
                    runs[side].append(run)
                    print(f"[{mode}] {name} {side} #{i}: {run['status']} "
                          f"{run.get('wall_s', '')}s {run.get('arm_requests', '')} requests", flush=True)
                if i == args.runs - 1:
                    per_scenario[name] = {side: {"summary": aggregate(runs[side]), "runs": runs[side]} for side in SIDES}
                    write(results, args.out)  # after every scenario: a long bench that is stopped keeps what it did
    finally:
        emu.stop()
    print(f"wrote {os.path.relpath(args.out, REPO)}/results.json and README.md")
    return 0


def merged(args, fresh, names, modes):
    """The earlier results with the scenarios about to run (in these modes) left for this run to fill; the
    earlier meta stays, with a note of this run in meta.updates."""
    with open(os.path.join(args.out, "results.json"), encoding="utf-8") as f:
        earlier = json.load(f)
    for mode in modes:
        for name in names:
            earlier["modes"].get(mode, {}).pop(name, None)
    earlier["modes"] = {mode: earlier["modes"].get(mode, {}) for mode in dict.fromkeys(list(earlier["modes"]) + modes)}
    update = {k: fresh["meta"][k] for k in ("date", "runs", "time_scale", "spokes", "fleet", "forks", "throttling",
                                            "interleave")}
    earlier["meta"].setdefault("updates", []).append(dict(update, scenarios=names, modes=modes))
    earlier["meta"].setdefault("commands", {}).update(fresh["meta"]["commands"])
    earlier["meta"].setdefault("fleets", {}).update(fresh["meta"]["fleets"])
    return earlier


def write(results, out):
    with open(os.path.join(out, "results.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(out, "README.md"), "w", encoding="utf-8") as f:
        f.write(markdown(results))


if __name__ == "__main__":
    sys.exit(main())
