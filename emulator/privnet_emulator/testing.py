"""Helpers for tests and tooling: run an emulator in-process or as a subprocess, and talk to its control API."""

import json
import os
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

from .server import Emulator


def read_env(data_dir):
    env = {}
    with open(os.path.join(data_dir, "env"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("export "):
                key, _, value = line[len("export "):].partition("=")
                env[key] = value.strip("'")
    return env


class Control:
    """A small client for /_emulator/ (TLS verified against the emulator's own CA)."""

    def __init__(self, url, ca_path):
        self.url = url.rstrip("/")
        self.ctx = ssl.create_default_context(cafile=ca_path)

    def call(self, method, path, body=None, content_type="application/json"):
        data = None if body is None else body.encode() if isinstance(body, str) else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}/_emulator/{path}", data=data, method=method,
                                     headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=30) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as err:
            raise RuntimeError(f"{method} /_emulator/{path}: {err.code} {err.read().decode(errors='replace')}") from None
        return json.loads(raw) if raw else None

    def reset(self):
        return self.call("POST", "reset")

    def scenario(self, name_or_doc):
        return self.call("POST", "scenario", {"name": name_or_doc} if isinstance(name_or_doc, str) else name_or_doc)

    def scenario_yaml(self, text):
        """Load a scenario given as YAML text (the body is sent as is)."""
        return self.call("POST", "scenario", text, content_type="application/yaml")

    def log(self, **filters):
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        return self.call("GET", "log" + (f"?{query}" if query else ""))["requests"]

    def clear_log(self):
        self.call("DELETE", "log")

    def summary(self, since=0):
        return self.call("GET", f"log/summary?since={since}")

    def writes(self, since=0):
        return [e for e in self.log(since=since) if e["write"]]

    def fault(self, **spec):
        return self.call("POST", "faults", spec)

    def clear_faults(self):
        self.call("DELETE", "faults")

    def config(self, **values):
        return self.call("PATCH", "config", values) if values else self.call("GET", "config")

    def advance(self, everything=False):
        """Finish the operation due first (or all of them) without waiting for it."""
        return self.call("POST", "advance", {"all": True} if everything else {})

    def state(self):
        return self.call("GET", "state")

    def dns(self):
        return self.call("GET", "dns")["listeners"]

    def dns_server_listeners(self):
        """[{ip_address, kind (inbound_endpoint | dns_server), id | name, address, port}]: a client using a server."""
        return self.call("GET", "dns")["servers"]

    def dns_server(self, ip_address, zones=None, forwarders=None, virtual_network=None, name=None, port=None):
        """Declare a DNS server at an IP (an on-premises or VM-hosted server; a fixture, not Azure: dnsserver.py)"""
        spec = {"ip_address": ip_address, "zones": zones, "forwarders": forwarders,
                "virtual_network": virtual_network, "name": name, "port": port}
        return self.call("POST", "dns_servers", {k: v for k, v in spec.items() if v is not None})

    def vpn_device(self, ip_address=None, shared_key=None, fqdn=None, address_prefixes=None, bgp=None):
        """Declare an on-premises VPN device (a fixture standing for the device Azure cannot see; providers/vpn.py)."""
        spec = {"ip_address": ip_address, "fqdn": fqdn, "shared_key": shared_key,
                "address_prefixes": address_prefixes or [], "bgp": bgp}
        return self.call("POST", "vpn_devices", {k: v for k, v in spec.items() if v is not None})

    def vpn_devices(self):
        return self.call("GET", "vpn_devices")["devices"]

    def drift(self, resource_id, properties=None, tags=None):
        body = {"id": resource_id, "properties": properties or {}}
        if tags is not None:
            body["tags"] = tags
        return self.call("POST", "drift", body)


class RunningEmulator:
    """An in-process emulator (fast, for pytest) with its env and control client.

    `cloud` is the cloud it poses as: AzureCloud (default), AzureUSGovernment or AzureChinaCloud (clouds.py)."""

    def __init__(self, data_dir, cloud="AzureCloud", **kwargs):
        audit = kwargs.pop("audit", False)   # check every ARM response against the published spec (_audit)
        self.emulator = Emulator(data_dir, cloud=cloud, **kwargs).start()
        self.cloud = self.emulator.cloud
        self.url = self.emulator.url
        self.env = read_env(data_dir)
        self.ca_path = self.env["REQUESTS_CA_BUNDLE"]
        self.control = Control(self.url, self.ca_path)
        self.deviations = []    # (where, what, path): responses that break the spec (contract.audit)
        self.audited = 0        # responses the spec had something to say about
        if audit:
            self._audit()

    def _audit(self):
        from . import contract
        dispatch = self.emulator.dispatch

        def audited_dispatch(req):
            resp, kind, fault = dispatch(req)
            # strict off: the emulator was told to take bodies the spec refuses, and it echoes them
            if kind == "arm" and resp is not None and fault is None and self.emulator.config["strict_contract"]:
                checked, found = contract.audit(req, resp)
                self.audited += checked
                self.deviations += [(where, what, req.path) for where, what in found]
            return resp, kind, fault

        self.emulator.dispatch = audited_dispatch

    def stop(self):
        self.emulator.stop()

    @classmethod
    def on_port_443(cls, data_dir, **kwargs):
        """An emulator on port 443 of a loopback address of its own (127.77.x.y, from the pid), for user sign-ins:
        MSAL's user realm discovery asks https://<authority hostname>/common/userrealm/... without the authority's
        port (msal/authority.py user_realm_discovery; canonicalize keeps the hostname only), so the emulator must
        answer on 443. Raises OSError when the port cannot be bound (not root, or the address is taken)."""
        pid = os.getpid()
        host = f"127.77.{pid // 254 % 256}.{pid % 254 + 1}"
        return cls(data_dir, host=host, port=443, **kwargs)


class EmulatorProcess:
    """The emulator as a subprocess (the way `make demo` and molecule run it)."""

    def __init__(self, data_dir, *args):
        self.data_dir = os.path.abspath(data_dir)
        os.makedirs(self.data_dir, exist_ok=True)
        env_path = os.path.join(self.data_dir, "env")
        if os.path.exists(env_path):
            os.remove(env_path)
        self.proc = subprocess.Popen([sys.executable, "-m", "privnet_emulator", "--data-dir", self.data_dir, *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        while not os.path.exists(env_path):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"emulator did not start: {self.proc.stdout.read()}")
            time.sleep(0.02)
        self.env = read_env(self.data_dir)
        self.url = self.env["PRIVNET_EMULATOR_URL"]
        self.control = Control(self.url, self.env["REQUESTS_CA_BUNDLE"])

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
