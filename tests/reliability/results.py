"""RESULTS.md: each suite (default, soak) rewrites its own section from the results its tests
recorded (reliability_lib.record), so `make reliability-results` keeps the figures of the last soak
and `make soak` those of the last default run."""

import datetime
import os
import re

import reliability_lib as lib

TITLE = """# Reliability, measured

Written by the reliability suite (`tests/reliability`), never by hand: `make reliability-results`
rewrites the default section (`make reliability`, part of `make test`, runs the same suite and writes
nothing), `make soak` the soak section. Every figure is a real
`ansible-playbook` or `ansible` run of this collection against the ARM emulator over HTTPS, with only
AWX's credential variables in the environment. A fault-free run of the main procedure
(`playbooks/acr_private_link.yml` on the emulator's `acr` estate) is the reference: after faults, the
final estate must equal its estate (resource ids, types, provisioning states and bodies; GUIDs,
etags and times masked), with nothing duplicated, orphaned or still running.
"""


LIMITS = """What cannot be survived, and why:

- A dropped connection on a non-idempotent request: azure-core sends GET, PUT and DELETE again by
  itself, never PATCH or POST. The collection sends no POST write at all; its one PATCH (the
  registry's network settings) carries absolute values, so the module base sends it again
  (`RETRY_LOST_ANSWER_ATTEMPTS` in `plugins/module_utils/_azure.py`). The emulator drops the
  connection before it handles the request; a write Azure carried out whose answer was lost is
  sent again as well: PUTs of absolute values converge, and the A records' etag guard turns the
  second attempt's 412 into a re-read.
- A token endpoint outage longer than azure-identity's own retries (4 attempts over a few seconds):
  the task fails at once with the 503 in its message (see `token_error`, an outage, above), rather
  than waiting; running the playbook again resumes where it stopped, as every step is idempotent.
"""


def _yes(ok):
    return "pass" if ok else "**FAIL**"


def _table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        out.append("| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in row) + " |")
    return "\n".join(out)


def _by_part(records):
    parts = {}
    for rec in records:
        parts.setdefault(rec["part"], []).append(rec)
    return parts


def _header(name, command, stats):
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"## {name} (`{command}`)\n\nLast run {when}: {stats['passed']} tests passed, {stats['failed']} failed, "
            f"{stats['skipped']} skipped, in {stats['seconds'] / 60:.1f} min.\n")


def default_section(records, stats):
    parts = _by_part(records)
    out = [_header("Default suite", "make reliability-results", stats)]

    transient = parts.get("transient", [])
    out.append("### 1. Transient faults\n")
    out.append("Each ARM fault kind armed once on every write path of the procedure, all in the same run (so every "
               "kind meets each of the 8 write paths: subnet, zone, zone link, endpoint, 3 A records, registry), "
               "and the token endpoint's errors. A 429 or 503 asks for a 2 s Retry-After; the smallest gap before "
               "the retry is shown.\n")
    rows = []
    for rec in sorted(transient, key=lambda r: r["name"]):
        if rec["name"].endswith("-all-paths"):
            rows.append([rec["kind"], f"{len(rec['paths'])} write paths", rec["faults"], _yes(rec["ok"]),
                         f"{rec['seconds']} s", f"{rec['requests']} (fault-free {rec['baseline_requests']})",
                         "-" if rec.get("min_retry_gap") is None else f"{rec['min_retry_gap']} s"])
        elif rec["name"] == "token_error-outage":
            rows.append([rec["kind"], "every token request (an outage)", f"{rec['token_requests']} token requests",
                         "fails at once, as designed" if rec["ok"] else "**FAIL**", f"{rec['seconds']} s",
                         f"{rec['arm_requests']} ARM requests", "-"])
        else:
            rows.append([rec["kind"], f"first {rec['count']} token request(s)", rec["faults"], _yes(rec["ok"]),
                         f"{rec['seconds']} s", "-", "-"])
    out.append(_table(["Fault", "Injected on", "Faults met", "Result", "Run time", "ARM requests", "Retry gap"], rows))
    survived = sorted({r["kind"] for r in transient if r["ok"] and r["name"] != "token_error-outage"})
    out.append(f"\nSurvived: {', '.join(survived) or 'none'}.\n")
    out.append(LIMITS)

    permanent = parts.get("permanent", [])
    out.append("### 2. Permanent faults\n")
    out.append("Each must fail at once with Azure's code and message: the refused request sent once, no backoff.\n")
    out.append(_table(["Case", "Azure code", "Result", "ARM requests", "Writes", "Token requests", "Time"],
                      [[r["name"], r["code"], _yes(r["ok"]) + (f" (message lacks {r['missing']})" if r["missing"] else ""),
                        r["arm_requests"], r["writes"], r["token_requests"], f"{r['seconds']} s"]
                       for r in sorted(permanent, key=lambda r: r["name"])]))
    out.append("\nThe `403-authorization-failed` cases answer a write with ARM's 403 AuthorizationFailed (the emulator's "
               "`forbidden` fault); `403-failed-operation` is an operation that ends Failed with a permission code.\n")

    bad = parts.get("bad_inputs", [])
    out.append("### 3. Bad inputs\n")
    passed = [r for r in bad if r["ok"]]
    modules = {}
    for rec in bad:
        entry = modules.setdefault(rec["module"], [0, 0])
        entry[0] += 1
        entry[1] += 1 if rec["ok"] else 0
    out.append(f"{len(bad)} cases across {len(modules)} modules and roles; {len(passed)} fail before any write with a "
               "message naming the field (or the credential or subscription problem).\n")
    out.append(_table(["Module or role", "Cases", "Pass"], [[m, n, p] for m, (n, p) in sorted(modules.items())]))
    failing = [r for r in bad if not r["ok"]]
    if failing:
        out.append("\nCases that do not pass yet:\n")
        out.append(_table(["Case", "Input", "Problem", "Message"],
                          [[r["name"], r["what"], "; ".join(r["problems"]), r["message"][:200]] for r in failing]))
    out.append("")

    check = parts.get("check_mode", [])
    out.append("### 4. Check mode\n")
    out.append("`--check` from each role's starting estate, then the real run, then `--check` again.\n")
    out.append(_table(["Role", "Result", "Task results", "Changed (real)", "Changed (predicted)", "Writes in check",
                       "Changed predicted after the run", "Mispredictions"],
                      [[r["name"], _yes(r["ok"]), r["tasks"], r["changed"], r["predicted_changed"],
                        r["check_writes"] + r["recheck_writes"], r["recheck_changed"], len(r["mismatches"])]
                       for r in sorted(check, key=lambda r: r["name"])]))
    out.append("")

    secrets = parts.get("secrets", [])
    out.append("### 5. Secrets\n")
    out.append("The main procedure at `-vvv`: the secret searched in stdout, stderr, every file the run wrote (its "
               "HOME, ansible's temp directories, kept module payloads, the ansible log) and the emulator's request log.\n")
    out.append(_table(["How the secret was given", "Result", "Output scanned", "Files scanned", "Token requests",
                       "Found in"],
                      [[r["name"], _yes(r["ok"]), f"{r['output_bytes']} bytes", r["files_scanned"], r["token_requests"],
                        ", ".join(r["found_in"]) or "nowhere"] for r in sorted(secrets, key=lambda r: r["name"])]))
    out.append("")

    conc = parts.get("concurrency", [])
    out.append("### 6. Concurrency\n")
    rows = []
    for rec in sorted(conc, key=lambda r: r["name"]):
        detail = (f"{rec.get('records', '-')} of {rec.get('expected_records', '-')} records" if "records" in rec
                  else ("same estate as one run" if not rec.get("difference") else "estate differs"))
        met = ", ".join(f"{k} x{n}" for k, n in sorted(rec.get("conflicts", {}).items())) or "none"
        rows.append([rec["name"], _yes(rec["ok"]), detail, met, " / ".join(f"{s} s" for s in rec["seconds"])])
    out.append(_table(["Case", "Result", "Outcome", "409/412 answers met (collisions survived)", "Run times"], rows))
    out.append("")
    return "\n".join(out)


def soak_section(records, stats):
    parts = _by_part(records)
    out = [_header("Soak", "make soak", stats)]
    matrix = parts.get("matrix", [])
    out.append("### Every fault kind on every write path, one fault per run\n")
    kinds = [k for k in lib.ARM_TRANSIENT_KINDS if any(r["kind"] == k for r in matrix)]
    paths = []
    for rec in sorted(matrix, key=lambda r: r["name"]):
        if rec["kind"] != lib.TOKEN_KIND and (rec["method"], rec["path"]) not in paths:
            paths.append((rec["method"], rec["path"]))
    cell = {(r["kind"], r["method"], r["path"]): r for r in matrix}
    rows = []
    for method, path in paths:
        row = [f"{method} {path}"]
        for kind in kinds:
            rec = cell.get((kind, method, path))
            row.append("-" if rec is None else ("ok" if rec["ok"] else "**FAIL**"))
        rows.append(row)
    out.append(_table(["Write path"] + kinds, rows))
    tokens = sorted((r for r in matrix if r["kind"] == lib.TOKEN_KIND), key=lambda r: r["name"])
    if tokens:
        counts = [f"{r['path']}: {'ok' if r['ok'] else 'FAIL'}" for r in tokens]
        out.append("\nToken endpoint errors in a row: " + ", ".join(counts) + ".")
    failed = [r for r in matrix if not r["ok"]]
    out.append(f"\n{len(matrix) - len(failed)} of {len(matrix)} runs converged.\n")
    if failed:
        rows = [[r["kind"], f"{r['method']} {r['path']}", r.get("error") or "-"] for r in failed]
        out.append(_table(["Fault", "Where", "Error"], rows))
        out.append("")

    conc = sorted(parts.get("concurrency", []), key=lambda r: r["name"])
    if conc:
        out.append("### Concurrency, repeated\n")
        ok = [r for r in conc if r["ok"]]
        met = sum(r["conflicts_met"] for r in conc)
        out.append(f"{len(ok)} of {len(conc)} pairs of simultaneous runs converged with no record lost; "
                   f"{met} 409/412 collisions met and survived.\n")
        bad = [r for r in conc if not r["ok"]]
        if bad:
            rows = [[r["name"], r.get("lost", "-"), r.get("wrong", "-"), r.get("difference", "-")] for r in bad]
            out.append(_table(["Case", "Lost", "Wrong", "Difference"], rows))
            out.append("")

    seeds = sorted(parts.get("seeds", []), key=lambda r: r["seed"])
    out.append("### Seeded random faults\n")
    if seeds:
        rate = seeds[0]["rate"]
        total = sum(r["faults"] for r in seeds)
        by_kind = {}
        for rec in seeds:
            for kind, n in rec["by_kind"].items():
                by_kind[kind] = by_kind.get(kind, 0) + n
        ok = [r for r in seeds if r["ok"]]
        out.append(f"{len(seeds)} seeds, a fault on {rate:.0%} of ALL ARM requests (reads, writes, operation polls) drawn "
                   f"from {', '.join(lib.ARM_TRANSIENT_KINDS)}; then a second run must change nothing and write nothing.\n")
        out.append(f"- converged and idempotent: **{len(ok)} of {len(seeds)}** seeds")
        out.append(f"- faults injected: {total} ({', '.join(f'{k}: {n}' for k, n in sorted(by_kind.items()))}), "
                   f"{total / len(seeds):.1f} per run; ARM requests per run {min(r['requests'] for r in seeds)} to "
                   f"{max(r['requests'] for r in seeds)}")
        out.append(f"- run time {min(r['seconds'] for r in seeds)} s to {max(r['seconds'] for r in seeds)} s\n")
        bad = [r for r in seeds if not r["ok"]]
        if bad:
            out.append(_table(["Seed", "Faults", "Error"], [[r["seed"], r["faults"], r.get("error") or "-"] for r in bad]))
            out.append("")
    else:
        out.append("Not run.\n")
    return "\n".join(out)


def _replace(text, suite, section):
    begin, end = f"<!-- {suite}:begin -->", f"<!-- {suite}:end -->"
    block = f"{begin}\n{section.rstrip()}\n{end}"
    if begin in text and end in text:
        return re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    return text.rstrip() + "\n\n" + block + "\n"


def write(suite, stats):
    records = lib.load_records(suite)
    if not records:
        return
    section = soak_section(records, stats) if suite == "soak" else default_section(records, stats)
    text = TITLE
    if os.path.exists(lib.RESULTS_MD):
        with open(lib.RESULTS_MD, encoding="utf-8") as f:
            text = f.read()
    if "<!-- default:begin -->" not in text:
        text = _replace(text, "default", "## Default suite (`make reliability-results`)\n\nNot run yet.")
    if "<!-- soak:begin -->" not in text:
        text = _replace(text, "soak", "## Soak (`make soak`)\n\nNot run yet.")
    text = _replace(text, suite, section)
    with open(lib.RESULTS_MD, "w", encoding="utf-8") as f:
        f.write(text)
