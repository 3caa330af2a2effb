# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The real azure-identity classes, wired by build_credential, against a local sign-in endpoint
of a private cloud: the authority, the CA bundle and instance discovery must all be right."""

from __future__ import annotations

import http.server
import json

import pytest

from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError

from ansible_collections.privnet.azure.plugins.module_utils._auth import build_credential
from ansible_collections.privnet.azure.plugins.module_utils._cloud import cloud_from_metadata
from ansible_collections.privnet.azure.tests.unit.helpers import TLSServer


def authority_handler(seen):
    class Handler(http.server.BaseHTTPRequestHandler):
        def _send(self, body):
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # pylint: disable=invalid-name
            seen.append(("GET", self.path, None))
            base = f"https://127.0.0.1:{self.server.server_address[1]}/tenant-1"
            self._send({"authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                        "token_endpoint": f"{base}/oauth2/v2.0/token", "issuer": f"{base}/v2.0"})

        def do_POST(self):  # pylint: disable=invalid-name
            seen.append(("POST", self.path, self.rfile.read(int(self.headers["Content-Length"])).decode()))
            self._send({"access_token": "token-from-stub", "expires_in": 3600, "token_type": "Bearer"})

        def log_message(self, *args):  # pylint: disable=arguments-differ
            pass

    return Handler


@pytest.fixture
def authority(tmp_path, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("AZURE_AUTHORITY_HOST", raising=False)
    seen = []
    with TLSServer(tmp_path, authority_handler(seen)) as server:
        cloud = cloud_from_metadata(f"{server.url}/metadata/endpoints", [{
            "resourceManager": f"{server.url}/",
            "authentication": {"loginEndpoint": f"{server.url}/",
                               "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"]},
        }])
        yield cloud, server.ca_pem, seen


PARAMS = {"auth_source": "auto", "client_id": "app-1", "tenant": "tenant-1", "secret": "s3cret"}


def test_client_secret_against_a_private_authority(authority):
    cloud, ca_pem, seen = authority
    credential, _origin = build_credential(PARAMS, cloud, ca_pem, environ={})
    assert credential.get_token(*cloud.credential_scopes).token == "token-from-stub"
    assert [(method, path) for method, path, _body in seen] == [
        ("GET", "/tenant-1/v2.0/.well-known/openid-configuration"),  # no instance discovery elsewhere
        ("POST", "/tenant-1/oauth2/v2.0/token"),
    ]
    assert "scope=https%3A%2F%2Fmanagement.core.windows.net%2F%2F.default" in seen[1][2]


def test_the_authority_certificate_is_verified(authority):
    cloud, _ca_pem, seen = authority
    credential, _origin = build_credential(PARAMS, cloud, True, environ={})
    with pytest.raises((ClientAuthenticationError, ServiceRequestError)):
        credential.get_token(*cloud.credential_scopes)
    assert seen == []
