"""Replay a recording's requests against a fresh emulator and compare the answers with Azure's.

The rules (what is rewritten, skipped, collapsed and compared) are written out for people in
DIFFERENCES.md next to this file; the table of ignored body keys there is also read by `differences()`.

Time: the emulator runs in realistic latency with time_scale 1, so no operation ends by itself while a
recording replays (they last seconds, a replay milliseconds). The replay moves time explicitly through
POST /_emulator/advance, which ends the operation due first, as waiting would: when the recording polls
an operation to its end, and when a read (or a refused write) got an answer the recording only saw
later. Operations therefore end in the emulator's own order, at the moments the recording implies.
"""

import json
import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from .convert import parse_body

ZERO_SUB = "00000000-0000-0000-0000-000000000000"
ARM_HOST = "management.azure.com"
LRO_HEADERS = ("azure-asyncoperation", "location", "retry-after", "etag")
OPERATION_SEGMENTS = {"operations", "operationresults", "operationstatuses", "privatednsoperationstatuses",
                      "privatednsoperationresults", "asyncoperations"}
IN_PROGRESS = {"inprogress", "running", "accepted", "notstarted", "creating", "updating", "deleting"}
# Resource types the emulator does not model; requests to them (and to what lives under them) are skipped.
UNEMULATED = ("microsoft.storage/storageaccounts",
              "microsoft.network/loadbalancers", "microsoft.network/privatelinkservices")
# A private endpoint to one of those is retargeted to a registry the replay creates.
RETARGET_REGISTRY = "privnetconformanceacr"
ACR_API = "2025-11-01"
RG_API = "2025-04-01"
GENERATED = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}", re.I)
MAX_ADVANCES = 200


# ---- DIFFERENCES.md ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Ignored:
    scope: str      # ARM type, lower-cased, or "*"
    key: str        # "name" (top level) or "properties.name"
    side: str       # "emulator" (only the emulator has it), "recorded" (only Azure has it) or "either"
    before: str     # ignored only for recorded api-versions older than this one; "" = always

    def applies(self, scope, key, side, api_version):
        return (self.key == key and self.side in (side, "either") and self.scope in ("*", scope)
                and (not self.before or (api_version or "") < self.before))


def differences(path=None):
    """The ignored body keys: rows of the table under '## Ignored body keys' in DIFFERENCES.md."""
    path = path or os.path.join(os.path.dirname(__file__), "DIFFERENCES.md")
    rows, in_table = [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("## "):
                in_table = line.strip() == "## Ignored body keys"
                continue
            if not in_table or not line.startswith("|"):
                continue
            cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
            if len(cells) < 5 or cells[0] in ("Scope", "") or set(cells[0]) <= {"-", ":"}:
                continue
            scope, key, side, before = cells[0].lower(), cells[1], cells[2].lower(), cells[3]
            if side not in ("emulator", "recorded", "either"):
                raise ValueError(f"DIFFERENCES.md: side must be emulator, recorded or either: {line.strip()}")
            if before and not re.fullmatch(r"\d{4}-\d{2}-\d{2}(-preview)?", before):
                raise ValueError(f"DIFFERENCES.md: 'Before api-version' must be an api-version or empty: "
                                 f"{line.strip()}")
            rows.append(Ignored(scope, key, side, before))
    return rows


# ---- helpers -------------------------------------------------------------------------------------

def _segments(path):
    return [s for s in path.split("/") if s]


def resource_type(path):
    """'microsoft.network/virtualnetworks/subnets' for a resource path, None for other paths."""
    segs = [s.lower() for s in _segments(path)]
    if "providers" not in segs:
        return None
    i = len(segs) - 1 - segs[::-1].index("providers")
    ns, rest = segs[i + 1] if i + 1 < len(segs) else "", segs[i + 2:]
    if not rest:
        return None
    return "/".join([ns] + rest[0::2])


def resource_id_of(path):
    """The resource id a request path addresses (collections and actions trimmed), lower-cased."""
    segs = _segments(path)
    low = [s.lower() for s in segs]
    if "providers" not in low:
        return "/" + "/".join(low[:4]) if len(low) >= 4 else None
    i = len(low) - 1 - low[::-1].index("providers")
    rest = low[i + 2:]
    keep = i + 2 + (len(rest) // 2) * 2
    return "/" + "/".join(low[:keep])


def is_operation_path(path):
    segs = [s.lower() for s in _segments(path)]
    return len(segs) >= 2 and segs[-2] in OPERATION_SEGMENTS


def in_progress(status, body):
    if status == 202:
        return True
    return isinstance(body, dict) and str(body.get("status", "")).lower() in IN_PROGRESS


def etag_core(value):
    value = (value or "").strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"').strip("\\").strip('"')


def _short(path):
    path = re.sub(r"^/subscriptions/[^/]+", "", path)
    return re.sub(r"^/resourceGroups/[^/]+", "", path, flags=re.I) or path


def _arm_type_of(body):
    return str(body.get("type") or "").lower() if isinstance(body, dict) else ""


@dataclass
class Outcome:
    recording: str
    mismatches: list = field(default_factory=list)   # "#index METHOD path: problem"
    skipped: dict = field(default_factory=dict)      # category -> [indexes]
    notes: list = field(default_factory=list)
    replayed: int = 0

    def message(self):
        lines = [f"{self.recording}: {len(self.mismatches)} mismatch(es) over {self.replayed} replayed exchange(s)"]
        for category, indexes in sorted(self.skipped.items()):
            lines.append(f"  skipped ({category}): #{', #'.join(str(i) for i in indexes)}")
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  {m}" for m in self.mismatches]
        return "\n".join(lines)


class Replay:
    def __init__(self, recording, base_url, ca_path, token, subscription, control, ignored):
        self.rec = recording
        self.base = base_url.rstrip("/")
        self.sub = subscription
        self.control = control
        self.ignored = ignored
        self.session = requests.Session()
        self.session.trust_env = False    # a REQUESTS_CA_BUNDLE in the environment would win over verify
        self.session.verify = ca_path
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.aliases = {}                 # recorded text -> emulator text (generated ids, names, etags)
        self.op_urls = {}                 # recorded operation URL path (lower) -> the emulator's URL
        self.skipped_ops = set()          # recorded operation URL paths announced to skipped requests
        self.skipped_ids = set()          # lower-cased ids of resources the replay did not create
        self.out = Outcome(recording.name)
        arm = [e for e in recording.exchanges if e.host == ARM_HOST]
        # Old recorders never show Retry-After; for them an emulator-only Retry-After is not compared.
        self.recorded_retry_after = any("retry-after" in e.headers for e in arm)

    # ---- rewriting ----------------------------------------------------------------------------
    def rewrite(self, text):
        text = text.replace(ZERO_SUB, self.sub).replace(f"https://{ARM_HOST}", self.base)
        for old in sorted(self.aliases, key=len, reverse=True):
            text = text.replace(old, self.aliases[old])
        return text

    def url_for(self, exchange):
        parts = urlsplit(exchange.url)
        return self.rewrite(f"{self.base}{parts.path}" + (f"?{parts.query}" if parts.query else ""))

    def body_for(self, exchange):
        body = exchange.request_body
        if body is None:
            return None
        text = body if isinstance(body, str) else json.dumps(body)
        text = self.rewrite(text)
        if exchange.method == "PUT" and resource_type(exchange.path) == "microsoft.network/privateendpoints":
            text = self.retarget(exchange, text)
        return text

    def retarget(self, exchange, text):
        """A private endpoint to a type the emulator does not model is pointed at a registry instead."""
        try:
            body = json.loads(text)
        except ValueError:
            return text
        changed = False
        for key in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"):
            for conn in (body.get("properties") or {}).get(key) or []:
                props = conn.get("properties") or {}
                target = props.get("privateLinkServiceId") or ""
                if (resource_type(target) or "").startswith(UNEMULATED):
                    props["privateLinkServiceId"] = self.ensure_registry(exchange, body.get("location"))
                    props["groupIds"] = ["registry"]
                    changed = True
        if changed:
            self.note_once(f"private endpoint {_segments(exchange.path)[-1]} retargeted to registry "
                           f"{RETARGET_REGISTRY} (groupIds [registry])")
        return json.dumps(body) if changed else text

    def ensure_registry(self, exchange, location):
        rg = _segments(exchange.path)[3]
        reg_path = (f"/subscriptions/{self.sub}/resourceGroups/{rg}/providers/Microsoft.ContainerRegistry/"
                    f"registries/{RETARGET_REGISTRY}")
        resp = self.send("GET", f"{self.base}{reg_path}?api-version={ACR_API}")
        if resp.status_code == 404:
            resp = self.send("PUT", f"{self.base}{reg_path}?api-version={ACR_API}", json.dumps(
                {"location": location or "westus2", "sku": {"name": "Premium"}, "properties": {}}))
            if resp.status_code not in (200, 201):
                self.out.notes.append(f"setup: creating registry {RETARGET_REGISTRY} answered {resp.status_code} "
                                      f"{resp.text[:300]}")
            for _ in range(MAX_ADVANCES):
                got = self.send("GET", f"{self.base}{reg_path}?api-version={ACR_API}")
                state = None
                if got.status_code == 200:
                    state = ((parse_body(got.text) or {}).get("properties") or {}).get("provisioningState")
                if state not in ("Creating", "Updating"):
                    break
                if not self.control.advance()["finished"]:
                    break
        return reg_path

    def note_once(self, note):
        if note not in self.out.notes:
            self.out.notes.append(note)

    # ---- transport ------------------------------------------------------------------------------
    def send(self, method, url, body=None, headers=None):
        headers = dict(headers or {})
        if body is not None:
            headers.setdefault("Content-Type", "application/json")
        return self.session.request(method, url, data=body.encode() if body is not None else None,
                                    headers=headers, timeout=30)

    def send_exchange(self, exchange):
        headers = {}
        for name in ("if-match", "if-none-match"):
            if name in exchange.request_headers:
                headers[name] = self.rewrite(exchange.request_headers[name])
        return self.send(exchange.method, self.url_for(exchange), self.body_for(exchange), headers)

    # ---- classification ---------------------------------------------------------------------------
    def classify(self, e):
        """None to replay, 'poll', or a skip category."""
        if e.host != ARM_HOST:
            return "identity traffic (the emulator issues its own token)"
        key = e.path.lower()
        if key in self.op_urls:
            return "poll"
        if key in self.skipped_ops:
            return "poll for a skipped request"
        if is_operation_path(e.path):
            return "poll of an operation the emulator did not announce"
        rtype = resource_type(e.path) or ""
        if rtype.startswith(UNEMULATED):
            return f"resource type not emulated ({rtype.split('/')[0]}/{rtype.split('/')[1]})"
        rid = resource_id_of(self.rewrite(e.path))
        if rid and any(rid == s or rid.startswith(s + "/") for s in self.skipped_ids):
            return "inside a skipped resource"
        return None

    def implicit_groups(self):
        """Resource groups the recording uses without creating them first (test fixtures outside the recording)."""
        seen, out = set(), []
        for e in self.rec.exchanges:
            if e.host != ARM_HOST:
                continue
            segs = _segments(e.path)
            if len(segs) < 4 or segs[2].lower() != "resourcegroups":
                continue
            rg = segs[3].lower()
            if rg in seen:
                continue
            seen.add(rg)
            if not (len(segs) == 4 and e.method == "PUT"):
                out.append((segs[3], self.location_for_group(rg)))
        return out

    def location_for_group(self, rg):
        for e in self.rec.exchanges:
            segs = [s.lower() for s in _segments(e.path)]
            if len(segs) >= 4 and segs[3] == rg:
                for body in (e.body, e.request_body):
                    if isinstance(body, dict) and isinstance(body.get("location"), str) and \
                            body["location"].lower() != "global":
                        return body["location"]
        return "westus"

    # ---- the replay --------------------------------------------------------------------------------
    def run(self):
        for name, location in self.implicit_groups():
            resp = self.send("PUT", f"{self.base}/subscriptions/{self.sub}/resourcegroups/{name}?api-version={RG_API}",
                             json.dumps({"location": location}))
            self.out.notes.append(f"setup: resource group {name} ({location}) created before the replay: "
                                  f"{resp.status_code}")
        exchanges = self.rec.exchanges
        i = 0
        while i < len(exchanges):
            e = exchanges[i]
            kind = self.classify(e)
            if kind == "poll":
                j = i
                while j + 1 < len(exchanges) and exchanges[j + 1].method == "GET" and \
                        exchanges[j + 1].path.lower() == e.path.lower():
                    j += 1
                self.replay_polls(exchanges[i:j + 1])
                i = j + 1
                continue
            if kind is not None:
                self.skip(e, kind)
                i += 1
                continue
            self.replay_one(e)
            i += 1
        return self.out

    def skip(self, e, category):
        self.out.skipped.setdefault(category, []).append(e.index)
        for name in ("azure-asyncoperation", "location"):
            if name in e.headers:
                self.skipped_ops.add(urlsplit(e.headers[name]).path.lower())
        if e.method == "PUT":
            rid = resource_id_of(self.rewrite(e.path))
            if rid:
                self.skipped_ids.add(rid)

    def replay_one(self, e):
        self.out.replayed += 1
        resp = self.send_exchange(e)
        advances = 0
        # The recording saw a later moment: let the emulator's operations end, one at a time, and ask again
        # (only when asking again changes nothing: a read, or a write the emulator refused).
        while _state_differs(e, resp) and (e.method in ("GET", "HEAD") or resp.status_code >= 400) \
                and advances < MAX_ADVANCES:
            if not self.control.advance()["finished"]:
                break
            advances += 1
            resp = self.send_exchange(e)
        body = parse_body(resp.text)
        headers = {k.lower(): v for k, v in resp.headers.items()}
        self.learn(e, headers, body)
        self.compare(e, resp.status_code, headers, body)

    def replay_polls(self, group):
        """Consecutive polls of one operation: poll the emulator's URL to the state the last one shows."""
        self.out.replayed += 1
        first, last = group[0], group[-1]
        url = self.op_urls[first.path.lower()]
        wants_end = not in_progress(last.status, last.body)
        resp = self.send("GET", url)
        body = parse_body(resp.text)
        headers = {k.lower(): v for k, v in resp.headers.items()}
        if in_progress(resp.status_code, body):
            recorded_running = next((x for x in group if in_progress(x.status, x.body)), None)
            if recorded_running is not None:
                self.compare(recorded_running, resp.status_code, headers, body)
            if not wants_end:
                return
            for _ in range(MAX_ADVANCES):
                if not self.control.advance()["finished"]:
                    break
                resp = self.send("GET", url)
                body = parse_body(resp.text)
                headers = {k.lower(): v for k, v in resp.headers.items()}
                if not in_progress(resp.status_code, body):
                    break
        elif not wants_end:
            self.note_once(f"#{first.index}: the recording polled while the operation ran; the emulator's "
                           "had already ended (not compared)")
            return
        self.learn(last, headers, body)
        self.compare(last, resp.status_code, headers, body)

    # ---- learning ids, etags and operation URLs ----------------------------------------------------------
    def learn(self, e, headers, body):
        for name in ("azure-asyncoperation", "location"):
            if name in e.headers and name in headers:
                self.op_urls.setdefault(urlsplit(e.headers[name]).path.lower(), headers[name])
        if "etag" in e.headers and "etag" in headers:
            self.alias(etag_core(e.headers["etag"]), etag_core(headers["etag"]))
        self.align(e.body, body)

    def alias(self, recorded, emulated):
        if recorded and emulated and recorded != emulated and GENERATED.search(recorded):
            self.aliases.setdefault(recorded, emulated)

    def align(self, rec, emu):
        if isinstance(rec, dict) and isinstance(emu, dict):
            for key, value in rec.items():
                if key not in emu:
                    continue
                other = emu[key]
                if key == "id" and isinstance(value, str) and isinstance(other, str):
                    value = value.replace(ZERO_SUB, self.sub)
                    if value.lower() != other.lower() and value.count("/") == other.count("/"):
                        self.alias(value, other)
                        self.alias(value.rsplit("/", 1)[-1], other.rsplit("/", 1)[-1])
                elif key == "etag" and isinstance(value, str) and isinstance(other, str):
                    self.alias(etag_core(value), etag_core(other))
                else:
                    self.align(value, other)
        elif isinstance(rec, list) and isinstance(emu, list):
            for a, b in _pair(rec, emu, self.rewrite):
                self.align(a, b)

    # ---- comparing --------------------------------------------------------------------------------------
    def compare(self, e, status, headers, body):
        where = f"#{e.index} {e.method} {_short(urlsplit(e.url).path)}"
        if status != e.status:
            # Headers and bodies of different outcomes say nothing more.
            self.out.mismatches.append(f"{where}: status {e.status} in Azure, {status} from the emulator"
                                       + _error_hint(body) + _error_hint(e.body, "Azure: "))
            return
        problems = []
        for name in LRO_HEADERS:
            recorded = name in e.headers
            emulated = name in headers or (name == "retry-after" and "retry-after-ms" in headers)
            if recorded == emulated:
                continue
            if name == "retry-after" and emulated and not self.recorded_retry_after:
                continue
            problems.append(f"header {name}: {'only Azure' if recorded else 'only the emulator'} sends it")
        problems += self.compare_bodies(e.body, body, resource_type(e.path) or "", e.query.get("api-version", ""))
        self.out.mismatches += [f"{where}: {p}" for p in problems]

    def compare_bodies(self, rec, emu, path_type, api_version):
        if rec is None or emu is None or isinstance(rec, str) or isinstance(emu, str):
            if (rec is None) != (emu is None) or (isinstance(rec, str) != isinstance(emu, str)):
                return [f"body: Azure {_kind(rec)}, emulator {_kind(emu)}"]
            return []
        if type(rec) is not type(emu):
            return [f"body: Azure {_kind(rec)}, emulator {_kind(emu)}"]
        if isinstance(rec, list):
            return []
        problems = []
        if "error" in rec or "error" in emu:
            rec_code = (rec.get("error") or {}).get("code")
            emu_code = (emu.get("error") or {}).get("code") if isinstance(emu.get("error"), dict) else None
            if rec_code != emu_code:
                problems.append(f"error code {rec_code} in Azure, {emu_code} from the emulator")
        if "status" in rec and "status" in emu and not in_progress(0, rec) and rec["status"] != emu["status"]:
            problems.append(f"operation status {rec['status']} in Azure, {emu['status']} from the emulator")
        scope = _arm_type_of(rec) or _arm_type_of(emu) or path_type
        problems += self.key_diff(rec, emu, scope, api_version)
        if isinstance(rec.get("value"), list) and isinstance(emu.get("value"), list):
            if len(rec["value"]) != len(emu["value"]):
                problems.append(f"list: {len(rec['value'])} item(s) in Azure, {len(emu['value'])} from the emulator")
            for a, b in _pair(rec["value"], emu["value"], self.rewrite):
                if isinstance(a, dict) and isinstance(b, dict):
                    item_scope = _arm_type_of(a) or _arm_type_of(b) or path_type
                    name = a.get("name", "?")
                    problems += [f"item {name}: {p}" for p in self.key_diff(a, b, item_scope, api_version)]
        return problems

    def key_diff(self, rec, emu, scope, api_version):
        problems = []
        pairs = [(rec, emu, "")]
        if isinstance(rec.get("properties"), dict) and isinstance(emu.get("properties"), dict):
            pairs.append((rec["properties"], emu["properties"], "properties."))
        for a, b, pre in pairs:
            only_rec = sorted(k for k in set(a) - set(b)
                              if not self.is_ignored(scope, pre + k, "recorded", api_version))
            only_emu = sorted(k for k in set(b) - set(a)
                              if not self.is_ignored(scope, pre + k, "emulator", api_version))
            if only_rec:
                problems.append(f"keys only in Azure: {', '.join(pre + k for k in only_rec)}")
            if only_emu:
                problems.append(f"keys only in the emulator: {', '.join(pre + k for k in only_emu)}")
        return problems

    def is_ignored(self, scope, key, side, api_version):
        return any(row.applies(scope, key, side, api_version) for row in self.ignored)


def _pair(rec, emu, rewrite):
    """Pair list items: the same name (generated parts rewritten) first, then the most shared values."""
    pairs, rest_rec, rest_emu = [], [], list(emu)
    for a in rec:
        name = rewrite(a["name"]) if isinstance(a, dict) and isinstance(a.get("name"), str) else None
        match = next((b for b in rest_emu if isinstance(b, dict) and name is not None and b.get("name") == name), None)
        if match is not None:
            rest_emu.remove(match)
            pairs.append((a, match))
        else:
            rest_rec.append(a)
    for a in rest_rec:
        if not rest_emu:
            break
        mine = _leaves(json.loads(rewrite(json.dumps(a))))
        best = max(rest_emu, key=lambda b: len(mine & _leaves(b)))  # ties: the first, i.e. list order
        rest_emu.remove(best)
        pairs.append((a, best))
    return pairs


def _leaves(value):
    """The set of scalar values in a JSON value (strings lower-cased), to compare items by content."""
    if isinstance(value, dict):
        return set().union(*(_leaves(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_leaves(v) for v in value)) if value else set()
    return {value.lower() if isinstance(value, str) else json.dumps(value)}


def _state_differs(e, resp):
    """An answer that a later moment could change: another status, or a list of another length."""
    if resp.status_code != e.status:
        return True
    if e.method == "GET" and isinstance(e.body, dict) and isinstance(e.body.get("value"), list):
        body = parse_body(resp.text)
        return not isinstance(body, dict) or len(body.get("value") or []) != len(e.body["value"])
    return False


def _kind(body):
    if body is None:
        return "empty"
    if isinstance(body, str):
        return "text"
    if isinstance(body, list):
        return "a list"
    return "{}" if not body else "an object"


def _error_hint(body, prefix=""):
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return f" ({prefix}{body['error'].get('code')}: {str(body['error'].get('message'))[:160]})"
    return ""
