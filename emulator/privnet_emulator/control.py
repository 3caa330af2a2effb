"""The /_emulator/ control API (loopback only, no token).

GET    /_emulator/health                 ready check
GET    /_emulator/log[?kind=&method=&path=&write=&since=]   the request log
GET    /_emulator/log/summary[?since=]   counts: requests, reads, writes, by method, token requests
DELETE /_emulator/log                    clear the log
GET    /_emulator/faults                 the armed faults
POST   /_emulator/faults                 arm a fault: {"kind", "method"?, "path"? (regex), "count"?, "retry_after"?}
                                          or a seeded rate: {"rate", "seed", "kinds"?, "writes_only"?}
DELETE /_emulator/faults                 disarm all
POST   /_emulator/scenario               load a scenario: {"name": "acr"} or a scenario document (YAML or JSON)
GET    /_emulator/state                  dump every resource
POST   /_emulator/reset                  forget every resource, operation, fault and log entry
GET    /_emulator/config, PATCH /_emulator/config   latency, time_scale, page_size, busy_response, token_lifetime,
                                         api_profile, strict_contract (contract/__init__.py), throttling (bool) and
                                         throttle_limits ({"subscription"|"tenant": {"reads"|"writes"|"deletes":
                                         {"bucket", "refill"}}, "global_factor", "defaults": true}, throttle.py)
GET    /_emulator/throttling             the throttle's limits, buckets and counters (admitted, throttled)
GET    /_emulator/dns                    the DNS listeners: {"listeners": [{vnet_id, address, port}] (a VM in a VNet),
                                          "servers": [{ip_address, kind: inbound_endpoint | dns_server, id | name,
                                          address, port}] (a client, e.g. on-premises, using the server at ip_address)}
GET    /_emulator/dns_servers            the declared DNS servers (dnsserver.py)
POST   /_emulator/dns_servers            declare one (a test fixture, not Azure: an on-premises or VM-hosted DNS
                                          server): {"ip_address", "name"?, "port"? (53), "virtual_network"? (the id of
                                          the VNet it runs in: 168.63.129.16 then answers it as Azure DNS for that
                                          VNet), "zones"?: {"corp.example.": [{"name", "type", "ttl"?, "values"}]},
                                          "forwarders"?: [{"domain": "privatelink.azurecr.io." | ".", "targets":
                                          ["10.0.0.4" | "10.0.0.4:53"]}]}; the same ip_address replaces it;
                                          DELETE forgets all, DELETE /_emulator/dns_servers/{ip} one
POST   /_emulator/drift                  change a resource behind the collection's back: {"id", "properties"?: {...}, "tags"?}
GET    /_emulator/vpn_devices            the declared on-premises VPN devices (providers/vpn.py; shared keys left out)
POST   /_emulator/vpn_devices            declare one (a test fixture, not Azure): {"ip_address" | "fqdn", "shared_key",
                                          "address_prefixes"?, "bgp"?: {"asn", "peering_address"}}; DELETE forgets all
POST   /_emulator/advance                finish the pending operation due first ({"all": true}: every one), as if
                                          time had passed; answers {"finished": [ids], "pending": n};
                                          {"seconds": n} instead lets n seconds pass for the throttle's buckets only
"""

import yaml

from .arm import Response
from .errors import ArmError


def _filter_log(emu, query):
    with emu.log_lock:
        entries = list(emu.log)
    since = int(query.get("since", 0) or 0)
    out = []
    for e in entries:
        if e["seq"] <= since:
            continue
        if query.get("kind") and e["kind"] != query["kind"]:
            continue
        if query.get("method") and e["method"] != query["method"].upper():
            continue
        if query.get("path") and query["path"].lower() not in e["path"].lower():
            continue
        if query.get("write") and e["write"] != (query["write"].lower() in ("1", "true", "yes")):
            continue
        out.append(e)
    return out


def summary(entries):
    arm = [e for e in entries if e["kind"] == "arm"]
    by_method = {}
    for e in arm:
        by_method[e["method"]] = by_method.get(e["method"], 0) + 1
    return {"requests": len(arm), "writes": sum(1 for e in arm if e["write"]),
            "reads": sum(1 for e in arm if not e["write"]), "by_method": by_method,
            "token_requests": sum(1 for e in entries if e["kind"] == "token"),
            "throttled": sum(1 for e in arm if e.get("throttled")),   # 429s of throttle.py
            "last_seq": entries[-1]["seq"] if entries else 0}


def handle(emu, req, parts):
    method = req.method
    what = parts[0] if parts else ""
    try:
        if what == "health":
            return Response(200, {"status": "ok", "url": emu.url})
        if what == "log":
            if method == "DELETE":
                with emu.log_lock:
                    emu.log.clear()
                return Response(204)
            entries = _filter_log(emu, req.query)
            if parts[1:] == ["summary"]:
                with emu.log_lock:
                    last = emu.seq
                body = summary(entries)
                body["last_seq"] = last
                return Response(200, body)
            return Response(200, {"requests": entries})
        if what == "faults":
            if method == "DELETE":
                emu.faults.clear()
                return Response(204)
            if method == "POST":
                specs = req.body if isinstance(req.body, list) else [req.body or {}]
                for spec in specs:
                    emu.faults.add(spec)
            return Response(200, emu.faults.describe())
        if what == "scenario" and method == "POST":
            from .scenarios import load, load_named
            doc = req.body
            if doc is None or doc is ValueError:
                doc = yaml.safe_load(req.raw_body.decode())
            with emu.store.lock:
                result = load_named(emu, doc["name"]) if set(doc) == {"name"} else load(emu, doc)
                emu.dns.sync()
            return Response(200, result)
        if what == "state":
            return Response(200, emu.store.snapshot())
        if what == "reset" and method == "POST":
            with emu.store.lock:
                emu.store.reset()
                emu.dns.sync()
            emu.faults.clear()
            emu.throttle.reset()
            with emu.log_lock:
                emu.log.clear()
            return Response(200, {"status": "reset"})
        if what == "config":
            if method in ("PATCH", "POST"):
                for key, value in (req.body or {}).items():
                    if key == "token_lifetime":
                        emu.identity.token_lifetime = int(value)
                    elif key == "throttle_limits":
                        emu.throttle.set_limits(value)
                    elif key == "throttling":
                        if not isinstance(value, bool):
                            raise ValueError("throttling must be true or false")
                        emu.config[key] = value
                    elif key in emu.config:
                        emu.config[key] = type(emu.config[key])(value)
                    else:
                        raise ValueError(f"unknown config key {key}")
            return Response(200, dict(emu.config, token_lifetime=emu.identity.token_lifetime,
                                      throttle_limits=emu.throttle.limits))
        if what == "throttling":
            return Response(200, emu.throttle.describe())
        if what == "dns":
            with emu.store.lock:
                emu.store.tick()
                emu.dns.sync()
            return Response(200, {"listeners": emu.dns.listeners(), "servers": emu.dns.servers()})
        if what == "dns_servers":
            from . import dnsserver
            with emu.store.lock:
                if method == "POST":
                    server = dnsserver.declare_server(emu, req.body or {})
                    emu.dns.sync()
                    return Response(200, server)
                if method == "DELETE":
                    if parts[1:]:
                        dnsserver.dns_servers(emu).pop(parts[1], None)
                    else:
                        dnsserver.dns_servers(emu).clear()
                    emu.dns.sync()
                    return Response(204)
                return Response(200, {"servers": list(dnsserver.dns_servers(emu).values())})
        if what == "advance" and method == "POST":
            if "seconds" in (req.body or {}):   # time passes for the throttle's token buckets (throttle.py)
                emu.throttle.advance(req.body["seconds"])
                return Response(200, {"throttle_seconds": emu.throttle.offset})
            return Response(200, advance(emu, bool((req.body or {}).get("all"))))
        if what == "vpn_devices":
            from .providers import vpn
            with emu.store.lock:
                if method == "POST":
                    return Response(200, vpn.declare_device(emu, req.body or {}))
                if method == "DELETE":
                    vpn.devices(emu).clear()
                    return Response(204)
                return Response(200, {"devices": vpn.list_devices(emu)})
        if what == "drift" and method == "POST":
            return Response(200, drift(emu, req.body or {}))
    except (ValueError, KeyError, TypeError) as err:
        return Response(400, {"error": {"code": "BadControlRequest", "message": str(err)}})
    except ArmError as err:
        return Response(err.status, err.body())
    return Response(404, {"error": {"code": "NotFound", "message": f"unknown control route {req.path}"}})


def drift(emu, spec):
    """Change a stored resource directly, as a colleague in the portal would."""
    from .ids import new_guid
    with emu.store.lock:
        res = emu.store.get(spec["id"])
        if res is None:
            raise ArmError(404, "NotFound", f"no resource {spec['id']}")
        res.properties.update(spec.get("properties") or {})
        if "tags" in spec:
            res.body["tags"] = spec["tags"]
        res.etag = new_guid()
        return res.handler.render(res)


def advance(emu, everything=False):
    """Jump the clock to the next operation's end (or past every one): operations still finish in due order."""
    with emu.store.lock:
        pending = sorted((op for op in emu.store.operations.values() if not op.finished), key=lambda o: o.done_at)
        chosen = pending if everything else pending[:1]
        for op in chosen:
            emu.store.finish_operation(op)
        emu.dns.sync()
        return {"finished": [op.id for op in chosen], "pending": len(pending) - len(chosen)}
