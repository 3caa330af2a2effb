# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""pytest plugin for the unit step of `make matrix-*` (loaded with -p pytest_matrix).

The module tests of tests/unit fake Azure with the dev pins' SDK models (TypeSpec models built from
ARM's JSON: ``models.Registry({...})``), which the older SDKs of the matrix do not have. A test file
that imports the models (or internals) of an SDK whose installed version has msrest-style models is
skipped as a whole, with the reason; the compat shims are unit-tested with msrest-style models in
tests/unit/plugins/module_utils/test_sdkcompat.py, which runs everywhere, and every module runs
against the real SDK in the integration step.

Tests of behaviour that ansible-core 2.16 to 2.18 do not have are marked xfail (strict) there.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Mapping

import pytest

_SDK_IMPORT = re.compile(r"^\s*from (azure\.mgmt\.[a-z]+)(?:\.[\w.]+)? import ", re.MULTILINE)

# ansible-core < 2.19 type-checks a null option itself (before the module sees it): `name: null`
# is refused with ansible's own message ("argument 'name' is of type NoneType ..."), and an option
# with a default given as null is refused instead of taking the default.
# Each: (reason, strict); not strict where only the null cases of a parametrized test differ.
OLD_ANSIBLE_CORE_XFAIL = {
    "test_azure.py::test_null_and_empty_values_are_refused_naming_the_option":
        ("ansible-core < 2.19 refuses a null option itself, with its own message", False),
    "test_azure.py::test_null_takes_the_default_and_allow_empty_lets_an_option_be_blank":
        ("ansible-core < 2.19 refuses a null option that has a default instead of applying the default", True),
    "test_private_endpoint_connection.py::test_bad_input_fails_before_any_request":
        ("ansible-core < 2.19 refuses a null option itself, with its own message", False),
    "test_storage_account_network.py::test_bad_input_fails_naming_the_field_before_any_call":
        ("ansible-core < 2.19 refuses a null option itself, with its own message", False),
    "test_sql_server_network.py::test_bad_input_fails_before_any_call":
        ("ansible-core < 2.19 refuses a null option itself, with its own message", False),
    "test_private_link_service.py::test_bad_input_fails_before_any_request":
        ("ansible-core < 2.19 refuses a null option itself, with its own message", False),
    "test_dns_forwarding_ruleset.py::test_bad_rules_fail_before_any_write":
        ("ansible-core < 2.19 refuses a null option itself, with its own message", False),
    "test_dns_resolver.py::test_bad_input_fails_before_any_write":
        ("ansible-core < 2.19 refuses a null option itself, with its own message", False),
    "test_private_link_check.py::test_bad_dns_options_fail_naming_the_field_before_calling_azure":
        ("ansible-core < 2.19 refuses a null option itself, with its own message", False),
    "test_virtual_network_dns_servers.py::test_bad_input_fails_before_any_write":
        ("ansible-core < 2.19 refuses a null option itself, with its own message", False),
}


# One model of each SDK the unit tests fake, to tell its generation.
PROBE_MODELS = {
    "azure.mgmt.network": "VirtualNetwork",
    "azure.mgmt.privatedns": "RecordSet",
    "azure.mgmt.containerregistry": "Registry",
}


def _msrest_sdk(package):
    """True when the installed ``package`` has msrest-style (not TypeSpec, not Mapping) models."""
    if package not in PROBE_MODELS:
        return False
    try:
        model = getattr(importlib.import_module(f"{package}.models"), PROBE_MODELS[package])
    except (ImportError, AttributeError):
        return False
    return not issubclass(model, Mapping)


def _old_sdks_of(path):
    try:
        source = open(path, encoding="utf-8").read()  # pylint: disable=consider-using-with
    except OSError:
        return []
    return sorted({package for package in _SDK_IMPORT.findall(source) if _msrest_sdk(package)})


_TEST_IMPORT = re.compile(r"^from ansible_collections\.privnet\.azure\.(tests\.unit\.[\w.]+) import", re.MULTILINE)


def _imports_old_internals(path, seen=()):
    """Whether the test file (or a test module it imports) imports TypeSpec-only internals
    (azure.mgmt.network._utils) of an SDK installed in an msrest-style version."""
    try:
        source = path.read_text(encoding="utf-8")
    except OSError:
        return False
    if any(f"{package}._utils" in source for package in _old_sdks_of(path)):
        return True
    root = path
    while root.name != "tests" and root != root.parent:
        root = root.parent
    for module in _TEST_IMPORT.findall(source):
        other = root.parent.joinpath(*module.split(".")).with_suffix(".py")
        if other not in seen and _imports_old_internals(other, seen + (path,)):
            return True
    return False


def _old_sdks_with_helpers(path, seen=()):
    """_old_sdks_of the test file and of the test helper modules it imports (e.g. a shared fakes module)."""
    old = set(_old_sdks_of(path))
    try:
        source = open(path, encoding="utf-8").read()  # pylint: disable=consider-using-with
    except OSError:
        return sorted(old)
    root = os.path.dirname(os.path.abspath(path))
    while os.path.basename(root) != "tests" and root != os.path.dirname(root):
        root = os.path.dirname(root)
    for module in _TEST_IMPORT.findall(source):
        other = os.path.join(os.path.dirname(root), *module.split(".")) + ".py"
        if other not in seen:
            old |= set(_old_sdks_with_helpers(other, seen + (path,)))
    return sorted(old)


def pytest_ignore_collect(collection_path, config):  # pylint: disable=unused-argument
    """Files that import TypeSpec-only internals cannot even be imported: not collected."""
    if collection_path.suffix == ".py" and collection_path.name.startswith("test_"):
        if _imports_old_internals(collection_path):
            return True
    return None


def pytest_collection_modifyitems(config, items):  # pylint: disable=unused-argument
    from ansible.release import __version__ as ansible_version
    old_core = tuple(int(x) for x in ansible_version.split(".")[:2]) < (2, 19)
    for item in items:
        old = _old_sdks_with_helpers(str(item.path))
        if old:
            item.add_marker(pytest.mark.skip(reason=f"fakes built from TypeSpec models; installed {', '.join(old)} "
                                                    "has msrest-style models (the integration step covers it)"))
            continue
        if old_core:
            key = f"{item.path.name}::{item.originalname}"
            if key in OLD_ANSIBLE_CORE_XFAIL:
                reason, strict = OLD_ANSIBLE_CORE_XFAIL[key]
                item.add_marker(pytest.mark.xfail(reason=reason, strict=strict))


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # pylint: disable=unused-argument
    """The versions this run tested, at the end of its output."""
    from importlib.metadata import PackageNotFoundError, version
    out = []
    for name in ("ansible-core", "azure-core", "azure-identity", "azure-mgmt-core", "azure-mgmt-network",
                 "azure-mgmt-privatedns", "azure-mgmt-containerregistry", "azure-mgmt-resource", "dnspython"):
        try:
            out.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            out.append(f"{name} (not installed)")
    terminalreporter.write_line("matrix: " + " ".join(out))
