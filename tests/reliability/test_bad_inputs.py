"""Part 3: bad inputs. Every case of the table in bad_inputs.py must fail before any write, with a
message that names the field (or the credential or subscription problem). One playbook runs a
whole group of cases; each case's writes are counted between two marks of the request log."""

import pytest

import bad_inputs
import reliability_lib as lib

_RUNS = {}


def group_run(emulator, group, tmp_path_factory):
    if group not in _RUNS:
        _RUNS[group] = bad_inputs.run_group(emulator, group, str(tmp_path_factory.mktemp(f"bad-{group}")))
    return _RUNS[group]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=pytest.mark.xdist_group(f"bad-{c.group}"))
                                  for c in bad_inputs.CASES])
def test_bad_input(emulator, case, tmp_path_factory, suite):
    run, outcomes, log = group_run(emulator, case.group, tmp_path_factory)
    outcome = outcomes.get(case.id)
    found = bad_inputs.problems(case, outcome, log)
    result = outcome["result"] if outcome else {}
    lib.record(suite, "bad_inputs", case.id, module=case.module, what=case.what, ok=not found, problems=found,
               message=bad_inputs.message(result)[:600],
               requests=len(bad_inputs.requests_in(outcome, log)) if outcome else None)
    assert not found, (f"{case.id} ({case.what}): " + "; ".join(found)
                       + f"\nmessage: {bad_inputs.message(result)}" + ("" if outcome else "\n" + run.describe()))


def test_table_size():
    """The table covers at least 40 cases, across modules and roles."""
    modules = {c.module for c in bad_inputs.CASES}
    assert len(bad_inputs.CASES) >= 40
    assert len([m for m in modules if m.endswith(" role")]) == 3
    assert len(modules) >= 12
