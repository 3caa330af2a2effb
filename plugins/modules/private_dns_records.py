#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: private_dns_records
short_description: Manage many record sets of an Azure Private DNS zone in one task
version_added: 0.1.0
description:
  - Creates, updates and deletes record sets (A, AAAA, CNAME, MX, PTR, SRV, TXT) of one existing
    Private DNS zone, such as the C(<registry>) and C(<registry>.<region>.data) A records of the
    Azure Container Registry Private Link procedure, in a single task.
  - Reads the zone's record sets with one list call, compares, and writes only the sets that differ.
  - Every write is conditional. An update sends C(If-Match) with the etag read, a creation sends
    C(If-None-Match) set to C(*), a deletion sends C(If-Match). A record set that someone else changed between
    the read and the write is therefore never overwritten unseen. The module reads that record set
    again, warns, and writes again only if it still differs; a second concurrent change fails the task
    naming the record set.
  - Record sets this module writes are marked in their metadata with C(managed_by=privnet.azure).
    With O(purge=true), only marked record sets that are not listed are deleted. Record sets written
    by anyone else (a private endpoint's DNS zone group, the portal, virtual machine auto-registration)
    and the zone's SOA record set are never purged.
  - A listed record set that already has the values and TTL given is left as it is, so it is not
    marked either.
  - Use M(privnet.azure.private_dns_zone) to create the zone and link it to virtual networks.
author:
  - privnet maintainers (!UNKNOWN)
options:
  zone:
    description:
      - Name of the Private DNS zone, such as V(privatelink.azurecr.io). The zone must exist.
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the zone.
    type: str
    required: true
  records:
    description:
      - The record sets to create, update (O(state=present)) or delete (O(state=absent)).
      - Each (O(records[].name), O(records[].type)) pair may appear once.
      - Everything is checked before anything is written; one bad entry fails the task with no change.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
          - Name of the record set relative to the zone, such as V(acrprivnetdemo) or
            V(acrprivnetdemo.westeurope.data) in zone V(privatelink.azurecr.io); V(@) for the zone apex.
          - A name that ends with the zone name is refused, so that V(myreg.privatelink.azurecr.io) does
            not silently become C(myreg.privatelink.azurecr.io.privatelink.azurecr.io).
          - Labels are 1 to 63 letters, digits, hyphens or underscores; V(*) is allowed as the first
            label (wildcard).
        type: str
        required: true
      type:
        description:
          - Record type.
        type: str
        default: A
        choices: [A, AAAA, CNAME, MX, PTR, SRV, TXT]
      ttl:
        description:
          - Time to live of the record set, in seconds, from 1 to 2147483647.
          - Ignored with O(state=absent).
        type: int
        default: 3600
      values:
        description:
          - The records of the set; required with O(state=present), ignored with O(state=absent).
          - V(A) - IPv4 addresses. V(AAAA) - IPv6 addresses. V(CNAME) - exactly one host name.
            V(PTR) - host names. V(MX) - C(<preference> <mail server>), such as C(10 mail.contoso.com).
            V(SRV) - C(<priority> <weight> <port> <target>), such as C(0 5 443 sip.contoso.com).
            V(TXT) - strings of up to 1024 characters each, given as a YAML list (a plain string
            with commas would be split). A string longer than 255 characters is sent as several DNS
            character-strings of at most 255 (the DNS limit) and compared joined, as it is read back.
          - Order does not matter; host names compare case-insensitively, with or without a trailing dot.
          - In check mode an A value may be V((known after apply\)), the address of an endpoint member that
            M(privnet.azure.private_endpoint) only predicts (see P(privnet.azure.members_to_records#filter)); the
            record set then shows as created or updated.
        type: list
        elements: str
  state:
    description:
      - V(present) makes each listed record set hold exactly the values and TTL given.
      - V(absent) deletes the listed record sets (matched by name and type, whoever wrote them). A zone
        that does not exist holds none of them, so that is no error.
    type: str
    default: present
    choices: [present, absent]
  purge:
    description:
      - With V(true), also delete the record sets of the zone that are not listed in O(records) and carry
        this collection's metadata marker C(managed_by=privnet.azure), that is, that this module wrote.
      - Record sets without the marker, and the SOA record set, are never deleted.
      - Only with O(state=present).
      - Several owners may share one zone (every registry's records live in C(privatelink.azurecr.io)); give
        O(owner) so that purge only deletes the record sets of that owner.
    type: bool
    default: false
  owner:
    description:
      - Who the listed record sets belong to, such as the resource id of the registry they serve. Written to
        their metadata as C(owner); a listed set with another owner is updated to this one.
      - With O(purge=true), only unlisted sets of this owner are deleted, so tasks for different registries
        sharing a zone never delete each other's records.
    type: str
  return_zone_records:
    description:
      - Also return RV(zone_records), every record set of the zone as it is after the task (in check mode, as it
        would be), built from the one list call the module makes anyway, so at no extra read.
      - For a later task that needs the whole zone, such as M(privnet.azure.private_link_check), which looks for
        stale records among them (its O(privnet.azure.private_link_check#module:zones[].records)).
    type: bool
    default: false
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff shows the TTL, values and metadata of the record sets created, updated or deleted,
        before and after, keyed C(<type> <name>).
  idempotent:
    support: full
notes:
  - Record set writes in Private DNS are synchronous, so this module has no O(ignore:wait) option.
  - The read is one list call for the whole zone, whatever the number of records.
seealso:
  - module: privnet.azure.private_dns_zone
  - name: Azure Private Endpoint DNS configuration
    description: Which zone and record names each service needs.
    link: https://learn.microsoft.com/azure/private-link/private-endpoint-dns
  - name: Connect privately to an Azure container registry using Azure Private Link
    description: The procedure the A records of the examples come from.
    link: https://learn.microsoft.com/azure/container-registry/container-registry-private-link
"""

EXAMPLES = r"""
- name: A records of a geo-replicated registry behind a private endpoint (ACR Private Link procedure)
  privnet.azure.private_dns_records:
    zone: privatelink.azurecr.io
    resource_group: rg-dns
    records:
      - {name: acrprivnetdemo, values: ["10.20.1.4"], ttl: 3600}
      - {name: acrprivnetdemo.westeurope.data, values: ["10.20.1.5"]}
      - {name: acrprivnetdemo.eastus.data, values: ["10.20.1.6"]}

- name: Keep exactly these records; delete the ones this collection wrote earlier and no longer lists
  privnet.azure.private_dns_records:
    zone: privatelink.contoso.internal
    resource_group: rg-dns
    purge: true
    records:
      - {name: api, type: A, values: ["10.1.0.10", "10.1.0.11"]}
      - {name: www, type: CNAME, values: [api.privatelink.contoso.internal]}
      - {name: "@", type: TXT, values: ["owner=platform-team"]}
      - {name: _sip._tcp, type: SRV, values: ["0 5 5060 sip.privatelink.contoso.internal"]}

- name: Remove the data record of a replica that was deleted
  privnet.azure.private_dns_records:
    zone: privatelink.azurecr.io
    resource_group: rg-dns
    state: absent
    records:
      - {name: acrprivnetdemo.eastus.data}
"""

RETURN = r"""
records:
  description:
    - One entry per listed record set, then one per record set deleted by O(purge).
    - In check mode, as they would be.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the record set, relative to the zone.
      type: str
      returned: always
      sample: acrprivnetdemo.westeurope.data
    type:
      description: Record type.
      type: str
      returned: always
      sample: A
    ttl:
      description: Time to live in seconds (before deletion, for a deleted record set).
      type: int
      returned: always
      sample: 3600
    values:
      description: The records, in the format of O(records[].values) (before deletion, for a deleted record set).
      type: list
      elements: str
      returned: always
      sample: ["10.20.1.5"]
    fqdn:
      description: Fully qualified name, with the trailing dot, as Azure returns it.
      type: str
      returned: always
      sample: acrprivnetdemo.westeurope.data.privatelink.azurecr.io.
    action:
      description:
        - What the task did to the record set; V(unchanged) also for a record set to delete that did
          not exist.
      type: str
      returned: always
      sample: created
      choices: [created, updated, deleted, unchanged]
zone_records:
  description:
    - Every record set of the zone after the task, the SOA record set included, sorted by name and type; in check
      mode, as they would be. Empty when the zone does not exist.
    - Built from the module's one list call and the writes it made; nothing more is read.
  returned: when O(return_zone_records=true)
  type: list
  elements: dict
  contains:
    name:
      description: Name of the record set, relative to the zone.
      type: str
      returned: always
      sample: acrprivnetdemo
    type:
      description: Record type.
      type: str
      returned: always
      sample: A
    ttl:
      description: Time to live in seconds.
      type: int
      returned: always
      sample: 3600
    values:
      description: The records, in the format of O(records[].values).
      type: list
      elements: str
      returned: always
      sample: ["10.20.1.4"]
"""

from ansible_collections.privnet.azure.plugins.module_utils._arm import response_json
from ansible_collections.privnet.azure.plugins.module_utils._armjson import PRIVATE_DNS_API, properties
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureError, AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import ABSENT, Difference
from ansible_collections.privnet.azure.plugins.module_utils._dns import (
    OWNER_KEY,
    OWNER_NAME_KEY,
    OWNER_VALUE,
    MAX_TTL,
    MIN_TTL,
    RECORD_TYPES,
    describe_zone,
    etag_condition,
    fqdn,
    is_owned,
    is_precondition_failure,
    metadata_of,
    owner_of,
    record_name,
    record_set_id,
    record_type_of,
    record_values,
    records_wire,
    same_values,
    ttl_of,
    values_of,
    zone_id,
)
from ansible_collections.privnet.azure.plugins.module_utils._privatelink import KNOWN_AFTER_APPLY
from ansible_collections.privnet.azure.plugins.module_utils._validate import dns_zone_name
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name

RECORD_SPEC = dict(
    name=dict(type="str", required=True),
    type=dict(type="str", default="A", choices=list(RECORD_TYPES)),
    ttl=dict(type="int", default=3600),
    values=dict(type="list", elements="str"),
)

ARGUMENT_SPEC = dict(
    zone=dict(type="str", required=True),
    resource_group=dict(type="str", required=True),
    records=dict(type="list", elements="dict", options=RECORD_SPEC, default=[]),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    purge=dict(type="bool", default=False),
    owner=dict(type="str"),
    return_zone_records=dict(type="bool", default=False),
)

CREATED = "created"
UPDATED = "updated"
DELETED = "deleted"
UNCHANGED = "unchanged"
_PRECONDITION_FAILED = object()


class Item:
    """One record set the task looks at: what is wanted, what was read, and what to do."""

    def __init__(self, name, record_type, ttl=None, values=None, option=None, delete=False, purged=False,
                 owner=None):
        self.name = name
        self.owner = owner            # the owner option: claimed by writes, scopes purge
        self.type = record_type
        self.ttl = ttl
        self.values = values
        self.option = option          # "records[3]", or None for a purged set
        self.delete = delete          # state=absent or purge
        self.purged = purged
        self.current = None           # the record set read (Azure's JSON), or None
        self.action = UNCHANGED
        self.result = None            # the record set Azure returned after the write

    @property
    def key(self):
        return (self.name.lower(), self.type)

    def label(self):
        return f"record set '{self.name}' ({self.type})"

    def plan(self, current):
        """Decide the action from ``current`` (the set as read, or None)."""
        self.current = current
        if self.delete:
            if current is None or (self.purged and not is_owned(current)):
                self.action = UNCHANGED
            else:
                self.action = DELETED
        elif current is None:
            self.action = CREATED
        elif ttl_of(current) != self.ttl or not same_values(self.type, self.values, values_of(current)) \
                or (self.owner is not None and owner_of(current) != self.owner):
            self.action = UPDATED
        else:
            self.action = UNCHANGED
        return self.action

    def body(self):
        """REST-shaped record set: TTL, records and the metadata read, plus the ownership marker."""
        metadata = {k: v for k, v in (metadata_of(self.current) if self.current else {}).items()
                    if k.lower() != OWNER_KEY}
        metadata[OWNER_KEY] = OWNER_VALUE
        if self.owner is not None:
            metadata[OWNER_NAME_KEY] = self.owner
        properties = {"ttl": self.ttl, "metadata": metadata}
        properties.update(records_wire(self.type, self.values))
        return {"properties": properties}

    def state(self, zone, after):
        """{ttl, values, metadata} before (after=False) or after (after=True) the action; None if absent."""
        if not after or self.action == UNCHANGED:
            rs = self.current
            if rs is None:
                return None
            return {"ttl": ttl_of(rs), "values": values_of(rs), "metadata": metadata_of(rs)}
        if self.action == DELETED:
            return None
        if self.result is not None:
            rs = self.result
            return {"ttl": ttl_of(rs), "values": values_of(rs), "metadata": metadata_of(rs)}
        return {"ttl": self.ttl, "values": list(self.values), "metadata": self.body()["properties"]["metadata"]}

    def returned(self, zone):
        rs = self.result if self.result is not None else self.current
        if self.action in (CREATED, UPDATED) and self.result is None:   # check mode
            ttl, values, name_fqdn = self.ttl, list(self.values), fqdn(self.name, zone)
        elif rs is not None:
            ttl, values, name_fqdn = ttl_of(rs), values_of(rs), properties(rs).get("fqdn") or fqdn(self.name, zone)
        else:
            ttl, values, name_fqdn = None, [], fqdn(self.name, zone)
        return {"name": rs.get("name") if rs is not None and rs.get("name") else self.name, "type": self.type,
                "ttl": ttl,
                "values": values, "fqdn": name_fqdn, "action": self.action}


def parse_records(module, zone):
    """Check every listed record before any call; return the Items."""
    params = module.params
    present = params["state"] == "present"
    items, seen = [], {}
    for index, record in enumerate(params["records"]):
        option = f"records[{index}]"
        name = module.validated(record_name, record["name"], zone, f"{option}.name")
        ttl = record["ttl"]
        values = None
        if present:
            if not MIN_TTL <= ttl <= MAX_TTL:
                module.fail_json(msg=f"{option}.ttl: {ttl} is out of range; a TTL is {MIN_TTL} to {MAX_TTL} seconds")
            values = module.validated(record_values, record["type"], record["values"], f"{option}.values")
            if KNOWN_AFTER_APPLY in values and not module.check_mode:
                module.fail_json(msg=f"{option}.values: {KNOWN_AFTER_APPLY!r} stands for an address Azure gives when "
                                     "the private endpoint is created (check mode predicts it); give the address")
        item = Item(name, record["type"], ttl, values, option, delete=not present, owner=params["owner"])
        if item.key in seen:
            module.fail_json(msg=f"{option}: the {record['type']} record set '{name}' is already listed as "
                                 f"{seen[item.key]}; list each name and type once, with all its values")
        seen[item.key] = option
        items.append(item)
    return items


def read_record_sets(module, arm, zone_rid):
    """Every record set of the zone in ONE list call (record type ALL, paged), or None if no zone."""
    return arm.list_or_none(f"{zone_rid}/ALL", PRIVATE_DNS_API,
                            what=f"listing the record sets of {describe_zone(zone_rid.resource_group, zone_rid.name)}")


def check_cname_conflicts(module, items, current):
    """A CNAME owns its name: refuse, before any write, a result where it shares it with another type."""
    final = set(current)
    for item in items:
        if item.action == DELETED:
            final.discard(item.key)
        elif not item.delete:
            final.add(item.key)
    by_name = {}
    for name, kind in final:
        by_name.setdefault(name, set()).add(kind)
    for item in items:
        kinds = by_name.get(item.name.lower(), set())
        if item.delete or len(kinds) < 2 or "CNAME" not in kinds:
            continue
        others = sorted(kinds - {item.type})
        module.fail_json(msg=f"{item.option}: a CNAME record set cannot share the name '{item.name}' with "
                             f"{', '.join(others)} record sets; remove the other record set (state=absent) or "
                             "use another name")


def write(module, arm, zone_rid, item):
    """Apply one item with its etag condition. On a 412 (someone wrote the set since the read), read
    it again, warn, and write again only if it still differs; a second 412 fails naming the set."""
    where = f"{item.label()} in {describe_zone(zone_rid.resource_group, zone_rid.name)}"
    resource_id = record_set_id(zone_rid, item.type, item.name)
    for attempt in (1, 2):
        etag = item.current.get("etag") if item.current is not None else None
        if item.action == DELETED:
            outcome = module.call(_guard(arm.send), "DELETE", resource_id, PRIVATE_DNS_API,
                                  headers=etag_condition(etag) if etag else None, what=f"deleting {where}")
        else:
            outcome = module.call(_guard(put_record_set), arm, resource_id, item.body(), etag_condition(etag),
                                  what=f"{'updating' if item.current is not None else 'creating'} {where}")
        if outcome is not _PRECONDITION_FAILED:
            item.result = outcome if item.action != DELETED else None
            return
        if attempt == 2:
            module.fail_json(msg=f"{where} was changed by someone else again while this task was writing it "
                                 "(HTTP 412, precondition failed); nothing of theirs was overwritten. Check who "
                                 "else manages this zone, then run the task again.")
        fresh = arm.get(resource_id, PRIVATE_DNS_API, what=f"reading {where} again")
        before = item.action
        if item.plan(fresh) == UNCHANGED:
            module.warn(f"{where} was changed by someone else after it was read; it now needs no change "
                        f"(planned: {before}), so it was left as is")
            return
        module.warn(f"{where} was changed by someone else after it was read; read it again and "
                    f"{item.action.rstrip('d')} it on top of that change")


def put_record_set(arm, resource_id, body, headers):
    """One PUT of a record set (synchronous in Private DNS); Azure's answer."""
    return response_json(arm.send("PUT", resource_id, PRIVATE_DNS_API, body, headers=headers))


def _guard(fn):
    """Run ``fn``; a 412 comes back as _PRECONDITION_FAILED instead of failing the task."""
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AzureError as exc:
            if is_precondition_failure(exc):
                return _PRECONDITION_FAILED
            raise
    return run


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params

    # 1. Parse and validate everything, before any call to Azure.
    zone = module.validated(dns_zone_name, params["zone"], "zone")
    resource_group = module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    if params["purge"] and params["state"] == "absent":
        module.fail_json(msg="purge: only with state=present (purge keeps the listed record sets and deletes "
                             "the other ones this collection wrote)")
    items = parse_records(module, zone)

    # 2. Read the zone's record sets, all types, in one list call.
    arm = module.arm()
    zone_rid = zone_id(module.subscription_id, resource_group, zone)
    record_sets = read_record_sets(module, arm, zone_rid)
    if record_sets is None and params["state"] == "absent":
        record_sets = []   # no zone, so none of its record sets either: nothing to delete
    if record_sets is None:
        if not module.check_mode:
            module.fail_json(msg=f"{describe_zone(resource_group, zone)} was not found; create it first "
                                 "(privnet.azure.private_dns_zone), or fix zone and resource_group")
        module.warn(f"{describe_zone(resource_group, zone)} does not exist (yet); check mode shows every "
                    "listed record set as created")
        record_sets = []
    current = {(rs["name"].lower(), record_type_of(rs)): rs for rs in record_sets}

    # 3. Compare: listed record sets, then (purge) the marked ones not listed. SOA is never a candidate.
    listed = {item.key for item in items}
    for item in items:
        item.plan(current.get(item.key))
    purged = []
    if params["purge"]:
        for key, rs in current.items():
            if key not in listed and key[1] in RECORD_TYPES and is_owned(rs) \
                    and (params["owner"] is None or owner_of(rs) == params["owner"]):
                item = Item(rs["name"], key[1], delete=True, purged=True)
                item.plan(rs)
                purged.append(item)
    everything = items + purged
    check_cname_conflicts(module, everything, current)

    # 4. Apply unless in check mode: deletions first (a CNAME may replace an A set), then updates, then creations.
    if not module.check_mode:
        for action in (DELETED, UPDATED, CREATED):
            for item in everything:
                if item.action == action:
                    write(module, arm, zone_rid, item)

    # 5. Return.
    touched = [item for item in everything if item.action != UNCHANGED]
    diff = Difference()
    for item in touched:
        before, after = item.state(zone, False), item.state(zone, True)
        diff.add(f"{item.type} {item.name}", ABSENT if before is None else before, ABSENT if after is None else after,
                 changed=True)
    result = dict(records=[item.returned(zone) for item in everything])
    if params["return_zone_records"]:
        result["zone_records"] = zone_after(current, everything, zone)
    module.exit(changed=bool(touched), diff=diff, **result)


def zone_after(current, items, zone):
    """Every record set of the zone after the task: the sets read, with each item's outcome applied (the set Azure
    returned, as it would be in check mode, the set read again after a conflict, or gone)."""
    after = {key: {"name": rs["name"], "type": key[1], "ttl": ttl_of(rs), "values": values_of(rs)}
             for key, rs in current.items()}
    for item in items:
        if item.action == DELETED or (item.action == UNCHANGED and item.current is None):
            after.pop(item.key, None)
        elif item.action in (CREATED, UPDATED) or item.current is not None:
            returned = item.returned(zone)
            after[item.key] = {"name": returned["name"], "type": item.type, "ttl": returned["ttl"],
                               "values": returned["values"]}
    return sorted(after.values(), key=lambda r: (r["name"].lower(), r["type"]))


if __name__ == "__main__":
    main()
