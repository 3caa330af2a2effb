# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test doubles for Azure: ARM errors as azure-core raises them, an LRO poller, AzureModule.arm() over a handler."""

from __future__ import annotations

import copy
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


class FakeHttpResponse:
    """What ArmResources.send() returns, as far as the modules read it (status, headers, text)."""

    def __init__(self, body=None, status_code=200, headers=None):
        self.status_code = status_code
        self.headers = dict(headers or {})
        self._text = "" if body is None else json.dumps(body)

    def text(self, encoding=None):
        return self._text


class FakeArmResources:
    """AzureModule.arm() stand-in: _arm.ArmResources' interface over ``handler(method, resource_id, body, headers)``,
    which answers with Azure's JSON (None for a write without an answer; a write may answer a FakePoller, to see
    whether it was waited for) or raises an azure-core error as ARM would (``not_found()`` for a missing resource,
    ``arm_error(...)`` for the rest). AzureModule's own absence rules,
    retries, waits and failures wrap every call, as they wrap the real ArmResources. ``method`` is GET, LIST (a
    collection, answered with the list of its items), PUT, PATCH or DELETE. Every call is recorded in ``calls`` as
    (method, resource_id, api_version)."""

    def __init__(self, module, handler, subscription_id=None, tenant_id=None, calls=None):
        self.module = module
        self.handler = handler
        self.subscription_id = subscription_id or module.subscription_id
        self.tenant_id = tenant_id
        self.calls = calls if calls is not None else []

    def _answer(self, method, resource_id, api_version, body=None, headers=None):
        self.calls.append((method, resource_id, api_version))
        return self.handler(method, resource_id, copy.deepcopy(body), dict(headers or {}))

    def get(self, resource_id, api_version, what):
        return self.module.get_or_none(lambda: self._answer("GET", resource_id, api_version), what=what)

    def read(self, resource_id, api_version, what):
        return self.module.call(lambda: self._answer("GET", resource_id, api_version), what=what)

    def read_all(self, collection_id, api_version):
        return self._answer("LIST", collection_id, api_version)

    def list(self, collection_id, api_version, what):
        return self.module.call(lambda: self.read_all(collection_id, api_version), what=what)

    def list_or_none(self, collection_id, api_version, what):
        return self.module.get_or_none(lambda: self.read_all(collection_id, api_version), what=what)

    def _operation(self, method, resource_id, api_version, body=None):
        answer = self._answer(method, resource_id, api_version, body)
        return answer if isinstance(answer, FakePoller) else FakePoller(result=answer)

    def put(self, resource_id, api_version, body, what, must_wait=False):
        return self.module.begin(lambda: self._operation("PUT", resource_id, api_version, body), what=what,
                                 must_wait=must_wait)

    def patch(self, resource_id, api_version, body, what, must_wait=False):
        return self.module.begin(lambda: self._operation("PATCH", resource_id, api_version, body), what=what,
                                 must_wait=must_wait)

    def delete(self, resource_id, api_version, what, must_wait=False):
        self.module.begin(lambda: self._operation("DELETE", resource_id, api_version), what=what, must_wait=must_wait)

    def send(self, method, path, api_version=None, body=None, headers=None):
        return FakeHttpResponse(self._answer(method, path, api_version, body, headers))


def install_arm(monkeypatch, handler, calls=None):
    """Make AzureModule.arm() answer through ``handler`` (see FakeArmResources); returns the list of calls."""
    from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule

    calls = calls if calls is not None else []

    def arm(self, subscription_id=None, tenant_id=None):
        return FakeArmResources(self, handler, subscription_id, tenant_id, calls)

    monkeypatch.setattr(AzureModule, "arm", arm)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    return calls


def split_id(resource_id):
    """(subscription, resource group, [(type, name), ...] after the provider) of an ARM id, names as given."""
    parts = resource_id.strip("/").split("/")
    subscription = parts[1]
    group = parts[3] if len(parts) > 3 and parts[2].lower() == "resourcegroups" else None
    rest = parts[parts.index("providers") + 2:] if "providers" in parts else []
    pairs = [(rest[i], rest[i + 1] if i + 1 < len(rest) else None) for i in range(0, len(rest), 2)]
    return subscription, group, pairs
