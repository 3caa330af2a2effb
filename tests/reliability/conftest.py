"""The reliability suite: transient and permanent faults, bad inputs, check mode, secrets and
concurrency, measured against the ARM emulator through real ansible runs.

`make reliability` runs the default suite (part of `make test`; it writes nothing tracked);
`make reliability-results` runs it and rewrites its section of RESULTS.md; `make soak` runs the long
one (`--soak`: every fault kind on every write path, and seeded random fault rates) and rewrites its own
section. Only a whole run with --write-results touches RESULTS.md.
"""

import os
import shutil
import time

import pytest

from privnet_emulator.testing import RunningEmulator

import reliability_lib as lib
import results


_COUNTS = {}
_STARTED = [time.monotonic()]


def pytest_addoption(parser):
    group = parser.getgroup("reliability")
    group.addoption("--soak", action="store_true", default=False,
                    help="run the soak: the full fault matrix and the seeded random fault rates")
    group.addoption("--soak-seeds", type=int, default=int(os.environ.get("SOAK_SEEDS", "50")),
                    help="how many seeds the soak's random fault rate runs (default 50, or $SOAK_SEEDS)")
    group.addoption("--soak-rate", type=float, default=float(os.environ.get("SOAK_RATE", "0.2")),
                    help="the soak's random fault rate over every ARM request (default 0.2, or $SOAK_RATE)")
    group.addoption("--write-results", action="store_true", default=False,
                    help="rewrite this suite's section of RESULTS.md (make reliability-results, make soak); "
                         "without it a run checks and leaves the tracked file alone")


def pytest_configure(config):
    config.addinivalue_line("markers", "soak: long-running; only with --soak (make soak)")
    suite = "soak" if config.getoption("soak") else "default"
    config.reliability_suite = suite
    os.environ["PRIVNET_RELIABILITY_SUITE"] = suite
    # The controller (not an xdist worker) starts the suite's record afresh, for a whole suite's run.
    if not hasattr(config, "workerinput"):
        _STARTED[0] = time.monotonic()
        if _whole(config):
            shutil.rmtree(os.path.join(lib.RECORDS, suite), ignore_errors=True)


def _whole(config):
    """A run of the whole suite (no -k, no file or test named): only such a run speaks for the suite."""
    return not config.option.keyword and all(os.path.realpath(str(arg)) == lib.HERE for arg in config.args)


def pytest_collection_modifyitems(config, items):
    soak = config.getoption("soak")
    for item in items:
        is_soak = item.get_closest_marker("soak") is not None
        if is_soak and not soak:
            item.add_marker(pytest.mark.skip(reason="soak test: run with --soak (make soak)"))
        elif soak and not is_soak:
            item.add_marker(pytest.mark.skip(reason="default suite: run without --soak (make reliability)"))


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        outcome = report.outcome if report.when == "call" else ("skipped" if report.skipped else "failed")
        _COUNTS[outcome] = _COUNTS.get(outcome, 0) + 1


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput") or config.getoption("collectonly"):
        return
    stats = {"passed": _COUNTS.get("passed", 0), "failed": _COUNTS.get("failed", 0),
             "skipped": _COUNTS.get("skipped", 0), "seconds": time.monotonic() - _STARTED[0]}
    # Only a whole run asked to (--write-results) rewrites RESULTS.md: `make test` leaves the tree clean.
    if config.getoption("write_results") and _whole(config) and stats["passed"] + stats["failed"]:
        results.write(config.reliability_suite, stats)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    """One in-process emulator per test process (xdist worker)."""
    emu = RunningEmulator(str(tmp_path_factory.mktemp("emulator")))
    yield emu
    emu.stop()


@pytest.fixture()
def suite(request):
    return request.config.reliability_suite


@pytest.fixture(scope="session")
def baseline(emulator):
    """The fault-free run: its normalised final state, its write paths and its request count."""
    lib.fresh(emulator, "acr")
    run = lib.run(emulator, lib.acr_playbook_args(emulator))
    assert run.rc == 0, run.describe()
    log = emulator.control.log()
    targets = lib.write_targets(log)
    # The procedure writes the subnet, the zone, its link, the endpoint, 3 A records, the registry.
    assert len(targets) == 8, targets
    return {"state": lib.normalise(emulator.control.state()), "targets": targets, "seconds": run.seconds,
            "requests": len([e for e in log if e["kind"] == "arm"])}
