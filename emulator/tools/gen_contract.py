"""Generate the emulator's contract tables from Microsoft's published OpenAPI files.

    python emulator/tools/gen_contract.py [SPEC_DIR]              (default SPEC_DIR: /tmp/specs)
    python emulator/tools/gen_contract.py --targets [TARGET_DIR]  (default TARGET_DIR: /tmp/specs-targets)
    python emulator/tools/gen_contract.py --linkservices [LINK_DIR]  (default LINK_DIR: /tmp/specs-linkservices)

The first writes emulator/privnet_emulator/contract/tables.py (facts only: no descriptions, no examples) and its part
of emulator/CONTRACT.md (every operation of the specs read, served by the emulator or not). The second writes
contract/tables_targets.py and the targets' part of CONTRACT.md from TARGET_SOURCES / TARGET_LIBRARIES below: the
Private Link targets beyond ACR (issue 15), from their own spec files (fetched into TARGET_DIR, never committed, as
for SPEC_DIR), so either part can be regenerated without the other's spec files; contract/__init__.py merges both.
The third writes contract/tables_linkservices.py and its part of CONTRACT.md from LINK_SOURCES / LINK_LIBRARIES:
Microsoft.Network load balancers and private link services (issue 18), from their own copies of three Network
2026-03-01 files (loadBalancer.json, virtualNetwork.json and common.json of one commit, fetched into LINK_DIR).

SPEC_DIR layout (each an OpenAPI 2.0 file of the public repository Azure/azure-rest-api-specs,
https://github.com/Azure/azure-rest-api-specs, at the path and commit listed in SOURCES and LIBRARIES below):

    network/2026-03-01/virtualNetwork.json       Microsoft.Network 2026-03-01 (every NRP type since TypeSpec)
    network/2026-03-01/common.json               its ./common.json (Resource, SubResource, SubResourceModel, enums)
    network/2026-03-01/sdk-operations.json       not a spec file: operations of NICs, gateways, service endpoint
                                                 policies and hubs as the pinned SDK sends them (paths only)
    privatedns/2024-06-01/privatedns.json        Private DNS 2024-06-01
    containerregistry/2025-11-01/containerregistry.json
    msi/2024-11-30/ManagedIdentity.json          Microsoft.ManagedIdentity 2024-11-30
    common-types/resource-management/v5/types.json

Spec files are never committed here: fetch them again into SPEC_DIR to regenerate. A file may be the complete spec or
a pruned copy of it, as the committed tables were made from (the repository's files are large: virtualNetwork.json
is 785 kB): only the paths and definitions of the resource types the emulator serves, transcribed from the pages
read, descriptions and examples dropped; ``info.x-pruned-from`` names the file, commit and pages, and
``x-pruned-note`` marks a part not read from the spec (operations added from the pinned SDK's URL templates carry
no responses; paths following the file's uniform TypeSpec pattern). The generator reads both kinds the same way.

What the tables hold, per api-version and resource path pattern (segments after ``/providers/{namespace}/``, a
path parameter written ``*``): each method's operationId, declared status codes, x-ms-long-running-operation and
its final-state-via, the request body schema and the schema of each response; and the schemas themselves: property
names, JSON types, enums (and whether they are closed: x-ms-enum modelAsString false), required and readOnly flags,
nested objects, arrays and maps, with $ref and allOf resolved inside the file. A $ref to a file that was not read
(common-types, another Network file) is an "open" schema: anything goes there, and an object whose allOf base is
such a reference also accepts property names it does not list.
"""

import json
import os
import pprint
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.dirname(HERE)
OUT_TABLES = os.path.join(EMULATOR, "privnet_emulator", "contract", "tables.py")
OUT_COVERAGE = os.path.join(EMULATOR, "CONTRACT.md")

REPO = "Azure/azure-rest-api-specs"
# (key, namespace, api-version, file under SPEC_DIR, path in the public repository, commit read)
SOURCES = [
    ("network", "Microsoft.Network", "2026-03-01", "network/2026-03-01/virtualNetwork.json",
     "specification/network/resource-manager/Microsoft.Network/Network/stable/2026-03-01/virtualNetwork.json",
     "0747657149e3b3742170a709e54a37ab61ef9001"),
    # Not a spec file: the operations the pinned azure-mgmt-network 33.1.0 sends for the other NRP types the emulator
    # serves (NICs, gateways, service endpoint policies, Route Server hubs), for CONTRACT.md; no schemas.
    ("network_sdk", "Microsoft.Network", "2026-03-01", "network/2026-03-01/sdk-operations.json",
     "(not read: azure-mgmt-network 33.1.0 operations/_operations.py URL templates)", ""),
    ("privatedns", "Microsoft.Network", "2024-06-01", "privatedns/2024-06-01/privatedns.json",
     "specification/privatedns/resource-manager/Microsoft.Network/PrivateDns/stable/2024-06-01/privatedns.json",
     "9989e1327d146e134d5080a3db3f1f909156ba1c"),
    ("acr", "Microsoft.ContainerRegistry", "2025-11-01", "containerregistry/2025-11-01/containerregistry.json",
     "specification/containerregistry/resource-manager/Microsoft.ContainerRegistry/Registry/stable/2025-11-01/"
     "containerregistry.json", "23a78d00c75519f9ecc5519f2965682a646117d0"),
    ("msi", "Microsoft.ManagedIdentity", "2024-11-30", "msi/2024-11-30/ManagedIdentity.json",
     "specification/msi/resource-manager/Microsoft.ManagedIdentity/ManagedIdentity/stable/2024-11-30/"
     "ManagedIdentity.json", "a8780157aa98b7abc9bc590f79a6f54ca8faa890"),
]

# Files other specs refer to ($ref "./common.json#/..." or ".../common-types/resource-management/vN/types.json#/..."):
# (key, file under SPEC_DIR, path in the public repository, commit read). Every common-types version (v3 for Private
# DNS, v4 for Managed Identity, v5 for Network, v6 for Container Registry) is read as v5: their Resource,
# ProxyResource and TrackedResource have the same members (an assumption for v3, v4 and v6, which were not read).
LIBRARIES = [
    ("netcommon", "network/2026-03-01/common.json",
     "specification/network/resource-manager/Microsoft.Network/Network/stable/2026-03-01/common.json",
     "0f0580efe3b8edb458a7fd72d9db5ca8a0f5a7de"),
    ("arm", "common-types/resource-management/v5/types.json",
     "specification/common-types/resource-management/v5/types.json", "05432ee0bc8a3feb5bc0f6fd21f49bb7aeaf13af"),
]

# The Private Link targets (issue 15): (key, namespace, api-version, file under TARGET_DIR, path in the public repository,
# commit read, {"./sibling.json": library key}). Fetch each file (complete, or pruned to the paths and definitions of
# the types served, with info.x-pruned-from naming what was kept) into TARGET_DIR to regenerate.
OUT_TARGET_TABLES = os.path.join(EMULATOR, "privnet_emulator", "contract", "tables_targets.py")
TARGET_DIR = "/tmp/specs-targets"
STORAGE_DIR = "specification/storage/resource-manager/Microsoft.Storage/stable/2023-05-01/"
SQL_DIR = "specification/sql/resource-manager/Microsoft.Sql/stable/2023-08-01/"
SQL_COMMON = {"../../../common/v1/types.json": "sql_common"}
TARGET_SOURCES = [
    ("storage", "Microsoft.Storage", "2023-05-01", "storage/2023-05-01/storage.json", STORAGE_DIR + "storage.json",
     "040b1edfd8b850ae78e2f9d2f05d53979a8b8b89",
     {"./privatelinks.json": "storage_pl", "./common.json": "storage_common"}),
    # its "common.json" (SystemData, CloudError) is not read: systemData is open
    ("keyvault", "Microsoft.KeyVault", "2023-07-01", "keyvault/2023-07-01/keyvault.json",
     "specification/keyvault/resource-manager/Microsoft.KeyVault/KeyVault/stable/2023-07-01/keyvault.json",
     "2e81ca268ff282953b5322cb93179d8f7f55f58b", {}),
    # Microsoft.Sql: one file per resource type, each with its own commit; their "../../../common/v1/types.json" is
    # library sql_common ("../../../common/v2/types.json", the server's identity, is not read: open)
    *[(key, "Microsoft.Sql", "2023-08-01", f"sql/2023-08-01/{name}", SQL_DIR + name, commit, SQL_COMMON)
      for key, name, commit in (
          ("sql", "Servers.json", "01aac164cc5760492a072e5fb84382864abb9710"),
          ("sql_fw", "FirewallRules.json", "115436ce9c4c7e63d2ea7f929ec59dce0edcb68f"),
          ("sql_vnet", "VirtualNetworkRules.json", "0f5a8c9c5c5fba9ef55400f3ca0d6b5527d2f1e2"),
          ("sql_pec", "PrivateEndpointConnections.json", "115436ce9c4c7e63d2ea7f929ec59dce0edcb68f"),
          ("sql_plr", "PrivateLinkResources.json", "115436ce9c4c7e63d2ea7f929ec59dce0edcb68f"))],
]
# (key, file under TARGET_DIR, path in the public repository, commit read, {"./sibling.json": library key})
TARGET_LIBRARIES = [
    ("arm", "common-types/resource-management/v5/types.json",
     "specification/common-types/resource-management/v5/types.json", "05432ee0bc8a3feb5bc0f6fd21f49bb7aeaf13af", {}),
    ("storage_pl", "storage/2023-05-01/privatelinks.json", STORAGE_DIR + "privatelinks.json",
     "4c861564020f756ee54bf94c987dc26858b1adce", {}),
    ("storage_common", "storage/2023-05-01/common.json", STORAGE_DIR + "common.json",
     "4c861564020f756ee54bf94c987dc26858b1adce", {}),
    ("sql_common", "sql/common/v1/types.json", "specification/sql/resource-manager/common/v1/types.json",
     "1781a70a63441b4c25fa0babf62c656fcb47b600", {}),
]

# Load balancers and private link services (issue 18): (key, namespace, api-version, file under LINK_DIR, path in the
# public repository, commit read, {"./sibling.json": library or source key}). The three files are read at one commit,
# the one whose loadBalancer.json the public index holds (2bd38f23, where the TypeSpec emitter names models
# "Common.X"): loadBalancer.json for the load balancer and its child collections, virtualNetwork.json for
# privateLinkServices, their privateEndpointConnections, checkPrivateLinkServiceVisibility and
# autoApprovedPrivateLinkServices; each refers to the other as a sibling. tables.py reads virtualNetwork.json at
# commit 0747657 for the other types; the keys differ, so the two never share a schema name.
OUT_LINK_TABLES = os.path.join(EMULATOR, "privnet_emulator", "contract", "tables_linkservices.py")
LINK_DIR = "/tmp/specs-linkservices"
NETWORK_DIR = "specification/network/resource-manager/Microsoft.Network/Network/stable/2026-03-01/"
LINK_COMMIT = "2bd38f23a022f29cc1221c939d40b7abfcf5f7e6"
LINK_SOURCES = [
    ("lb", "Microsoft.Network", "2026-03-01", "network/2026-03-01/loadBalancer.json", NETWORK_DIR + "loadBalancer.json",
     LINK_COMMIT, {"./common.json": "linkcommon", "./virtualNetwork.json": "pls"}),
    ("pls", "Microsoft.Network", "2026-03-01", "network/2026-03-01/virtualNetwork.json",
     NETWORK_DIR + "virtualNetwork.json", LINK_COMMIT, {"./common.json": "linkcommon", "./loadBalancer.json": "lb"}),
]
LINK_LIBRARIES = [
    ("linkcommon", "network/2026-03-01/common.json", NETWORK_DIR + "common.json", LINK_COMMIT, {}),
]

PRIMITIVES = {"string", "integer", "number", "boolean"}

# Namespaces the emulator serves without spec tables: their api-versions are checked (contract/versions.py), their
# bodies are not. To add one, put its pruned spec file in TARGET_SOURCES and run --targets.
NOT_GENERATED = [
    "Not generated yet (api-version checked, request bodies not checked, responses not audited): "
    "Microsoft.DocumentDB 2024-11-15, "
    "Microsoft.DBforPostgreSQL 2024-08-01, Microsoft.ServiceBus 2021-11-01 (the providers' docstrings name the "
    "operations and properties served).",
]


# The spec block's types served without a table of their own: none since issue 18 (load balancers and private link
# services are the linkservices block).
SPEC_NOT_GENERATED = [
    "Load balancers and private link services: their own part below (`gen_contract.py --linkservices`).",
]
LINK_NOT_GENERATED = []


class Resolver:
    """Turns one spec file's definitions into compact schema facts."""

    def __init__(self, key, doc, schemas, libraries=None, common=None, siblings=None):
        self.key = key
        self.siblings = siblings or {}   # "./privatelinks.json" -> library key (files next to this one)
        self.defs = doc.get("definitions", {})
        self.schemas = schemas   # "key:Name" -> compact object schema (shared by every file)
        self.libraries = libraries or {}   # "arm" / "netcommon" -> Resolver
        self.common = common     # the Resolver for "./common.json" next to this file, if any

    def target(self, ref):
        """(resolver, definition name) for a $ref, or (None, None) when it points into a file not read."""
        m = re.fullmatch(r"(.*?)#/definitions/(.+)", ref or "")
        if not m:
            return None, None
        path, name = m.groups()
        if not path:
            owner = self
        elif path in self.siblings:
            owner = self.libraries.get(self.siblings[path])
        elif re.search(r"common-types/resource-management/v\d+/types\.json$", path):
            owner = self.libraries.get("arm")
        elif path.endswith("/common.json") and self.common is not None:
            owner = self.common
        else:
            owner = None
        if owner is None or name not in owner.defs:
            return None, None
        return owner, name

    def local(self, ref):
        owner, name = self.target(ref)
        return name if owner is self else None

    def typespec(self, node):
        """A property's facts: {"t": type, ...}; refs to objects become {"ref": "key:Name"}."""
        out = {}
        if node.get("readOnly"):
            out["ro"] = True
        ref = node.get("$ref")
        if ref is not None:
            owner, name = self.target(ref)
            if owner is None:
                out["t"] = "any"
                return out
            target = owner.defs[name]
            if target.get("readOnly"):
                out["ro"] = True
            if self.is_object(target):
                out["ref"] = owner.object_schema(name)
                return out
            out.update(owner.typespec({k: v for k, v in target.items() if k != "readOnly"}))
            return out
        t = node.get("type")
        if t in PRIMITIVES:
            out["t"] = t
            if "enum" in node:
                out["enum"] = list(node["enum"])
                if node.get("x-ms-enum", {}).get("modelAsString") is False:
                    out["closed"] = True
            return out
        if t == "array":
            out["t"] = "array"
            out["items"] = self.typespec(node.get("items", {}))
            return out
        if t == "object" and "properties" not in node and "allOf" not in node:
            out["t"] = "object"
            if isinstance(node.get("additionalProperties"), dict):
                out["map"] = self.typespec(node["additionalProperties"])
            else:
                out["open"] = True
            return out
        if self.is_object(node):
            # an inline object: give it a synthetic name
            name = f"_inline{len(self.schemas)}"
            self.defs[name] = node
            out["ref"] = self.object_schema(name)
            return out
        out["t"] = "any"
        return out

    @staticmethod
    def is_object(node):
        return node.get("type") == "object" or "properties" in node or "allOf" in node

    def object_schema(self, name):
        full = f"{self.key}:{name}"
        if full in self.schemas:
            return full
        schema = {"p": {}, "req": []}
        self.schemas[full] = schema           # placeholder first: definitions refer to each other
        node = self.defs[name]
        for base in node.get("allOf", []):
            owner, bname = self.target(base.get("$ref"))
            if owner is None:
                schema["open"] = True         # a base from a file not read
                continue
            bfull = owner.object_schema(bname)
            b = self.schemas[bfull]
            schema["p"].update(b["p"])
            schema["req"] += [r for r in b.get("req", []) if r not in schema["req"]]
            if b.get("open"):
                schema["open"] = True
        for prop, pnode in node.get("properties", {}).items():
            schema["p"][prop] = self.typespec(pnode)
        schema["req"] += [r for r in node.get("required", []) if r not in schema["req"]]
        if isinstance(node.get("additionalProperties"), dict):
            schema["map"] = self.typespec(node["additionalProperties"])
        if not schema["req"]:
            del schema["req"]
        return full


def path_key(path):
    """('rg'|'sub', namespace lower, segments after the namespace with parameters as '*') or None."""
    segs = [s for s in path.split("/") if s]
    low = [s.lower() for s in segs]
    if "providers" not in low:
        return None
    i = low.index("providers")
    if i + 1 >= len(segs):
        return None
    scope = "rg" if "resourcegroups" in low[:i] else "sub"
    rest = tuple("*" if s.startswith("{") else s.lower() for s in segs[i + 2:])
    return scope, segs[i + 1].lower(), rest


def schema_of(resolver, node):
    if not node or "schema" not in node:
        return None
    spec = resolver.typespec(node["schema"])
    return spec.get("ref") or None


def read_operations(resolver, doc):
    ops = {}
    for path, item in doc.get("paths", {}).items():
        key = path_key(path)
        if key is None:
            continue
        for method, op in item.items():
            if method not in ("get", "put", "patch", "delete", "post", "head"):
                continue
            body = next((p for p in op.get("parameters", []) if p.get("in") == "body"), None)
            responses = {c: schema_of(resolver, r) for c, r in op.get("responses", {}).items() if c != "default"}
            # no responses: an operation known only from the pinned SDK's URL templates (status codes not read)
            entry = {"op": op.get("operationId"), "status": sorted(int(c) for c in responses) or None,
                     "resp": {int(c): s for c, s in responses.items() if s}}
            if body is not None:
                entry["req"] = schema_of(resolver, body)
            if op.get("x-ms-long-running-operation"):
                entry["lro"] = op.get("x-ms-long-running-operation-options", {}).get("final-state-via", "default")
            ops.setdefault(key, {})[method.upper()] = entry
            ops[key]["_path"] = path
    return ops


def load(spec_dir, rel):
    path = os.path.join(spec_dir, rel)
    if not os.path.exists(path):
        print(f"missing {path}: skipped", file=sys.stderr)
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def generate(spec_dir):
    operations, schemas, sources = {}, {}, []
    libraries = {}
    for key, rel, public_path, commit in LIBRARIES:
        doc = load(spec_dir, rel)
        if doc is not None:
            libraries[key] = Resolver(key, doc, schemas)
            sources.append({"key": key, "namespace": "", "api_version": "", "path": public_path, "commit": commit,
                            "pruned": bool(doc.get("info", {}).get("x-pruned-from"))})
    for lib in libraries.values():
        lib.libraries = libraries
    for key, namespace, version, rel, public_path, commit in SOURCES:
        doc = load(spec_dir, rel)
        if doc is None:
            continue
        common = libraries.get("netcommon") if key == "network" else None
        resolver = Resolver(key, doc, schemas, libraries, common)
        for k, v in read_operations(resolver, doc).items():
            operations.setdefault(version, {})[k] = v
        sources.append({"key": key, "namespace": namespace, "api_version": version,
                        "path": public_path, "commit": commit,
                        "pruned": bool(doc.get("info", {}).get("x-pruned-from"))})
    return operations, schemas, sources


def generate_block(spec_dir, source_list, library_list):
    """One block's tables from its own spec directory: source_list / library_list entries carry a
    {"./sibling.json": key} map; a key may name a library or another source of the block (files that refer to each
    other, as loadBalancer.json and virtualNetwork.json do)."""
    operations, schemas, sources = {}, {}, []
    libraries = {}
    for key, rel, public_path, commit, siblings in library_list:
        doc = load(spec_dir, rel)
        if doc is not None:
            libraries[key] = Resolver(key, doc, schemas, siblings=siblings)
            sources.append({"key": key, "namespace": "", "api_version": "", "path": public_path, "commit": commit,
                            "pruned": bool(doc.get("info", {}).get("x-pruned-from"))})
    read = []
    for key, namespace, version, rel, public_path, commit, siblings in source_list:
        doc = load(spec_dir, rel)
        if doc is None:
            continue
        libraries[key] = Resolver(key, doc, schemas, libraries, siblings=siblings)
        read.append((key, namespace, version, public_path, commit, doc))
    for lib in libraries.values():
        lib.libraries = libraries
    for key, namespace, version, public_path, commit, doc in read:
        for k, v in read_operations(libraries[key], doc).items():
            operations.setdefault(version, {})[k] = v
        sources.append({"key": key, "namespace": namespace, "api_version": version,
                        "path": public_path, "commit": commit,
                        "pruned": bool(doc.get("info", {}).get("x-pruned-from"))})
    return operations, schemas, sources


def generate_targets(spec_dir):
    """The Private Link targets' tables, from TARGET_DIR alone (no file of SOURCES / LIBRARIES needed)."""
    return generate_block(spec_dir, TARGET_SOURCES, TARGET_LIBRARIES)


def generate_linkservices(spec_dir):
    """Load balancers' and private link services' tables, from LINK_DIR alone."""
    return generate_block(spec_dir, LINK_SOURCES, LINK_LIBRARIES)


def entry_text(prefix, value, width=118):
    """`prefix` + value's repr, wrapped under 120 columns, with a trailing comma."""
    pad = " " * len(prefix)
    text = pprint.pformat(value, width=max(40, width - len(prefix)), sort_dicts=False)
    body = text.splitlines()
    return "\n".join([prefix + body[0]] + [pad + line for line in body[1:]]) + ","


def write_tables(operations, schemas, sources, out=OUT_TABLES):
    ops_out = {}
    for version, table in sorted(operations.items()):
        ops_out[version] = {}
        for (scope, ns, segs), methods in sorted(table.items()):
            ops_out[version][(scope, ns, segs)] = {m: e for m, e in sorted(methods.items()) if m != "_path"}
    lines = ['"""Generated by emulator/tools/gen_contract.py from Azure/azure-rest-api-specs: do not edit.',
             "",
             "SOURCES: the spec files read. OPERATIONS[api-version][(scope, namespace, path segments)][METHOD]:",
             "op (operationId), status (declared codes), lro (final-state-via), req / resp (schema names).",
             "SCHEMAS[name]: p (properties: t type, enum, closed, ro readOnly, ref, items, map), req (required),",
             'open (names not listed are allowed)."""',
             "",
             "SOURCES = " + pprint.pformat(sources, width=118, sort_dicts=False),
             "",
             "OPERATIONS = {"]
    for version, table in ops_out.items():
        lines.append(f"    {version!r}: {{")
        for key, methods in table.items():
            lines.append(f"        {key!r}: {{")
            for method, entry in methods.items():
                lines.append(entry_text(f"            {method!r}: ", entry))
            lines.append("        },")
        lines.append("    },")
    lines += ["}", "", "SCHEMAS = {"]
    for name in sorted(schemas):
        lines.append(entry_text(f"    {name!r}: ", schemas[name]))
    lines.append("}")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def served(namespace, scope, segs, method):
    """Whether the emulator serves this operation: a registered handler (or the emulator's generic routes)."""
    sys.path.insert(0, EMULATOR)
    from privnet_emulator.contract import coverage  # noqa: E402  (imports the emulator's handler registry)
    return coverage.serves(namespace, scope, segs, method)


# CONTRACT.md parts: SOURCES / LIBRARIES, TARGET_SOURCES / TARGET_LIBRARIES and LINK_SOURCES / LINK_LIBRARIES
BLOCKS = ("spec", "targets", "linkservices")
TITLES = {"spec": "Network, Private DNS, Container Registry, Managed Identity",
          "targets": "Private Link targets (issue 15; `gen_contract.py --targets`)",
          "linkservices": "Load balancers and private link services (issue 18; `gen_contract.py --linkservices`)"}


def block_notes(block):
    return {"spec": SPEC_NOT_GENERATED, "targets": NOT_GENERATED, "linkservices": LINK_NOT_GENERATED}[block]


def marker(block, edge):
    return f"<!-- gen_contract {block} {edge} -->"


def coverage_block(operations, sources, block):
    rows = []
    for version, table in sorted(operations.items()):
        for (scope, ns, segs), methods in sorted(table.items()):
            path = methods.get("_path", "")
            for method, entry in sorted((m, e) for m, e in methods.items() if m != "_path"):
                rows.append((version, scope, path, method, entry, served(ns, scope, segs, method)))
    out = [f"## {TITLES[block]}", "", "Spec files:", ""]
    for s in sources:
        what = f"{s['namespace']} {s['api_version']}" if s["namespace"] else "definitions the others refer to"
        at = f" at commit `{s['commit'][:12]}`" if s["commit"] else ""
        out.append(f"- `{s['path']}`{at} ({what}"
                   f"{'; pruned copy: only what the emulator serves' if s['pruned'] else ''})")
    total = len(rows)
    done = sum(1 for r in rows if r[5])
    out += ["", *notes_lines(block), f"{done} of {total} operations served.", "",
            "| api-version | operation | method | scope | path (from the namespace) | status | LRO | served |",
            "|---|---|---|---|---|---|---|---|"]
    for version, scope, path, method, entry, ok in rows:
        tail = path.split("/providers/", 1)[-1]
        lro = entry.get("lro", "")
        codes = ", ".join(str(c) for c in entry["status"]) if entry.get("status") else ""
        out.append(f"| {version} | {entry.get('op')} | {method} | {scope} | `{tail}` | {codes} | {lro} | "
                   f"{'yes' if ok else 'no'} |")
    return out


def notes_lines(block):
    notes = block_notes(block)
    return [*notes, ""] if notes else []


def refresh_notes(lines, block):
    """A kept block (its spec files not read this run) with its notes as the generator states them now: the notes
    are the generator's own text, between the spec file list and the 'N of M operations served.' line."""
    count = next((i for i, line in enumerate(lines) if re.fullmatch(r"\d+ of \d+ operations served\.", line)), None)
    files = [i for i, line in enumerate(lines) if line.startswith("- `")]
    if count is None or not files:
        return lines
    return lines[:files[-1] + 1] + [""] + notes_lines(block) + lines[count:]


def write_coverage(operations, sources, block="spec"):
    """Rewrite this block of CONTRACT.md and keep the others as they are (their notes refreshed)."""
    kept = {}
    if os.path.exists(OUT_COVERAGE):
        text = open(OUT_COVERAGE, encoding="utf-8").read()
        for b in BLOCKS:
            a, z = marker(b, "start"), marker(b, "end")
            if a in text and z in text:
                kept[b] = refresh_notes(text[text.index(a) + len(a):text.index(z)].strip("\n").splitlines(), b)
    kept[block] = coverage_block(operations, sources, block)
    out = ["# The published contract: coverage", "",
           "Generated by `emulator/tools/gen_contract.py` (do not edit). Every operation of the Azure REST API spec",
           "files read (Azure/azure-rest-api-specs), and whether the emulator serves it. Scope: `rg` for paths under a",
           "resource group, `sub` for subscription-wide lists. LRO: the operation's final-state-via. Operations",
           "without status codes were taken from the pinned SDK's URL templates.", ""]
    for b in BLOCKS:
        out += [marker(b, "start"), *kept.get(b, []), marker(b, "end"), ""]
    with open(OUT_COVERAGE, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


MODES = {"--targets": ("targets", generate_targets, TARGET_DIR, OUT_TARGET_TABLES),
         "--linkservices": ("linkservices", generate_linkservices, LINK_DIR, OUT_LINK_TABLES)}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    block, make, default_dir, out = "spec", generate, "/tmp/specs", OUT_TABLES
    for flag, mode in MODES.items():
        if flag in argv:
            block, make, default_dir, out = mode
    argv = [a for a in argv if a not in MODES]
    spec_dir = argv[0] if argv else default_dir
    operations, schemas, sources = make(spec_dir)
    if not sources:
        print(f"no spec files under {spec_dir}", file=sys.stderr)
        return 1
    write_tables(operations, schemas, sources, out=out)
    write_coverage(operations, sources, block=block)
    print(f"wrote {out} ({sum(len(t) for t in operations.values())} paths, {len(schemas)} schemas) "
          f"and {OUT_COVERAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
