"""Microsoft.Resources generic resource listing: Resources_List and Resources_ListByResourceGroup.

Source for everything here unless a line says otherwise: azure-rest-api-specs
specification/resources/resource-manager/Microsoft.Resources/stable/2021-04-01/resources.json,
operations Resources_List (GET /subscriptions/{sub}/resources) and Resources_ListByResourceGroup
(GET /subscriptions/{sub}/resourceGroups/{rg}/resources), their `$filter`, `$expand` and `$top` parameters
and the GenericResourceExpanded definition. The `$filter` description there names:
  * `eq` / `ne` on location, resourceType, name, resourceGroup (and identity, plan, which the emulator's
    resources never carry);
  * `substringof(value, property)` on name and resourceGroup, several joined with and/or;
  * `tagName eq 'x' and tagValue eq 'y'`, after which "the tags for each resource are not returned";
  * `$expand` values createdTime, changedTime and provisioningState.
"""

import re
from urllib.parse import quote

from .arm import Response
from .errors import bad_request

EQ_PROPERTIES = {"location", "resourcetype", "name", "resourcegroup"}
SUBSTRING_PROPERTIES = {"name", "resourcegroup"}
# GenericResourceExpanded's top-level fields besides id/name/type/location/tags, copied when a resource has them.
EXTRA_FIELDS = ("kind", "managedBy", "sku", "plan", "identity", "extendedLocation")

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<punct>[(),])|(?P<word>[A-Za-z_][A-Za-z0-9_/]*))")


def invalid_filter(text):
    # Code and message as ARM answers a $filter it cannot use (azure-sdk-for-net issue #18748 and
    # azure-sdk-for-go issue #2480 quote both: 400 InvalidFilterInQueryString).
    return bad_request("InvalidFilterInQueryString", f"Invalid $filter '{text}' specified in the query string.")


def _tokens(text):
    pos, out = 0, []
    while text[pos:].strip():
        m = _TOKEN.match(text, pos)
        if not m:
            raise invalid_filter(text)
        pos = m.end()
        if m.group("str") is not None:
            out.append(("str", m.group("str")[1:-1].replace("''", "'")))
        elif m.group("punct"):
            out.append((m.group("punct"), m.group("punct")))
        else:
            out.append(("word", m.group("word")))
    return out


class _Parser:
    """expr := term ('or' term)* ; term := factor ('and' factor)* ;
    factor := '(' expr ')' | substringof(str, prop) | startswith(tagname, str) | prop (eq|ne) str"""

    def __init__(self, text):
        self.text = text
        self.toks = _tokens(text)
        self.i = 0
        self.tag_terms = 0
        self.other_terms = 0
        self.tag_value = False     # a tagValue condition: the results leave tags out

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, kind=None, word=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or (word and str(tok[1]).lower() != word):
            raise invalid_filter(self.text)
        self.i += 1
        return tok[1]

    def parse(self):
        node = self.expr()
        if self.i != len(self.toks):
            raise invalid_filter(self.text)
        # Tag filters stand alone: the Azure CLI refuses --tag with any other option
        # (azure-cli command_modules/resource/custom.py _list_resources_odata_filter_builder), and ARM
        # answers 400 to `tagName ... and resourceType ...` (azure-sdk-for-python issue #27064).
        if self.tag_terms and self.other_terms:
            raise invalid_filter(self.text)
        return node

    def expr(self):
        node = self.term()
        while self.peek()[0] == "word" and self.peek()[1].lower() == "or":
            self.i += 1
            node = ("or", node, self.term())
        return node

    def term(self):
        factors = [self.factor()]
        while self.peek()[0] == "word" and self.peek()[1].lower() == "and":
            self.i += 1
            factors.append(self.factor())
        # `tagName eq 'x' and tagValue eq 'y'` is one condition: the tag x has the value y.
        names = [f for f in factors if f[0] == "tagname"]
        values = [f for f in factors if f[0] == "tagvalue"]
        if values:
            if len(names) != 1 or len(values) != 1:
                raise invalid_filter(self.text)
            factors = [f for f in factors if f[0] not in ("tagname", "tagvalue")]
            factors.append(("tag", names[0][1], values[0][1]))
            self.tag_value = True
        node = factors[0]
        for f in factors[1:]:
            node = ("and", node, f)
        return node

    def factor(self):
        kind, value = self.peek()
        if kind == "(":
            self.i += 1
            node = self.expr()
            self.take(")")
            return node
        word = self.take("word").lower()
        if word == "substringof":
            self.take("(")
            needle = self.take("str")
            self.take(",")
            prop = self.take("word").lower()
            self.take(")")
            if prop not in SUBSTRING_PROPERTIES:
                raise invalid_filter(self.text)
            self.other_terms += 1
            return ("substringof", prop, needle)
        if word == "startswith":
            # `startswith(tagname, 'prefix')`: what `az resource list --tag 'prefix*'` sends
            # (azure-cli command_modules/resource/custom.py _list_resources_odata_filter_builder).
            self.take("(")
            prop = self.take("word").lower()
            self.take(",")
            prefix = self.take("str")
            self.take(")")
            if prop != "tagname":
                raise invalid_filter(self.text)
            self.tag_terms += 1
            return ("tagprefix", prefix)
        op = self.take("word").lower()
        operand = self.take("str")
        if word in ("tagname", "tagvalue"):
            if op != "eq":
                raise invalid_filter(self.text)
            self.tag_terms += 1
            return (word, operand)
        if word not in EQ_PROPERTIES or op not in ("eq", "ne"):
            raise invalid_filter(self.text)
        self.other_terms += 1
        return (op, word, operand)


def _matches(node, item):
    kind = node[0]
    if kind == "or":
        return _matches(node[1], item) or _matches(node[2], item)
    if kind == "and":
        return _matches(node[1], item) and _matches(node[2], item)
    # Tag names compare case-insensitively, values exactly: resources.json 2021-04-01 Tags_CreateOrUpdate ("a tag
    # name ... is case-insensitive") and azure-docs azure-resource-manager/management/tag-resources.md, Limitations.
    tags = {k.lower(): v for k, v in (item["tags"] or {}).items()}
    if kind == "tagname":
        return node[1].lower() in tags
    if kind == "tagprefix":
        return any(k.startswith(node[1].lower()) for k in tags)
    if kind == "tag":
        return node[1].lower() in tags and tags[node[1].lower()] == node[2]
    # Emulator convention: names, types, groups and locations compare case-insensitively, as ARM resolves
    # them everywhere else; locations also ignore spaces ('West Europe' is 'westeurope').
    if kind == "substringof":
        return node[2].lower() in item[node[1]].lower()
    prop, wanted = node[1], node[2].lower()
    have = (item[prop] or "").lower()
    if prop == "location":
        have, wanted = have.replace(" ", ""), wanted.replace(" ", "")
    return (have == wanted) if kind == "eq" else (have != wanted)


def _generic(res, expand):
    rid = res.rid
    out = {"id": str(rid), "name": rid.name, "type": res.handler.arm_type}
    for key in EXTRA_FIELDS:
        if key in res.body:
            out[key] = res.body[key]
    out["location"] = res.body.get("location") or res.handler.fixed_location
    if "tags" in res.body:   # as the resource's own GET: `tags` left out until some are set (recordings)
        out["tags"] = res.body.get("tags") or {}
    if "createdtime" in expand:
        out["createdTime"] = res.created
    if "provisioningstate" in expand:
        out["provisioningState"] = res.handler.provisioning_state(res)
    return out


def list_resources(emu, req, sub, rg=None):
    """Every top-level resource of the subscription (or of one group), in the generic shape.

    Top-level only: child resources (subnets, record sets, connections) are reached through their parent's
    own API, which is where every client in this repository reads them."""
    text = req.query.get("$filter") or ""
    parser = _Parser(text) if text.strip() else None
    node = parser.parse() if parser else None
    expand = {e.strip().lower() for e in (req.query.get("$expand") or "").split(",") if e.strip()}
    items = []
    for res in sorted(emu.store.resources.values(), key=lambda r: r.created):
        rid = res.rid
        if rid.parent() is not None or rid.subscription.lower() != sub.lower():
            continue
        if rid.namespace.lower() == "microsoft.resources":   # a template deployment is no resource (deployments.py)
            continue
        if rg is not None and rid.resource_group.lower() != rg.lower():
            continue
        out = _generic(res, expand)
        probe = {"name": rid.name, "resourcetype": out["type"], "location": out["location"],
                 "resourcegroup": rid.resource_group, "tags": out.get("tags") or {}}
        if node is not None and not _matches(node, probe):
            continue
        if parser is not None and parser.tag_value:
            out.pop("tags", None)   # resources.json $filter: filtered by tag name and value, no tags returned
        items.append(out)
    return _page(emu, req, items)


def _page(emu, req, items):
    """One page; nextLink repeats the query (filter, expand, top) with a $skiptoken, absolute and with the
    api-version, as every list's nextLink is (arm-wire-contract.md 1.1)."""
    size = emu.config["page_size"]
    top = req.query.get("$top")
    try:
        top = int(top) if top else None
    except ValueError:
        # Emulator convention (no public sample of ARM's answer): a $top that is not an integer is a 400.
        raise bad_request("BadRequest", f"The query parameter '$top' has an invalid value '{top}'.") from None
    if top is not None:
        items = items[:top]
    try:
        start = int(req.query.get("$skiptoken") or 0)
    except ValueError:
        start = 0
    body = {"value": items[start:start + size]}
    if start + size < len(items):
        query = {"api-version": req.api_version}
        for key in ("$filter", "$expand", "$top"):
            if req.query.get(key):
                query[key] = req.query[key]
        query["$skiptoken"] = str(start + size)
        body["nextLink"] = req.base_url + req.path + "?" + "&".join(
            f"{quote(k, safe='$')}={quote(v, safe='')}" for k, v in query.items())
    return Response(200, body)
