"""The HTTPS server: Entra ID stand-in, cloud metadata, ARM and the /_emulator/ control API."""

import http.server
import ipaddress
import json
import math
import os
import secrets
import socket
import ssl
import threading
import time
import uuid
from urllib.parse import parse_qsl, urlsplit

import yaml

from . import DEFAULT_TENANT, metadata, tenants
from .arm import Engine, Request, Response
from .contract import strict_default as contract_strict_default
from .contract.versions import PROFILES as CONTRACT_PROFILES
from .errors import ArmError, bad_request, resource_group_not_found
from .faults import Faults, failed_lro_error, immediate_error
from .identity import Identity
from .store import Store
from .throttle import Throttle
from .tls import ensure_certificates

OPERATION_SEGMENTS = {"operationstatuses", "privatednsoperationstatuses", "privatednsoperationresults",
                      "dnsresolveroperationstatuses", "dnsresolveroperationresults"}   # providers/dnsresolver.py
READ_ONLY_ACTIONS = {"checknameavailability", "listcredentials", "listusages", "listbuildsourceuploadurl"}
CONTROL_PREFIX = "/_emulator/"


class Emulator:
    """Everything one emulator instance holds; `start()` serves it on 127.0.0.1."""

    def __init__(self, data_dir, port=0, latency="instant", time_scale=1.0, host="127.0.0.1", cloud="AzureCloud",
                 api_profile=None, strict=None, throttling=False):
        from .clouds import get as get_cloud
        self.cloud = get_cloud(cloud)   # the cloud it poses as: names, suffixes, metadata (clouds.py)
        self.data_dir = os.path.abspath(data_dir)
        os.makedirs(self.data_dir, exist_ok=True)
        self.host = host
        self.requested_port = port
        self.config = {"latency": latency, "time_scale": float(time_scale), "page_size": 100,
                       "busy_response": "conflict", "legacy_pe_policy_check": False,
                       # the published contract (contract/__init__.py): an API profile, strict body validation
                       "api_profile": api_profile or "", "strict_contract": contract_strict_default() if strict is None
                       else bool(strict),
                       # ARM request throttling, token buckets (throttle.py); off unless asked for
                       "throttling": bool(throttling)}
        if self.config["api_profile"] and self.config["api_profile"] not in CONTRACT_PROFILES:
            raise ValueError(f"unknown API profile {api_profile!r} (known: {', '.join(sorted(CONTRACT_PROFILES))})")
        self.store = Store()
        self.faults = Faults()
        self.throttle = Throttle(self.cloud.home_region)
        self.log = []
        self.log_lock = threading.Lock()
        self.seq = 0
        creds = self._credentials()
        self.identity = Identity(self, DEFAULT_TENANT, creds["client_id"], creds["client_secret"],
                                 creds.get("user_password"))
        self.engine = Engine(self)
        from .providers import register_all
        register_all(self.engine)
        from .dnsserver import DnsService
        self.dns = DnsService(self)
        self.httpd = None
        self.thread = None

    # ---- configuration ---------------------------------------------------------
    def _credentials(self):
        path = os.path.join(self.data_dir, "identity.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                creds = json.load(f)
            if "user_password" in creds:
                return creds
        else:
            creds = {"client_id": str(uuid.uuid4()), "client_secret": secrets.token_urlsafe(30)}
        creds["user_password"] = secrets.token_urlsafe(18)   # the default user's (identity.py)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(creds, f)
        return creds

    def scaled(self, seconds):
        if self.config["latency"] == "instant":
            return 0.0
        return seconds * self.config["time_scale"]

    def retry_after_headers(self, seconds):
        """Retry-After for an operation, scaled; none in instant mode (operations end on the first poll).

        The SDKs parse a write's Retry-After as an integer, so a scaled delay that is not a whole
        number of seconds goes in `retry-after-ms`, which azure-core honours just the same."""
        if self.config["latency"] == "instant":
            return {}
        return self.scaled_retry_after(seconds)

    def scaled_retry_after(self, seconds):
        value = seconds * (self.config["time_scale"] if self.config["latency"] != "instant" else 0)
        if value >= 1 and value == int(value):
            return {"Retry-After": str(int(value))}
        return {"retry-after-ms": str(max(1, round(value * 1000)))}

    @property
    def url(self):
        return f"https://{self.host}:{self.port}"

    # ---- lifecycle ----------------------------------------------------------------
    def start(self):
        ca, cert, key = ensure_certificates(self.data_dir, self.host)
        self.ca_path = ca
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(cert, key)
        self.httpd = _Server((self.host, self.requested_port), _Handler)
        self.httpd.emulator = self
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True, do_handshake_on_connect=False)
        self.port = self.httpd.server_address[1]
        # A short poll interval makes stop() (and so every test session's teardown) quick.
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       name="privnet-emulator", daemon=True)
        self.thread.start()
        self.write_env()
        return self

    def stop(self):
        self.dns.stop()
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()

    def env(self):
        from . import DEFAULT_SUBSCRIPTION
        return {
            "AZURE_SUBSCRIPTION_ID": DEFAULT_SUBSCRIPTION,
            "AZURE_CLIENT_ID": self.identity.client_id,
            "AZURE_SECRET": self.identity.client_secret,
            "AZURE_TENANT": self.identity.tenant,
            "AZURE_CLIENT_SECRET": self.identity.client_secret,
            "AZURE_TENANT_ID": self.identity.tenant,
            "AZURE_AUTHORITY_HOST": self.url,
            "AZURE_CLOUD_ENVIRONMENT": f"{self.url}/metadata/endpoints?api-version=2022-09-01",
            "REQUESTS_CA_BUNDLE": self.ca_path,
            "PRIVNET_EMULATOR_URL": self.url,
            # the second tenant and its subscription of the cross_tenant scenario (tenants.py)
            "PRIVNET_EMULATOR_TENANT_2": tenants.TENANT_2,
            "PRIVNET_EMULATOR_SUBSCRIPTION_2": tenants.SUBSCRIPTION_2,
            # the default user of the default tenant, for a user sign-in (AZURE_AD_USER / AZURE_PASSWORD; identity.py)
            "PRIVNET_EMULATOR_USER": self.identity.default_user()["upn"],
            "PRIVNET_EMULATOR_USER_PASSWORD": self.identity.user_password,
        }

    def write_env(self):
        path = os.path.join(self.data_dir, "env")
        tmp = path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for key, value in self.env().items():
                f.write(f"export {key}='{value}'\n")
        os.replace(tmp, path)

    # ---- request log ------------------------------------------------------------------
    def record(self, entry):
        with self.log_lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.log.append(entry)
            if len(self.log) > 200000:
                del self.log[:100000]

    # ---- dispatch -------------------------------------------------------------------------
    def dispatch(self, req):
        """Return (Response, log kind, fault kind or None)."""
        path = req.path
        segs = [s for s in path.split("/") if s]
        low = [s.lower() for s in segs]
        if path.startswith(CONTROL_PREFIX):
            return self.control(req, low[1:]), "control", None
        if low[:2] == ["metadata", "endpoints"]:
            return Response(200, metadata.endpoints(req.base_url, req.query.get("api-version"), self.cloud)), "metadata", None
        if low[:2] == ["common", "userrealm"] and len(segs) == 3:   # MSAL's user realm discovery (identity.py)
            return Response(200, self.identity.user_realm(req.base_url, segs[2])), "identity", None
        if low[:1] == ["common"] and low[-2:] == ["discovery", "instance"]:
            return Response(200, self.identity.instance_discovery(req.base_url, req.query)), "identity", None
        if len(segs) == 4 and low[1:] == ["oauth2", "v2.0", "token"]:
            return self.token(req, segs[0])
        if len(segs) == 4 and low[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            return Response(200, self.identity.openid_configuration(req.base_url, segs[0])), "identity", None
        if len(segs) == 4 and low[1:] == ["discovery", "v2.0", "keys"]:
            return Response(200, {"keys": []}), "identity", None
        if low[:1] in (["subscriptions"], ["tenants"], ["providers"]):
            return self.arm(req, segs, low)
        return Response(404, {"error": {"code": "NotFound", "message": f"No route for {path}."}}), "other", None

    def token(self, req, tenant):
        taken = self.faults.take("token", req.method, req.path)
        if taken:
            return (Response(503, {"error": "temporarily_unavailable",
                                   "error_description": "AADSTS90033: A transient error has occurred. "
                                                        "Please try again.",
                                   "error_codes": [90033]}, {"Retry-After": str(taken[1]["retry_after"])}),
                    "token", taken[0])
        if req.method != "POST":
            return Response(405, {"error": "invalid_request"}), "token", None
        status, body = self.identity.token(req.base_url, tenant, req.raw_body)
        return Response(status, body), "token", None

    def arm(self, req, segs, low):
        fault_kind = None
        limits = {}   # throttle.py (when on): the x-ms-ratelimit-remaining-* headers every answer carries
        try:
            claims = self.identity.authenticate(req.headers.get("authorization"))
            req.claims = claims   # tenants.py: linked-access checks read the token's tenant
            tenants.check_subscription_tenant(self, claims, low, req.base_url)
            if self.config["throttling"]:
                limits = self.throttle.admit(req.method, low, segs, claims)
            if not req.api_version:
                raise bad_request("MissingApiVersionParameter",
                                  "The api-version query parameter (?api-version=) is required for all requests.")
            taken = self.faults.take("arm", req.method, req.path)
            if taken:
                fault_kind, params = taken
                if fault_kind == "drop":
                    return None, "arm", fault_kind
                if fault_kind == "failed_lro":
                    req.fault = failed_lro_error(params)
                else:
                    raise immediate_error(fault_kind, params, req.method, req.path,
                                          claims.get("oid") or claims.get("appid") or claims.get("sub") or "unknown")
            with self.store.lock:
                finished = self.store.tick()
                resp = self.route_arm(req, segs, low)
                if finished or req.method in ("PUT", "PATCH", "DELETE", "POST"):
                    self.dns.sync()
            if limits:
                resp.headers = {**resp.headers, **limits}
            return resp, "arm", fault_kind
        except ArmError as err:
            headers = dict(limits, **err.headers)
            if err.status == 401:
                headers["WWW-Authenticate"] = (
                    f'Bearer authorization_uri="{req.base_url}/{tenants.authority_tenant(self, low)}", '
                    'error="invalid_token", '
                    f'error_description="{err.message}"')
            resp = Response(err.status, err.body(), headers)
            resp.throttled = getattr(err, "throttled", False)   # a 429 of throttle.py, counted in the log summary
            return resp, "arm", fault_kind

    def route_arm(self, req, segs, low):
        store = self.store
        if low == ["tenants"]:
            return Response(200, {"value": [{"id": f"/tenants/{store.tenant}", "tenantId": store.tenant,
                                             "tenantCategory": "Home", "displayName": "privnet emulator",
                                             "defaultDomain": "privnet.example"}]})
        if low == ["subscriptions"]:
            return Response(200, {"value": [self.subscription_body(s)
                                             for s in tenants.visible_subscriptions(self, req.claims)]})
        if low[0] != "subscriptions":
            return Response(200, {"value": []})
        sub = next((s for s in store.subscriptions if s.lower() == low[1]), None)
        if sub is None:
            raise ArmError(404, "SubscriptionNotFound", f"The subscription '{segs[1]}' could not be found.")
        rest, rest_low = segs[2:], low[2:]
        if not rest:
            return Response(200, self.subscription_body(sub))
        from .providers import resources
        if rest_low[0] == "resourcegroups":
            if len(rest) == 1:
                return resources.list_groups(self, req, sub)
            rg = rest[1]
            if len(rest) == 2:
                return resources.resource_group(self, req, sub, rg)
            if rest_low[2] == "resources" and len(rest) == 3:
                return resources.list_resources(self, req, sub, rg)
            if rest_low[2] == "providers" and len(rest) >= 5:
                namespace, tail, tail_low = rest[3], rest[4:], rest_low[4:]
                if len(tail) >= 2 and tail_low[-2] in OPERATION_SEGMENTS:
                    kind = "result" if tail_low[-2].endswith("results") else "status"
                    return self.engine.poll(req, tail[-1], kind)
                # SQL's operation URLs: {rg}/providers/Microsoft.Sql/locations/{loc}/{prefix}AzureAsyncOperation/{id}
                # and .../{prefix}OperationResults/{id} (azure-cli sql test_sql_firewall_mgmt.yaml; arm.py SQL).
                if len(tail) == 4 and tail_low[0] == "locations" and req.method == "GET" and (
                        tail_low[2].endswith("azureasyncoperation") or tail_low[2].endswith("operationresults")):
                    kind = "result" if tail_low[2].endswith("operationresults") else "status"
                    return self.engine.poll(req, tail[-1], kind)
                resources.require_registered(self, sub, namespace, req)
                if len(tail) == 3 and tail_low[0] == "locations":
                    action = self.engine.location_actions.get((namespace.lower(), tail_low[2], req.method))
                    if action:
                        if self.store.get_rg(sub, rg) is None:
                            raise resource_group_not_found(rg)
                        return action(req, sub, rg, tail[1])
                if req.method == "POST" and len(tail) % 2 == 1:
                    return self.engine.handle_action(req, sub, rg, namespace, tail)
                return self.engine.handle(req, sub, rg, namespace, tail)
            raise ArmError(404, "NotFound", f"No route for {req.path}.")
        if rest_low[0] == "resources" and len(rest) == 1 and req.method == "GET":
            # Resources_List (resources.json 2021-04-01): every resource of the subscription, generic shape.
            from . import generic
            return generic.list_resources(self, req, sub)
        if rest_low[0] == "operationresults" and len(rest) == 2:
            return resources.poll_group_delete(self, req, rest[1])
        if rest_low[0] == "providers":
            return resources.subscription_providers(self, req, sub, rest[1:], rest_low[1:])
        raise ArmError(404, "NotFound", f"No route for {req.path}.")

    def subscription_body(self, sub):
        return {"id": f"/subscriptions/{sub}", "authorizationSource": "RoleBased", "managedByTenants": [],
                "subscriptionId": sub, "tenantId": self.store.tenant_of(sub),
                "displayName": self.store.subscriptions[sub], "state": "Enabled",
                "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01",
                                         "spendingLimit": "Off"}}

    # ---- control API ---------------------------------------------------------------------
    def control(self, req, parts):
        from .control import handle
        return handle(self, req, parts)


def _is_loopback(ip):
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # A client that goes away mid-handshake or mid-request is routine (retries, drops).
        pass


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server_version = "privnet-emulator"
    sys_version = ""

    def log_message(self, fmt, *args):  # the request log lives in the control API
        pass

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (ssl.SSLError, ConnectionError, socket.timeout):
            self.close_connection = True

    def _serve(self):
        emu = self.server.emulator
        started = time.monotonic()
        split = urlsplit(self.path)
        query = {k.lower(): v for k, v in parse_qsl(split.query, keep_blank_values=True)}
        headers = {k.lower(): v for k, v in self.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = None
        if raw and "json" in headers.get("content-type", "application/json"):
            try:
                body = json.loads(raw)
            except ValueError:
                body = ValueError
        host = headers.get("host") or f"{emu.host}:{emu.port}"
        req = Request(self.command, split.path, query, headers, body, f"https://{host}", self.client_address[0])
        req.raw_body = raw
        if split.path.startswith(CONTROL_PREFIX) and not _is_loopback(self.client_address[0]):
            resp, kind, fault = Response(403, {"error": {"code": "Forbidden", "message": "loopback only"}}), "control", None
        elif body is ValueError and not split.path.startswith(CONTROL_PREFIX):
            resp, kind, fault = Response(400, {"error": {"code": "InvalidRequestContent",
                                                         "message": "The request content was invalid and could not be deserialized."}}), "arm", None
        else:
            resp, kind, fault = emu.dispatch(req)
        if kind != "control":
            segs = [s.lower() for s in split.path.split("/") if s]
            action = segs[-1] if segs else ""
            write = self.command in ("PUT", "PATCH", "DELETE") or (
                self.command == "POST" and kind == "arm" and action not in READ_ONLY_ACTIONS)
            emu.record({"time": time.time(), "method": self.command, "path": split.path, "query": split.query,
                        "api_version": query.get("api-version"), "status": resp.status if resp else 0,
                        "kind": kind, "write": bool(write and kind == "arm"),
                        "fault": fault, "throttled": bool(getattr(resp, "throttled", False)),
                        "duration_ms": round((time.monotonic() - started) * 1000, 2),
                        "client_request_id": headers.get("x-ms-client-request-id")})
        if resp is None:  # a dropped connection, by request of a fault
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._send(resp, headers)

    def _send(self, resp, req_headers):
        if resp.body is None:
            payload = b""
        elif isinstance(resp.body, (bytes, str)):
            payload = resp.body.encode() if isinstance(resp.body, str) else resp.body
        else:
            payload = json.dumps(resp.body).encode()
        self.send_response(resp.status)
        if resp.body is not None:
            self.send_header("Content-Type", resp.headers.pop("Content-Type", "application/json; charset=utf-8"))
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        self.send_header("X-Content-Type-Options", "nosniff")
        request_id = str(uuid.uuid4())
        self.send_header("x-ms-request-id", request_id)
        self.send_header("x-ms-correlation-request-id", request_id)
        if "x-ms-client-request-id" in req_headers:
            self.send_header("x-ms-client-request-id", req_headers["x-ms-client-request-id"])
        for key, value in resp.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = _serve


def load_scenario_text(emulator, text):
    from .scenarios import load
    return load(emulator, yaml.safe_load(text))
