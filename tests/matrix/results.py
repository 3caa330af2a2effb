# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Write tests/matrix/RESULTS.md from a `make matrix` run: what each matrix venv held and what its suites gave.

    python tests/matrix/results.py --log .cache/matrix/matrix.log --venv min=.cache/matrix/min \
        --venv azcollection=.cache/matrix/azcollection --out tests/matrix/RESULTS.md

The log is `make matrix`'s output (make matrix-min, then make matrix-azcollection: for each, the unit suite, then
the integration suite); its pytest summary lines are taken in that order. The venvs are asked for the versions of
the packages the modules import. The matrix is not part of .ci/run (it would take it over an hour): it is run before
a stop that changes what it covers, and this file records that run.
"""

import argparse
import datetime
import os
import re
import subprocess

PACKAGES = ("ansible-core", "azure-core", "azure-identity", "azure-mgmt-core", "azure-mgmt-network",
            "azure-mgmt-privatedns", "azure-mgmt-containerregistry", "azure-mgmt-resource", "msal", "requests",
            "dnspython")
SUMMARY = re.compile(r"^=*\s*(\d+ (?:passed|failed|error).*?)\s*=*$")
STEPS = ("unit", "integration")


def versions(venv):
    out = subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", "list", "--format=freeze"],
                         capture_output=True, text=True, check=True).stdout
    found = dict(line.split("==", 1) for line in out.splitlines() if "==" in line)
    lowered = {k.lower(): v for k, v in found.items()}
    return {name: lowered.get(name, "not installed") for name in PACKAGES}


def summaries(log):
    with open(log, encoding="utf-8", errors="replace") as f:
        return [m.group(1) for m in (SUMMARY.match(line.strip()) for line in f) if m]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--venv", action="append", required=True, help="name=path, in the order make ran them")
    parser.add_argument("--out", required=True)
    parser.add_argument("--commit", default=None)
    args = parser.parse_args()
    venvs = [item.split("=", 1) for item in args.venv]
    lines = summaries(args.log)
    if len(lines) != len(venvs) * len(STEPS):
        raise SystemExit(f"{args.log}: {len(lines)} pytest summaries, expected {len(venvs) * len(STEPS)}: {lines}")
    commit = args.commit or subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                           check=True).stdout.strip()
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = ["# Version matrix: the last run", "",
           f"`make matrix` on commit {commit}, {today} (written by tests/matrix/results.py). The matrix runs outside",
           "`.ci/run`, which it would take over an hour; README.md, \"Developing\", says what each venv runs.", ""]
    for index, (name, path) in enumerate(venvs):
        out += [f"## {name}", "", "| package | version |", "| --- | --- |"]
        out += [f"| {package} | {version} |" for package, version in versions(path).items()]
        out += [""]
        for step_index, step in enumerate(STEPS):
            out.append(f"- {step}: {lines[index * len(STEPS) + step_index]}")
        out.append("")
    failed = [line for line in lines if re.search(r"\b\d+ (failed|error)", line)]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    if failed:
        raise SystemExit(f"the matrix failed: {failed}")


if __name__ == "__main__":
    main()
