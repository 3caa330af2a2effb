"""Part 1: transient faults on the main procedure (playbooks/acr_private_link.yml on the `acr`
estate, as scripts/demo runs it). Whatever transient fault ARM or Entra ID answers with, the run
must succeed and leave exactly the estate a fault-free run leaves: same resources, same
properties, nothing duplicated, nothing orphaned, no operation left running.

Default suite: each ARM fault kind armed once on EVERY write path of the procedure in the same
run (so every kind meets every write path), plus token endpoint errors. Soak (--soak): each
kind on each write path alone, token errors 1 to 3 in a row, and a seeded random fault rate
over every ARM request (reads, writes, operation polls) for many seeds.
"""

import re

import pytest

import reliability_lib as lib

# Seconds the emulator asks the client to wait with a 429 or 503 (Retry-After).
RETRY_AFTER = 2
# azure-core's retry policy never honours a Retry-After with less; allow clock granularity.
RETRY_AFTER_SLACK = 0.05


def arm(emulator, kind, targets, retry_after=RETRY_AFTER):
    rules = [dict(kind=kind, method=method, path="^" + re.escape(path) + "$", count=1, retry_after=retry_after)
             for method, path in targets]
    emulator.control.call("POST", "faults", rules)
    return rules


def converge(emulator, baseline, run, what):
    """The run succeeded and left the fault-free run's estate."""
    assert run.rc == 0, f"{what}: the run failed\n{run.describe()}"
    difference = lib.state_difference(baseline["state"], lib.normalise(emulator.control.state()))
    assert not difference, f"{what}: the final state differs from a fault-free run's:\n{difference}"


def faulted(emulator):
    return [e for e in emulator.control.log() if e.get("fault")]


def retry_gaps(log, faulted_entries):
    """Seconds between each faulted request and the next request to the same method and path."""
    gaps = []
    for entry in faulted_entries:
        later = [e for e in log if e["seq"] > entry["seq"] and e["method"] == entry["method"]
                 and e["path"] == entry["path"]]
        if later:
            gaps.append(later[0]["time"] - entry["time"])
    return gaps


@pytest.mark.parametrize("kind", lib.ARM_TRANSIENT_KINDS)
def test_fault_kind_on_every_write_path(emulator, baseline, kind, suite):
    lib.fresh(emulator, "acr")
    rules = arm(emulator, kind, baseline["targets"])
    run = lib.run(emulator, lib.acr_playbook_args(emulator))
    armed = emulator.control.call("GET", "faults")["rules"]
    hits = faulted(emulator)
    log = emulator.control.log()
    gaps = retry_gaps(log, hits)
    lib.record(suite, "transient", f"{kind}-all-paths", kind=kind, paths=[lib.short_path(t[1]) for t in baseline["targets"]],
               ok=run.rc == 0, rc=run.rc, seconds=round(run.seconds, 1), faults=len(hits),
               requests=len([e for e in log if e["kind"] == "arm"]), baseline_requests=baseline["requests"],
               min_retry_gap=round(min(gaps), 2) if gaps else None)
    # Every armed fault was met: a fault that never fired tests nothing.
    assert [r["hits"] for r in armed] == [1] * len(rules), armed
    converge(emulator, baseline, run, f"{kind} on every write path")
    # No retry storm either: a few requests more per fault than the fault-free run, not dozens.
    requests = len([e for e in log if e["kind"] == "arm"])
    assert requests <= baseline["requests"] + 3 * len(hits), (requests, baseline["requests"], len(hits))
    if kind in ("429", "503", "retryable"):
        # The client waited at least Retry-After before sending the request again.
        assert len(gaps) == len(hits)
        assert min(gaps) >= RETRY_AFTER - RETRY_AFTER_SLACK, gaps


@pytest.mark.parametrize("count", [1, 2])
def test_token_endpoint_errors(emulator, baseline, count, suite):
    """Entra ID answers 503 temporarily_unavailable to the first `count` token requests."""
    lib.fresh(emulator, "acr")
    emulator.control.fault(kind=lib.TOKEN_KIND, count=count, retry_after=1)
    run = lib.run(emulator, lib.acr_playbook_args(emulator))
    hits = [e for e in faulted(emulator) if e["kind"] == "token"]
    lib.record(suite, "transient", f"token_error-x{count}", kind=lib.TOKEN_KIND, count=count, ok=run.rc == 0,
               rc=run.rc, seconds=round(run.seconds, 1), faults=len(hits))
    assert len(hits) == count
    converge(emulator, baseline, run, f"{count} token endpoint error(s) in a row")


def test_token_endpoint_outage_fails_fast(emulator, suite):
    """Past azure-identity's own retries (3 attempts), a token outage fails the task at once, with the
    503 in the message, after a bounded number of token requests and no ARM request: no retry storm,
    no hang, nothing written."""
    lib.fresh(emulator, "acr")
    emulator.control.fault(kind=lib.TOKEN_KIND, count=50, retry_after=1)
    run = lib.run(emulator, lib.acr_playbook_args(emulator))
    log = emulator.control.log()
    tokens = [e for e in log if e["kind"] == "token"]
    arm_requests = [e for e in log if e["kind"] == "arm"]
    lib.record(suite, "transient", "token_error-outage", kind=lib.TOKEN_KIND, count=50, ok=run.rc != 0, rc=run.rc,
               seconds=round(run.seconds, 1), token_requests=len(tokens), arm_requests=len(arm_requests))
    assert run.rc != 0, run.describe()
    assert "503" in run.stdout, run.describe()
    assert len(tokens) <= 4, [(e["status"], e["fault"]) for e in tokens]
    assert not arm_requests
    assert run.seconds < 60


# ---- soak ---------------------------------------------------------------------------------

def _matrix():
    # The write paths are known only from a fault-free run; the ids name them by position.
    return [(kind, index) for kind in lib.ARM_TRANSIENT_KINDS for index in range(8)]


@pytest.mark.soak
@pytest.mark.parametrize("kind,index", _matrix(), ids=[f"{k}-write{i + 1}" for k, i in _matrix()])
def test_soak_fault_kind_on_one_write_path(emulator, baseline, kind, index, suite):
    method, path = baseline["targets"][index]
    lib.fresh(emulator, "acr")
    arm(emulator, kind, [(method, path)])
    run = lib.run(emulator, lib.acr_playbook_args(emulator))
    hits = faulted(emulator)
    lib.record(suite, "matrix", f"{kind}-{index}", kind=kind, method=method, path=lib.short_path(path), ok=run.rc == 0,
               rc=run.rc, seconds=round(run.seconds, 1), faults=len(hits),
               error=_first_failure(run) if run.rc else None)
    assert len(hits) == 1
    converge(emulator, baseline, run, f"{kind} on {method} {lib.short_path(path)}")


@pytest.mark.soak
@pytest.mark.parametrize("count", [1, 2, 3])
def test_soak_token_endpoint_errors(emulator, baseline, count, suite):
    lib.fresh(emulator, "acr")
    emulator.control.fault(kind=lib.TOKEN_KIND, count=count, retry_after=1)
    run = lib.run(emulator, lib.acr_playbook_args(emulator))
    hits = [e for e in faulted(emulator) if e["kind"] == "token"]
    lib.record(suite, "matrix", f"token_error-x{count}", kind=lib.TOKEN_KIND, method="POST", path=f"token x{count}",
               ok=run.rc == 0, rc=run.rc, seconds=round(run.seconds, 1), faults=len(hits),
               error=_first_failure(run) if run.rc else None)
    assert len(hits) == count
    converge(emulator, baseline, run, f"{count} token endpoint error(s) in a row")


def pytest_generate_tests(metafunc):
    if "seed" in metafunc.fixturenames:
        # Outside the soak, one (skipped) seed keeps the listing short.
        seeds = metafunc.config.getoption("soak_seeds") if metafunc.config.getoption("soak") else 1
        metafunc.parametrize("seed", range(seeds), ids=[f"seed{s}" for s in range(seeds)])


@pytest.mark.soak
def test_soak_random_fault_rate(emulator, baseline, seed, suite, request):
    """A seeded random fault on a fraction of ALL ARM requests (reads, writes and operation polls),
    of every transient kind; then a second run must change nothing and write nothing."""
    rate = request.config.getoption("soak_rate")
    lib.fresh(emulator, "acr")
    emulator.control.fault(rate=rate, seed=seed, kinds=list(lib.ARM_TRANSIENT_KINDS), retry_after=1)
    run = lib.run(emulator, lib.acr_playbook_args(emulator))
    hits = faulted(emulator)
    emulator.control.clear_faults()
    by_kind = {}
    for e in hits:
        by_kind[e["fault"]] = by_kind.get(e["fault"], 0) + 1
    requests = len([e for e in emulator.control.log() if e["kind"] == "arm"])
    mark = lib.last_seq(emulator)
    again = lib.run(emulator, lib.acr_playbook_args(emulator)) if run.rc == 0 else None
    rewrites = lib.writes(emulator, mark) if again else []
    ok = run.rc == 0 and again is not None and again.rc == 0 and not rewrites
    difference = lib.state_difference(baseline["state"], lib.normalise(emulator.control.state()))
    lib.record(suite, "seeds", f"seed{seed:04d}", seed=seed, rate=rate, ok=ok and not difference, rc=run.rc,
               seconds=round(run.seconds, 1), faults=len(hits), by_kind=by_kind, requests=requests,
               error=_first_failure(run) if run.rc else (difference[:300] or None))
    assert run.rc == 0, f"seed {seed}: faults {[(e['fault'], e['method'], lib.short_path(e['path'])) for e in hits]}\n" \
                        + run.describe()
    assert not difference, f"seed {seed}: the final state differs from a fault-free run's:\n{difference}"
    assert again.rc == 0 and "changed=0" in again.stdout, again.describe()
    assert not rewrites, [(e["method"], e["path"]) for e in rewrites]


def _first_failure(run):
    for line in run.stdout.splitlines():
        if line.startswith("fatal:") or "FAILED!" in line:
            return line[:500]
    return (run.stderr or run.stdout)[-500:]
