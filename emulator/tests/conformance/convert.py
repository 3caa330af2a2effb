"""Read recorded Azure traffic into one neutral shape, whatever recorder wrote it.

Formats:
* vcrpy YAML (azure-cli, older azure-sdk-for-python): interactions[].request{method, uri, body, headers}
  and .response{status{code}, headers, body{string}}.
* go-vcr v1 YAML (azure-service-operator, `version: 1`): interactions[].request{url, method, body, headers}
  and .response{code, headers, body}.
* Azure SDK test-proxy JSON: Entries[]{RequestUri, RequestMethod, RequestHeaders, RequestBody, StatusCode,
  ResponseHeaders, ResponseBody}.

`load(path)` returns a Recording: its exchanges in recorded order, each with the request and response,
header names lower-cased and every body parsed from JSON when it is JSON.
"""

import json
import os
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import yaml

FORMATS = ("vcrpy", "go-vcr", "test-proxy")


@dataclass
class Exchange:
    index: int                  # position in the recording (0-based)
    method: str
    url: str
    request_headers: dict       # lower-cased name -> str
    request_body: object        # parsed JSON, raw text, or None
    status: int
    headers: dict               # response headers, lower-cased name -> str
    body: object                # parsed JSON, raw text, or None

    @property
    def host(self):
        return urlsplit(self.url).netloc.lower().split(":")[0]

    @property
    def path(self):
        return urlsplit(self.url).path

    @property
    def query(self):
        return {k.lower(): v for k, v in parse_qsl(urlsplit(self.url).query, keep_blank_values=True)}


@dataclass
class Recording:
    path: str
    format: str
    exchanges: list = field(default_factory=list)

    @property
    def name(self):
        return os.path.basename(self.path)


def _headers(raw):
    """{name: value | [values]} -> {lower name: 'v1, v2'}."""
    out = {}
    for key, value in (raw or {}).items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        out[str(key).lower()] = str(value)
    return out


def parse_body(raw):
    """JSON text -> object; '' / None -> None; anything else stays text."""
    if raw is None:
        return None
    if isinstance(raw, (dict, list)):
        return raw
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    text = raw.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return raw


def _from_vcrpy(doc):
    out = []
    for i, item in enumerate(doc.get("interactions") or []):
        req, resp = item["request"], item["response"]
        body = resp.get("body")
        body = body.get("string") if isinstance(body, dict) else body
        out.append(Exchange(i, req["method"].upper(), req["uri"], _headers(req.get("headers")),
                            parse_body(req.get("body")), int(resp["status"]["code"]), _headers(resp.get("headers")),
                            parse_body(body)))
    return out


def _from_go_vcr(doc):
    out = []
    for i, item in enumerate(doc.get("interactions") or []):
        req, resp = item["request"], item["response"]
        code = resp.get("code")
        if code is None:  # only "200 OK" style
            code = str(resp["status"]).split()[0]
        out.append(Exchange(i, req["method"].upper(), req["url"], _headers(req.get("headers")),
                            parse_body(req.get("body")), int(code), _headers(resp.get("headers")),
                            parse_body(resp.get("body"))))
    return out


def _from_test_proxy(doc):
    out = []
    for i, item in enumerate(doc.get("Entries") or []):
        out.append(Exchange(i, item["RequestMethod"].upper(), item["RequestUri"], _headers(item.get("RequestHeaders")),
                            parse_body(item.get("RequestBody")), int(item["StatusCode"]),
                            _headers(item.get("ResponseHeaders")), parse_body(item.get("ResponseBody"))))
    return out


def detect(doc):
    if isinstance(doc, dict) and "Entries" in doc:
        return "test-proxy"
    if isinstance(doc, dict) and "interactions" in doc:
        first = (doc["interactions"] or [{}])[0].get("request", {})
        return "go-vcr" if "url" in first and "uri" not in first else "vcrpy"
    raise ValueError("not a recording: expected `interactions` (vcrpy / go-vcr) or `Entries` (test-proxy)")


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    fmt = detect(doc)
    reader = {"vcrpy": _from_vcrpy, "go-vcr": _from_go_vcr, "test-proxy": _from_test_proxy}[fmt]
    return Recording(path, fmt, reader(doc))


def recording_files(root):
    """Every recording under root (sorted; SOURCES.md and other notes left out)."""
    out = []
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name.endswith((".yaml", ".yml", ".json")):
                out.append(os.path.join(dirpath, name))
    return sorted(out)
