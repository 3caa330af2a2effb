# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the filter plugins import on the controller.

ansible-core resolves a collection's filter (privnet.azure.x) by importing every file of plugins/filter/, in each
worker process that templates one, i.e. per task and host. A filter that pulled in an Azure SDK or the module-side
AnsibleModule through a module_utils import cost every such task about 0.3 CPU-s (bench/README.md, issue 17).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import ansible_collections.privnet.azure.plugins.filter.shared_leaders as a_filter

FILTER_DIR = os.path.dirname(a_filter.__file__)
FILTERS = sorted(name[:-3] for name in os.listdir(FILTER_DIR) if name.endswith(".py") and name != "__init__.py")

# Imports a filter file may not bring in: Azure SDKs and their HTTP stack, and the module side of ansible-core.
FORBIDDEN = ("azure", "requests", "urllib3", "msal", "ansible.module_utils.basic")

PROBE = """
import json, sys
import ansible.errors  # what a worker has loaded already
before = set(sys.modules)
for name in sys.argv[1:]:
    __import__("ansible_collections.privnet.azure.plugins.filter." + name)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_the_probe_sees_every_filter_file():
    assert "members_to_records" in FILTERS and "shared_leaders" in FILTERS and len(FILTERS) >= 14


def test_filter_files_import_no_sdk():
    # A fresh interpreter: this test session has the SDKs loaded already.
    out = subprocess.run([sys.executable, "-c", PROBE, *FILTERS], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    loaded = json.loads(out.stdout)
    assert "ansible_collections.privnet.azure.plugins.filter.forwarding_rule_problems" in loaded
    heavy = [m for m in loaded if m.split(".")[0] in FORBIDDEN or m in FORBIDDEN]
    assert heavy == [], f"filter plugins import {heavy[:10]}: keep SDK imports out of the module_utils they use"
