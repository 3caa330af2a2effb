"""Run every integration target (tests/integration/targets/<name>, a role whose name does not
start with 'emulator' or 'setup_') against a fresh emulator estate.

A target names its starting estate in `targets/<name>/scenario` (built-in scenario names) or
gives it in `targets/<name>/scenario.yml` (a scenario document). Assertions live in the targets' YAML: change, idempotence with zero writes in
the emulator's request log, check mode, diff, failures before any write.
"""

import os

import pytest
import yaml

from conftest import HERE, run_playbook

TARGETS = sorted(
    name for name in os.listdir(os.path.join(HERE, "targets"))
    if not name.startswith(("emulator", "setup_")) and os.path.isdir(os.path.join(HERE, "targets", name, "tasks"))
)


@pytest.mark.parametrize("target", TARGETS)
def test_target(emulator, target, tmp_path):
    emulator.control.reset()
    scenario_file = os.path.join(HERE, "targets", target, "scenario")
    if os.path.exists(scenario_file):
        for name in open(scenario_file, encoding="utf-8").read().split():
            emulator.control.scenario(name)
    scenario_doc = os.path.join(HERE, "targets", target, "scenario.yml")
    if os.path.exists(scenario_doc):
        with open(scenario_doc, encoding="utf-8") as f:
            emulator.control.scenario(yaml.safe_load(f))
    playbook = tmp_path / "run.yml"
    playbook.write_text(
        "- name: Integration target %s\n"
        "  hosts: localhost\n"
        "  connection: local\n"
        "  gather_facts: false\n"
        "  roles:\n"
        "    - %s\n" % (target, target))
    run_playbook(emulator, str(playbook), ["--diff"])
