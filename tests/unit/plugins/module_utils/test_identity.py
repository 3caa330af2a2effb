# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_identity: azure-identity is imported only when a credential is first used (a module run whose tokens come from
the token broker never imports it)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from azure.core.exceptions import ClientAuthenticationError

from ansible_collections.privnet.azure.plugins.module_utils import _identity

# The directory holding ansible_collections/, as this test imported it.
COLLECTIONS = os.path.abspath(os.path.join(os.path.dirname(_identity.__file__), *[os.pardir] * 5))


def run_python(code):
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True,
                          check=False)


def test_building_a_credential_does_not_import_azure_identity():
    proc = run_python("""
        import sys
        from ansible_collections.privnet.azure.plugins.module_utils._auth import build_credential
        from ansible_collections.privnet.azure.plugins.module_utils._cloud import resolve_cloud
        params = dict(auth_source="auto", client_id="c", tenant="t", secret="s")
        credential, origin = build_credential(params, resolve_cloud("AzureCloud"), True, environ={})
        print(type(credential).__name__, "azure.identity" in sys.modules)
        credential.built()
        print(type(credential.built()).__name__, "azure.identity" in sys.modules)
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["DeferredCredential", "False", "ClientSecretCredential", "True"]


def test_the_credential_is_built_once_with_the_given_arguments():
    credential = _identity.ClientSecretCredential("tenant-a", "client-a", "secret-a")
    built = credential.built()
    assert credential.built() is built
    assert type(built).__name__ == "ClientSecretCredential"
    assert built._tenant_id == "tenant-a"  # pylint: disable=protected-access


def test_a_credential_that_cannot_be_built_is_an_authentication_error():
    # azure-identity refuses an invalid tenant id when the credential is constructed.
    credential = _identity.ClientSecretCredential("not a tenant!", "client-a", "secret-a")
    with pytest.raises(ClientAuthenticationError, match="cannot set up Azure credentials: .*tenant"):
        credential.get_token("https://management.azure.com/.default")


def test_private_names_are_not_looked_up_in_the_credential():
    credential = _identity.ClientSecretCredential("tenant-a", "client-a", "secret-a")
    with pytest.raises(AttributeError):
        getattr(credential, "_not_there")
    assert credential._credential is None  # pylint: disable=protected-access
