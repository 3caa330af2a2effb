"""Part 5: the client secret never shows. At -vvv, in every line ansible prints, in every file the
run writes (its HOME, ansible's temp directories and kept module payloads, its log file), and in
the emulator's request log, which must show the token endpoint as the only place credentials went.

Three ways the secret reaches the modules: AWX's AZURE_SECRET (the usual one), the `secret` option
through module_defaults (a playbook that passes it explicitly), and a wrong secret (a failure's
message must not echo what was sent).
"""

import os
import re
import secrets as random_secrets

import pytest

import reliability_lib as lib

DEFAULTS_PLAYBOOK = """\
- name: The main procedure with the secret passed as a module option
  hosts: acr_private_links
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  module_defaults:
    group/privnet.azure.all:
      secret: "{{ lookup('ansible.builtin.env', 'PRIVNET_TEST_SECRET') }}"
  roles:
    - role: privnet.azure.acr_private_link
"""


def files_containing(root, needle):
    found = []
    data = needle.encode()
    for folder, dummy, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as f:
                    if data in f.read():
                        found.append(os.path.relpath(path, root))
            except OSError:
                continue
    return found


def isolated_env(tmp_path, keep_remote_files):
    home = tmp_path / "home"
    (home / "tmp").mkdir(parents=True)
    return {
        "HOME": str(home),
        "TMPDIR": str(home / "tmp"),
        "ANSIBLE_LOCAL_TEMP": str(home / "ansible-local"),
        "ANSIBLE_REMOTE_TEMP": str(home / "ansible-remote"),
        "ANSIBLE_LOG_PATH": str(home / "ansible.log"),
        "ANSIBLE_KEEP_REMOTE_FILES": "1" if keep_remote_files else "0",
    }, home


VARIANTS = ["awx-variable", "module-option", "wrong-secret"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_secret_never_shows(emulator, tmp_path, variant, suite):
    lib.fresh(emulator, "acr")
    real_secret = emulator.env["AZURE_SECRET"]
    # Kept module payloads hold their arguments: only the variant whose secret is not an argument keeps them.
    env, home = isolated_env(tmp_path, keep_remote_files=variant == "awx-variable")
    argv = lib.acr_playbook_args(emulator, "-vvv")
    drop = []
    if variant == "module-option":
        book = tmp_path / "with_defaults.yml"
        book.write_text(DEFAULTS_PLAYBOOK)
        argv = ["ansible-playbook", "-vvv", "-i", lib.DEMO_INVENTORY, str(book), "-e", f"@{lib.ACR_VARS}"]
        env["PRIVNET_TEST_SECRET"] = real_secret
        drop = ["AZURE_SECRET"]
        secret = real_secret
    elif variant == "wrong-secret":
        secret = "wrong-" + random_secrets.token_urlsafe(24)
        env["AZURE_SECRET"] = secret
    else:
        secret = real_secret
    run = lib.run(emulator, argv, env=env, cwd=str(tmp_path), drop_env=drop)
    log = emulator.control.log()

    in_output = [stream for stream, text in (("stdout", run.stdout), ("stderr", run.stderr)) if secret in text]
    in_files = files_containing(str(home), secret)
    token_entries = [e for e in log if e["kind"] == "token"]
    token_paths = {e["path"] for e in token_entries}
    in_log = [e for e in log if secret in repr(e)]
    written = [name for dummy, dummy2, names in os.walk(home) for name in names]
    kept_payloads = len([n for n in written if n.startswith("AnsiballZ_")])
    lib.record(suite, "secrets", variant, ok=not (in_output or in_files or in_log) and (run.rc == 0) == (variant != "wrong-secret"),
               rc=run.rc, output_bytes=len(run.stdout) + len(run.stderr), files_scanned=len(written),
               kept_payloads=kept_payloads, token_requests=len(token_entries), log_entries=len(log),
               found_in=in_output + in_files + (["emulator log"] if in_log else []))

    if variant == "wrong-secret":
        assert run.rc != 0 and "AADSTS7000215" in run.stdout, run.describe()
    else:
        assert run.rc == 0, run.describe()
    assert "ESTABLISH LOCAL CONNECTION" in run.stdout, "the run was not at -vvv"
    assert os.path.getsize(home / "ansible.log") > 0, "ansible wrote no log: the scan of written files proves less"
    assert not in_output, f"the secret is in the {in_output} of ansible-playbook -vvv"
    assert not in_files, f"the secret is in files the run wrote: {in_files}"
    assert not in_log, in_log[:3]
    # Credentials went to the token endpoint only: every token entry is POST /<tenant>/oauth2/v2.0/token,
    # and no other entry is of kind token.
    tenant = emulator.env["AZURE_TENANT"]
    assert token_entries
    assert token_paths == {f"/{tenant}/oauth2/v2.0/token"}, token_paths
    assert {e["method"] for e in token_entries} == {"POST"}
    assert not [e for e in log if "token" in e["path"].lower() and e["kind"] != "token"]
    if variant == "awx-variable":
        assert kept_payloads, "no module payload was kept: the scan of written files proves less than it should"


def test_secret_is_masked_in_module_invocation(emulator, tmp_path):
    """At -vvv ansible prints each module's invocation arguments: the secret option must read as masked."""
    lib.fresh(emulator, "acr")
    secret = emulator.env["AZURE_SECRET"]
    run = lib.run(emulator, ["ansible", "-vvv", "localhost", "-i", "localhost,", "-c", "local", "-m",
                             "privnet.azure.private_endpoint_info", "-a", f"secret={secret} resource_group=rg-network"],
                  cwd=str(tmp_path))
    assert run.rc == 0, run.describe()
    assert secret not in run.stdout + run.stderr
    assert re.search(r'"secret": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"', run.stdout), run.describe()
