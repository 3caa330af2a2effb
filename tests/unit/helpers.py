# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test doubles for the Azure SDK: ARM errors as the SDK raises them, and an LRO poller."""

from __future__ import annotations

import json

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.core.exceptions import ARMErrorFormat


class FakeResponse:
    """Just enough of an azure-core HTTP response for HttpResponseError to parse an ARM error."""

    def __init__(self, status_code, code, message, details=()):
        self.status_code = status_code
        self.reason = "error"
        self.headers = {}
        self.request = None
        self.content_type = "application/json"
        self._body = json.dumps({"error": {"code": code, "message": message,
                                           "details": [{"code": c, "message": c} for c in details]}})

    def text(self, encoding=None):
        return self._body

    def body(self):
        return self._body.encode()


def arm_error(status_code, code, message="boom", details=(), cls=HttpResponseError):
    """An azure-core exception carrying an ARM error body, as the SDK raises it."""
    return cls(response=FakeResponse(status_code, code, message, details), error_format=ARMErrorFormat)


def warnings_of(result):
    """The warning texts of a module result (ansible-core 2.19 returns each as a structured WarningSummary)."""
    return [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", [])]


def not_found(message="not found"):
    return arm_error(404, "NotFound", message, cls=ResourceNotFoundError)


class FakePoller:
    """An LROPoller stand-in: done after ``polls`` waits, or fails with ``error``."""

    def __init__(self, result=None, error=None, finishes=True):
        self._result = result
        self._error = error
        self._finishes = finishes
        self.waited = []

    def wait(self, timeout=None):
        self.waited.append(timeout)
        if self._error is not None:
            raise self._error

    def done(self):
        return self._finishes

    def result(self, timeout=None):
        if self._error is not None:
            raise self._error
        return self._result


class StaticCredential:
    """A token credential that needs no identity provider (for clients talking to a local stub)."""

    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken
        return AccessToken("unit-test-token", 4102444800)

    def get_token_info(self, *scopes, options=None):
        from azure.core.credentials import AccessTokenInfo
        return AccessTokenInfo("unit-test-token", 4102444800)


def make_tls_files(directory):
    """Write a throw-away CA (ca.pem) and a 127.0.0.1 server certificate+key signed by it
    (server.pem) into ``directory``; return their paths."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    valid = dict(not_valid_before=now - datetime.timedelta(minutes=5), not_valid_after=now + datetime.timedelta(hours=1))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "privnet unit-test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(valid["not_valid_before"]).not_valid_after(valid["not_valid_after"])
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(valid["not_valid_before"]).not_valid_after(valid["not_valid_after"])
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_pem = f"{directory}/ca.pem"
    server_pem = f"{directory}/server.pem"
    with open(ca_pem, "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(server_pem, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return ca_pem, server_pem


class TLSServer:
    """A threaded HTTPS server on 127.0.0.1 (random port) with its own CA; use as a context
    manager. ``handler`` is an http.server.BaseHTTPRequestHandler subclass."""

    def __init__(self, directory, handler):
        import http.server
        import ssl

        self.ca_pem, server_pem = make_tls_files(directory)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(server_pem)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        import threading

        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


SUBNET_ID = ("/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub"
             "/subnets/snet-pe")
_NET = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-net/providers/Microsoft.Network"


def subnet_wire(**properties):
    """A subnet as ARM returns it: every kind of property a PUT must keep, plus read-only ones."""
    props = {
        "addressPrefix": "10.0.1.0/24",
        "networkSecurityGroup": {"id": f"{_NET}/networkSecurityGroups/nsg-pe"},
        "routeTable": {"id": f"{_NET}/routeTables/rt-hub"},
        "natGateway": {"id": f"{_NET}/natGateways/nat-hub"},
        "serviceEndpoints": [{"service": "Microsoft.Storage", "locations": ["westeurope", "northeurope"],
                              "provisioningState": "Succeeded"}],
        "serviceEndpointPolicies": [{"id": f"{_NET}/serviceEndpointPolicies/sep-storage"}],
        "delegations": [{"name": "aci", "id": f"{SUBNET_ID}/delegations/aci",
                         "properties": {"serviceName": "Microsoft.ContainerInstance/containerGroups",
                                        "actions": ["Microsoft.Network/virtualNetworks/subnets/action"],
                                        "provisioningState": "Succeeded"}}],
        "privateEndpointNetworkPolicies": "Enabled",
        "privateLinkServiceNetworkPolicies": "Enabled",
        "defaultOutboundAccess": False,
        "provisioningState": "Succeeded",
        "ipConfigurations": [{"id": f"{_NET}/networkInterfaces/nic-1/ipConfigurations/ipconfig1"}],
    }
    props.update(properties)
    return {"id": SUBNET_ID, "name": "snet-pe", "etag": 'W/"00000000-0000-0000-0000-000000000001"',
            "type": "Microsoft.Network/virtualNetworks/subnets", "properties": props}


def arm_stub_handler(state):
    """Request handler for a tiny ARM stand-in holding one subnet.

    ``state`` is a dict: ``subnet`` (wire JSON or None for 404) and ``requests`` (appended
    (method, path, body) tuples). It also serves cloud metadata, so a module can be pointed at it
    with cloud_environment, exactly as at any private cloud.
    """
    import http.server
    import json as _json

    class Handler(http.server.BaseHTTPRequestHandler):
        def _send(self, status, body):
            data = _json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # pylint: disable=invalid-name
            path = self.path.split("?")[0]
            state["requests"].append(("GET", path, None))
            if path == "/metadata/endpoints":
                base = f"https://127.0.0.1:{self.server.server_address[1]}/"
                return self._send(200, [{"name": "Stub", "resourceManager": base,
                                         "authentication": {"loginEndpoint": base,
                                                            "audiences": ["https://management.core.windows.net/"]}}])
            if path.lower() == SUBNET_ID.lower() and state["subnet"] is not None:
                return self._send(200, state["subnet"])
            code = state.get("not_found_code", "NotFound")
            message = state.get("not_found_message", f"Resource {path} not found.")
            return self._send(404, {"error": {"code": code, "message": message}})

        def do_PUT(self):  # pylint: disable=invalid-name
            path = self.path.split("?")[0]
            body = _json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state["requests"].append(("PUT", path, body))
            stored = dict(body, id=SUBNET_ID, name="snet-pe", type="Microsoft.Network/virtualNetworks/subnets")
            stored["properties"] = dict(body.get("properties", {}), provisioningState="Succeeded")
            state["subnet"] = stored
            return self._send(200, stored)

        def log_message(self, *args):  # pylint: disable=arguments-differ
            pass

    return Handler
