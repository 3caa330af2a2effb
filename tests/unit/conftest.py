# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Shared fixtures: run a module's main() and capture what it returns.

The collection must be importable as ansible_collections.privnet.azure: `make unit` puts
.cache/collections (a symlink to the repo root) on PYTHONPATH.
"""

from __future__ import annotations

import json

import pytest

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19 (the oldest supported one is tested by `make matrix-min`)
    import contextlib
    import sys
    import types
    from unittest import mock

    @contextlib.contextmanager
    def patch_module_args(args=None):
        """ansible-core 2.19's ansible.module_utils.testing.patch_module_args, for older cores."""
        with mock.patch.object(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode()):
            yield

    # Test modules import it from where ansible-core 2.19 has it.
    sys.modules["ansible.module_utils.testing"] = types.ModuleType("ansible.module_utils.testing")
    sys.modules["ansible.module_utils.testing"].patch_module_args = patch_module_args


class ModuleExit(Exception):
    """Raised instead of exit_json / fail_json; ``result`` is what the module returned."""

    def __init__(self, result, failed):
        super().__init__(result.get("msg", ""))
        self.result = result
        self.failed = failed


@pytest.fixture
def patched_exit(monkeypatch):
    """Make exit_json / fail_json raise ModuleExit, for tests that drive module_utils directly."""
    def exit_json(self, **kwargs):
        raise ModuleExit(kwargs, False)

    def fail_json(self, msg, **kwargs):
        raise ModuleExit(dict(kwargs, msg=msg), True)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)


@pytest.fixture
def run_module(capsys):
    """run_module(main, args) -> (result, failed): runs a module's main() to its real exit and
    parses the JSON it printed, so no_log masking and JSON-serialisability are exercised too.
    ``args`` may hold _ansible_check_mode, _ansible_diff and the like."""
    def run(main, args):
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                main()
        result = json.loads(capsys.readouterr().out)
        return result, bool(result.get("failed"))

    return run


@pytest.fixture(autouse=True)
def module_warnings_recorded(monkeypatch):
    """Each module run is a process of its own in real life: forget the warnings and deprecations
    that earlier tests' runs left in ansible's process-wide lists, and keep module.warn() recording
    them for the result even after a test imported controller code (a filter plugin's test imports
    ansible.errors, which makes ansible send warnings to the controller's display instead)."""
    from ansible.module_utils.common import warnings as ansible_warnings
    try:
        from ansible.module_utils import _internal as ansible_internal
    except ImportError:  # ansible-core < 2.19 has no controller/module split of warnings
        pass
    else:
        monkeypatch.setattr(ansible_internal, "is_controller", False)
    ansible_warnings._global_warnings.clear()  # pylint: disable=protected-access
    ansible_warnings._global_deprecations.clear()  # pylint: disable=protected-access
    yield


@pytest.fixture(autouse=True)
def no_token_broker(monkeypatch):
    """A unit test is not a controller run: a credential a test builds must not fork a token broker
    daemon of the test process (test_token_broker.py drives the broker itself)."""
    monkeypatch.setenv("PRIVNET_AZURE_TOKEN_BROKER", "off")
