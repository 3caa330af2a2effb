"""CPU per module run: the ACR procedure (playbooks/acr_private_link.yml) against the emulator, CPU per module.

Every module process runs under GNU time, as in the benchmark (bench/bin/timed-python, bench/run.py `measure`):
its user + system CPU seconds. The interpreter here is a copy of timed-python that also logs the command line
(GNU time's %C), so each process is attributed to its module (AnsiballZ_<module>.py). Each run starts from the
emulator's `acr` estate, or with --fleet N from the bench's fleet of N registries (one inventory host each, --forks
at a time), reset and loaded as the bench does; with --rerun a second, no-change run of the same playbook is
measured too. One emulator serves every run.

With --baseline REV (a commit, branch or tag of this repository), that version of the collection is unpacked
(`git archive`) and measured too, the two versions taking turns run by run, so that load from other work on the
machine falls on both alike; the report then gives both and the reduction.

    .venv/bin/python bench/module_cpu.py                              # 5 runs of the work tree, from scratch
    .venv/bin/python bench/module_cpu.py --runs 9 --rerun --baseline main --json /tmp/cpu.json
    .venv/bin/python bench/module_cpu.py --fleet 20 --runs 3 --baseline main     # the bench's fleet scenario

Prints per module: processes per run, median CPU s per process; then the mean CPU s per module run over every
process (what `module_cpu_s / module_runs` of the bench gives), the median over runs of that mean, and the median
total per playbook run. On a shared machine take several runs: the figures are medians.
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
from run import LATENCY, REPO, THROTTLING, Emulator, side_setup  # noqa: E402
import scenarios  # noqa: E402

WRAPPER = """#!/bin/sh
exec /usr/bin/time -a -o "$PRIVNET_BENCH_RSS_LOG" -f "%U %S %M %C" "$PRIVNET_BENCH_PYTHON" "$@"
"""
MODULE = re.compile(r"AnsiballZ_(\w+)\.py")
PLAYBOOK = ("ansible_collections", "privnet", "azure", "playbooks", "acr_private_link.yml")


def one_run(emu, estate, argv, env, log, warm):
    """Run the playbook on a fresh ``estate`` (after one unmeasured run when ``warm``); [(module, cpu s)]. As in the
    bench (bench/run.py one_run): instant latency, ARM throttling on, and every run signed out (a private runtime
    directory for the token broker, removed after the run)."""
    emu.control.reset()
    emu.control.config(**LATENCY["instant"], throttling=THROTTLING)
    emu.control.scenario(estate)
    if warm:
        with signed_out(env) as run_env:
            subprocess.run(argv, env=dict(run_env, PRIVNET_BENCH_RSS_LOG=os.devnull), check=True, capture_output=True)
    if os.path.exists(log):
        os.remove(log)
    with signed_out(env) as run_env:
        proc = subprocess.run(argv, env=dict(run_env, PRIVNET_BENCH_RSS_LOG=log), capture_output=True, text=True,
                              check=False)
    if proc.returncode:
        raise SystemExit(f"the playbook failed:\n{proc.stdout[-3000:]}")
    samples = []
    with open(log, encoding="utf-8") as f:
        for line in f:
            parts = line.split(None, 3)
            match = MODULE.search(line)
            if len(parts) == 4 and match and parts[0].replace(".", "", 1).isdigit():
                samples.append((match.group(1), float(parts[0]) + float(parts[1])))
    return samples


@contextlib.contextmanager
def signed_out(env):
    runtime = tempfile.mkdtemp(prefix="pbr-", dir="/tmp")
    try:
        yield dict(env, XDG_RUNTIME_DIR=runtime)
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


def summary(runs):
    flat = [s for run in runs for s in run]
    per_module = {}
    for module, cpu in flat:
        per_module.setdefault(module, []).append(cpu)
    run_means = [sum(c for _, c in run) / len(run) for run in runs]
    return {"runs": len(runs), "module_processes": len(flat),
            "mean_cpu_s": round(sum(c for _, c in flat) / len(flat), 4),
            "median_run_mean_cpu_s": round(statistics.median(run_means), 4),
            "median_run_total_cpu_s": round(statistics.median(sum(c for _, c in run) for run in runs), 3),
            "per_module": {m: {"per_run": len(v) / len(runs), "median_cpu_s": round(statistics.median(v), 4),
                               "mean_cpu_s": round(sum(v) / len(v), 4)} for m, v in sorted(per_module.items())}}


def report(label, figures, baseline=None):
    print(f"== {label}: {figures['runs']} runs, {figures['module_processes']} module processes")
    if baseline is None:
        print(f"{'module':26} {'procs/run':>9} {'median CPU s':>12}")
        for module, f in figures["per_module"].items():
            print(f"{module:26} {f['per_run']:9.1f} {f['median_cpu_s']:12.3f}")
    else:
        print(f"{'module':26} {'procs/run':>9} {'baseline s':>10} {'now s':>7} {'change':>7}")
        for module, f in figures["per_module"].items():
            before = baseline["per_module"].get(module, {}).get("median_cpu_s")
            change = f"{f['median_cpu_s'] / before - 1:+.0%}" if before else "n/a"
            print(f"{module:26} {f['per_run']:9.1f} {before or 0:10.3f} {f['median_cpu_s']:7.3f} {change:>7}")
    line = (f"mean CPU s per module run: {figures['mean_cpu_s']:.3f} (median over runs "
            f"{figures['median_run_mean_cpu_s']:.3f}); per playbook run: median {figures['median_run_total_cpu_s']:.2f} s")
    if baseline is not None:
        line += (f"\nbaseline: {baseline['mean_cpu_s']:.3f} per module run (median over runs "
                 f"{baseline['median_run_mean_cpu_s']:.3f}), {baseline['median_run_total_cpu_s']:.2f} s per playbook "
                 f"run; change per module run {figures['mean_cpu_s'] / baseline['mean_cpu_s'] - 1:+.1%}")
    print(line)


def unpack(rev, into):
    """The collection at ``rev`` as a collections path (``into``/ansible_collections/privnet/azure)."""
    target = os.path.join(into, *PLAYBOOK[:3])
    os.makedirs(target)
    archive = subprocess.run(["git", "-C", REPO, "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", target], input=archive, check=True)
    return into


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--runs", type=int, default=5, help="measured playbook runs (default 5)")
    parser.add_argument("--rerun", action="store_true", help="also measure a no-change re-run after each run")
    parser.add_argument("--python", default=os.path.join(REPO, ".venv", "bin", "python"),
                        help="the modules' Python (default: the repo's .venv)")
    parser.add_argument("--collections", default=os.path.join(REPO, ".cache", "collections"),
                        help="the collections path holding privnet.azure (default: this work tree, through "
                             ".cache/collections)")
    parser.add_argument("--baseline", metavar="REV", help="also measure the collection at this git revision, in turns")
    parser.add_argument("--fleet", type=int, metavar="N", help="the bench's fleet scenario of N registries instead of "
                                                               "the single registry of the `acr` estate")
    parser.add_argument("--forks", type=int, default=10, help="ansible forks with --fleet (default 10, as the bench)")
    parser.add_argument("--json", help="write the figures to this file too")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="module-cpu-")
    emu = Emulator(tempfile.mkdtemp(prefix="module-cpu-emulator-"))
    try:
        inventory = os.path.join(work, "inventory.yml")
        with open(inventory, "w", encoding="utf-8") as f:
            json.dump(scenarios.fleet_inventory(args.fleet) if args.fleet else scenarios.acr_inventory(), f)
        estate = scenarios.fleet(args.fleet) if args.fleet else {"name": "acr"}
        forks = ["-f", str(args.forks)] if args.fleet else []
        wrapper = os.path.join(work, "timed-python")
        with open(wrapper, "w", encoding="utf-8") as f:
            f.write(WRAPPER)
        os.chmod(wrapper, 0o755)
        bindir, env = side_setup("ours", emu.env)
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
        env["PRIVNET_BENCH_PYTHON"] = args.python
        log = os.path.join(work, "modules.log")

        versions = {"now": args.collections}
        if args.baseline:
            versions = {"baseline": unpack(args.baseline, os.path.join(work, "baseline")), **versions}
        samples = {name: {"scratch": [], "rerun": []} for name in versions}
        for index in range(args.runs):
            # The versions take turns, the first one alternating, so that neither always runs after the other.
            order = list(versions) if index % 2 == 0 else list(reversed(versions))
            for name in order:
                run_env = dict(env, ANSIBLE_COLLECTIONS_PATH=versions[name])
                argv = [os.path.join(bindir, "ansible-playbook"), "-i", inventory, *forks, "-e",
                        "privnet_hosts=registries", "-e", f"ansible_python_interpreter={wrapper}",
                        os.path.join(versions[name], *PLAYBOOK)]
                samples[name]["scratch"].append(one_run(emu, estate, argv, run_env, log, warm=False))
                if args.rerun:
                    samples[name]["rerun"].append(one_run(emu, estate, argv, run_env, log, warm=True))

        results = {"runs": args.runs, "baseline_revision": args.baseline, "fleet": args.fleet,
                   "forks": args.forks if args.fleet else None}
        for kind, label in (("scratch", "from scratch"), ("rerun", "re-run, nothing to change")):
            if not samples["now"][kind]:
                continue
            figures = {name: summary(samples[name][kind]) for name in versions}
            results[kind] = figures
            report(label, figures["now"], figures.get("baseline"))
        if args.json:
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump(results, f, indent=1)
    finally:
        emu.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
