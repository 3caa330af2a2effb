"""Microsoft.Network Private DNS: privateDnsZones, virtualNetworkLinks and record sets (api 2024-06-01).

Zones and links answer writes as Private DNS does (202 {} + privateDnsOperationStatuses/Results); record
sets are synchronous (201/200, DELETE 200). Zones and record sets carry a bare GUID etag, links a quoted one.
Sources: arm-wire-contract.md §1.1, §1.7, §2; ASO Test_Networking_PrivateDnsZone_CRUD.yaml; azure-cli
test_CrudRecordSet_ARecord_ExpectCrudSuccessful.yaml.

Other providers write zone records through `set_a_record` / `delete_a_record` / `get_zone` (below).

A link's resolutionPolicy (api 2024-06-01) is Default (when absent) or NxDomainRedirect; any other value is refused
  with 400 BadRequest (Microsoft Learn dns/private-dns-fallback.md, "Limitations": only these two values; the exact
  error code is not documented). The policy only changes DNS answers for Private Link zones (dnsserver.py); on other
  zones it is stored and shown but has no effect (same article: the policy is only available for zones associated
  to Private Link resources; whether the API refuses it on other zones is not documented, so it is accepted).
Emulator convention: a link's VNet is checked when its operation ends, as the real service does (ASO recording:
  the link PUT is accepted before its VNet exists). A missing VNet fails the operation with BadRequest
  "Virtual network resource not found for '{id}'" (azure-cli #23351); a second zone of the same name linked to
  the same VNet fails it with BadRequest "A virtual network cannot be linked to multiple zones with overlapping
  namespaces..." (ARO-RP #796). A failed link stays, with provisioningState Failed, and does not resolve.
Emulator convention: a second link (other name) between the same zone and VNet is refused at once with 409
  Conflict "Private zone '{zone}' is already linked to the virtual network '{id}'." (ansible azure #813).
Emulator convention: changing an existing link's virtualNetwork is refused with 400 BadRequest.
Emulator convention: a VNet may have registrationEnabled links to one zone only; a second one fails the link's
  operation with BadRequest.
Emulator convention: zones and links need `location` (400 LocationRequired when absent) and it must be
  "global" (400 LocationNotAvailableForResourceType otherwise).
Emulator convention: malformed zone names (empty label, label over 63 characters, name over 253 characters,
  characters other than letters, digits, '-' and '_') are refused with 400 BadRequest; the single-label
  message is the real one (crossplane-contrib #19).
Emulator convention: record sets: ttl defaults to 3600 when absent and must be 0..2147483647; bad IPv4/IPv6
  addresses, a CNAME next to another type at the same name, an SOA set not named '@', deleting the SOA set and
  numeric fields out of range are refused with 400 BadRequest. Record kinds that do not belong to the set's
  type are ignored.
Emulator convention: the SOA set of a new zone is host azureprivatedns.net, email
  azureprivatedns-host.microsoft.com, serial 1, refresh 3600, retry 300, expire 2419200, minimum TTL 10, TTL 3600.
"""

import base64
import copy
import ipaddress
import re

from ..arm import PRIVATE_DNS, SYNC, ResourceType
from ..errors import ArmError, bad_request
from ..ids import ResourceId, new_guid, same_id
from ..store import Resource

ZONES = ("privateDnsZones",)
RECORD_KEYS = {"A": "aRecords", "AAAA": "aaaaRecords", "CNAME": "cnameRecord", "MX": "mxRecords",
               "PTR": "ptrRecords", "SOA": "soaRecord", "SRV": "srvRecords", "TXT": "txtRecords"}
MAX_TTL = 2147483647
LABEL_RE = re.compile(r"^[A-Za-z0-9_-]+$")
RECORD_LABEL_RE = re.compile(r"^(\*|[A-Za-z0-9_-]+)$")
SOA_DEFAULT = {"host": "azureprivatedns.net", "email": "azureprivatedns-host.microsoft.com", "serialNumber": 1,
               "refreshTime": 3600, "retryTime": 300, "expireTime": 2419200, "minimumTtl": 10}


# ---- the interface other providers use (DNS zone groups write A records) ------------------------------
def get_zone(emu, zone_id):
    """The stored zone Resource for an id, or None."""
    rid = ResourceId.parse(zone_id or "")
    if rid is None or len(rid.pairs) != 1 or rid.types[0].lower() != "privatednszones":
        return None
    with emu.store.lock:
        return emu.store.get(rid.key)


def set_a_record(emu, zone_id, relative_name, ips, ttl=10, owner=None):
    """Create or replace the A record set `relative_name` in a zone. Returns the Resource (None: no zone)."""
    with emu.store.lock:
        zone = get_zone(emu, zone_id)
        if zone is None:
            return None
        rid = zone.rid.child("A", relative_name)
        res = emu.store.get(rid.key)
        body = {"properties": {"ttl": ttl, "aRecords": [{"ipv4Address": ip} for ip in ips]}}
        if owner is not None:
            body["owner"] = owner   # kept out of the rendered resource
        if res is None:
            res = Resource(rid, emu.engine.handler_for("Microsoft.Network", ("privateDnsZones", "A")), body)
        else:
            res.body = body
            res.etag = new_guid()
        emu.store.put(res)
        return res


def delete_a_record(emu, zone_id, relative_name, owner=None):
    """Delete an A record set; with `owner`, only when that owner wrote it. Returns True when deleted."""
    with emu.store.lock:
        zone = get_zone(emu, zone_id)
        if zone is None:
            return False
        res = emu.store.get(zone.rid.child("A", relative_name).key)
        if res is None or (owner is not None and res.body.get("owner") != owner):
            return False
        emu.engine.remove_now(res)
        return True


def is_private_link_zone(name):
    """A zone named like the Private Link zones of private-endpoint-dns.md: one of its labels starts with
    'privatelink' (privatelink.azurecr.io, westeurope.data.privatelink.azurecr.io, privatelink-global.wvd...)."""
    return any(label.startswith("privatelink") for label in name.lower().rstrip(".").split("."))


def zone_name(zone_res):
    return zone_res.rid.name.lower()


def record_sets(emu, zone_key):
    """Every record set of a zone (all types), oldest first."""
    return [r for r in emu.store.children(zone_key) if r.rid.types[-1].upper() in RECORD_KEYS]


def links_of(emu, zone_key):
    return emu.store.children(zone_key, "virtualNetworkLinks")


def link_is_active(res):
    """A link resolves once its first operation has ended well, until it is gone."""
    return res.provisioning_state == "Succeeded" and getattr(res, "completed", False)


def active_links_to(emu, vnet_id):
    """(link, zone) pairs of the links that make a VNet resolve a zone."""
    out = []
    for link in emu.store.of_type("Microsoft.Network", ("privateDnsZones", "virtualNetworkLinks")):
        if link_is_active(link) and same_id((link.properties.get("virtualNetwork") or {}).get("id"), vnet_id):
            zone = emu.store.get(link.rid.parent().key)
            if zone is not None:
                out.append((link, zone))
    return out


def require_global_location(body):
    location = body.get("location")
    if not location:
        raise bad_request("LocationRequired", "The location property is required for this definition.")
    return location


class PrivateDnsType(ResourceType):
    """What zones and links share: Private DNS LROs, location global."""
    lro_style = PRIVATE_DNS
    fixed_location = "global"
    duration = 30.0
    retry_after = 30
    create_state = "Creating"

    def validate(self, req, rid, body, existing):
        location = require_global_location(body)
        if location.replace(" ", "").lower() != "global":
            raise bad_request("LocationNotAvailableForResourceType",
                              f"The provided location '{location}' is not available for resource type "
                              f"'{self.arm_type}'. List of available regions for the resource type is 'global'.")
        new = self.default_body(rid, body)
        return new

    def render(self, res):
        out = super().render(res)
        out["location"] = "global"
        return out


# ---- zones ---------------------------------------------------------------------------------------
def check_zone_name(name):
    if len(name) > 253:
        raise bad_request("BadRequest", f"The zone name '{name}' is invalid: a zone name can be at most 253 "
                                        "characters long.")
    labels = name.split(".")
    if len(labels) < 2:
        raise bad_request("BadRequest", f"The zone name '{name}' does not have enough labels. Zone names must "
                                        "have two or more labels.")
    for label in labels:
        if not label:
            raise bad_request("BadRequest", f"The zone name '{name}' is invalid: it has an empty label.")
        if len(label) > 63:
            raise bad_request("BadRequest", f"The zone name '{name}' is invalid: the label '{label}' is longer "
                                            "than 63 characters.")
        if not LABEL_RE.match(label) or label.startswith("-") or label.endswith("-"):
            raise bad_request("BadRequest", f"The zone name '{name}' is invalid: the label '{label}' may only "
                                            "contain letters, digits, '-' and '_' and may not start or end with "
                                            "'-'.")


class PrivateZone(PrivateDnsType):
    types = ZONES
    etag_style = "bare"

    def validate(self, req, rid, body, existing):
        check_zone_name(rid.name)
        new = super().validate(req, rid, body, existing)
        new["properties"] = {}   # every zone property is read-only
        return new

    def after_write(self, req, res, before):
        if before is None:
            soa = res.rid.child("SOA", "@")
            handler = self.emu.engine.handler_for("Microsoft.Network", ("privateDnsZones", "SOA"))
            self.store.put(Resource(soa, handler, {"properties": {"ttl": 3600, "soaRecord": dict(SOA_DEFAULT)}}))

    def check_delete(self, req, res):
        if links_of(self.emu, res.key):
            raise ArmError(409, "CannotDeleteResource", "Can not delete resource before nested resources are deleted.")

    def render_properties(self, res):
        links = links_of(self.emu, res.key)
        internal = base64.b64encode(f"Id;{res.guid};{res.rid.name}".encode()).decode()
        return {"maxNumberOfRecordSets": 25000, "maxNumberOfVirtualNetworkLinks": 1000,
                "maxNumberOfVirtualNetworkLinksWithRegistration": 100,
                "numberOfRecordSets": len(record_sets(self.emu, res.key)),
                "numberOfVirtualNetworkLinks": len(links),
                "numberOfVirtualNetworkLinksWithRegistration":
                    sum(1 for link in links if link.properties.get("registrationEnabled")),
                "internalId": internal}


# ---- virtual network links -------------------------------------------------------------------------
class VirtualNetworkLink(PrivateDnsType):
    types = ("privateDnsZones", "virtualNetworkLinks")
    etag_style = "quoted"

    def validate(self, req, rid, body, existing):
        new = super().validate(req, rid, body, existing)
        new["properties"] = self.link_properties(rid, body.get("properties") or {}, existing)
        return new

    def patch(self, req, rid, body, existing):
        new = super().patch(req, rid, body, existing)
        merged = copy.deepcopy(existing.properties)
        merged.update(body.get("properties") or {})
        new["properties"] = self.link_properties(rid, merged, existing)
        return new

    def link_properties(self, rid, props, existing):
        vnet_id = (props.get("virtualNetwork") or {}).get("id")
        if not vnet_id:
            raise bad_request("BadRequest", "The virtual network of a virtual network link must be specified.")
        vnet_rid = ResourceId.parse(vnet_id)
        if vnet_rid is None or [t.lower() for t in vnet_rid.types] != ["virtualnetworks"] or \
                vnet_rid.namespace.lower() != "microsoft.network":
            raise bad_request("BadRequest", f"The virtual network resource id '{vnet_id}' is invalid.")
        if existing is not None and not same_id(
                (existing.properties.get("virtualNetwork") or {}).get("id"), vnet_id):
            raise bad_request("BadRequest", f"The virtual network of virtual network link '{rid.name}' cannot be "
                                            "changed. Delete the link and create a new one.")
        zone_key = rid.parent().key
        for other in links_of(self.emu, zone_key):
            if other.key != rid.key and same_id((other.properties.get("virtualNetwork") or {}).get("id"), vnet_id):
                raise ArmError(409, "Conflict", f"Private zone '{rid.parent().name}' is already linked to the "
                                                f"virtual network '{vnet_id}'.")
        registration = props.get("registrationEnabled", False)
        if not isinstance(registration, bool):
            raise bad_request("BadRequest", "The specified virtual network link registration setting is invalid.")
        policy = props.get("resolutionPolicy") or "Default"
        canonical = next((p for p in ("Default", "NxDomainRedirect") if p.lower() == str(policy).lower()), None)
        if canonical is None:
            raise bad_request("BadRequest", f"The resolution policy '{policy}' is invalid. Allowed values are "
                                            "'Default' and 'NxDomainRedirect'.")
        # Keep the VNet id as the client spelt it; read-only fields sent back by a client are dropped.
        return {"virtualNetwork": {"id": vnet_id}, "registrationEnabled": registration,
                "resolutionPolicy": canonical}

    def put_finished(self, res, op):
        """The service checks the VNet when the operation runs; failures fail the operation."""
        error = self.link_error(res)
        if error:
            op.error = {"code": "BadRequest", "message": error, "details": []}
            res.provisioning_state = "Failed"
            return
        res.completed = True

    def link_error(self, res):
        vnet_id = res.properties["virtualNetwork"]["id"]
        if self.store.get(vnet_id) is None:
            return f"Virtual network resource not found for '{vnet_id}'"
        zone = self.store.get(res.rid.parent().key)
        for link, other_zone in active_links_to(self.emu, vnet_id):
            if other_zone.key == zone.key:
                continue
            if zone_name(other_zone) == zone_name(zone):
                return ("A virtual network cannot be linked to multiple zones with overlapping namespaces. You "
                        f"tried to link virtual network with '{other_zone.rid.name}' and '{zone.rid.name}' zones.")
            if res.properties.get("registrationEnabled") and link.properties.get("registrationEnabled"):
                return (f"Virtual network '{vnet_id}' is already linked with registration enabled to private "
                        f"zone '{other_zone.rid.name}'. A virtual network can have registration enabled on one "
                        "private zone only.")
        return None

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        props["virtualNetworkLinkState"] = "InProgress" if res.pending_op and res.transient_state != "Deleting" \
            else "Completed"
        return props


# ---- record sets --------------------------------------------------------------------------------------
def invalid(message):
    return bad_request("BadRequest", message)


def check_int(value, name, low, high, what):
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise invalid(f"The value '{value}' of {what} property '{name}' is invalid. It must be an integer "
                      f"between {low} and {high}.")
    return value


def check_host(value, what):
    if not isinstance(value, str) or not value.strip():
        raise invalid(f"The {what} of the record is required.")
    return value


class RecordSet(ResourceType):
    """One record type's sets: privateDnsZones/{zone}/{TYPE}/{name}. Subclasses check their records."""
    lro_style = SYNC
    etag_style = "bare"
    has_location = False
    record_type = None

    @property
    def record_key(self):
        return RECORD_KEYS[self.record_type]

    def validate(self, req, rid, body, existing):
        return self.record_body(rid, body.get("properties") or {}, existing)

    def patch(self, req, rid, body, existing):
        props = copy.deepcopy(existing.properties)
        props.update(body.get("properties") or {})
        return self.record_body(rid, props, existing)

    def record_body(self, rid, props, existing):
        self.check_name(rid)
        self.check_neighbours(rid)
        ttl = props.get("ttl")
        ttl = 3600 if ttl is None else check_int(ttl, "ttl", 0, MAX_TTL, "the record set")
        out = {"ttl": ttl}
        metadata = props.get("metadata")
        if metadata:
            out["metadata"] = dict(metadata)
        records = props.get(self.record_key)
        out[self.record_key] = self.check_records(rid, records, existing)
        if out[self.record_key] is None:
            del out[self.record_key]
        body = {"properties": out}
        if existing is not None and "owner" in existing.body:
            body["owner"] = existing.body["owner"]   # a zone group still owns a set a user rewrote
        return body

    def check_name(self, rid):
        name = rid.name
        if name == "@":
            return
        zone = rid.parent().name
        labels = name.split(".")
        if len(name) + len(zone) + 1 > 253 or any(len(l) > 63 or not RECORD_LABEL_RE.match(l) for l in labels):
            raise invalid(f"The record set name '{name}' is invalid.")

    def check_neighbours(self, rid):
        """A CNAME set owns its name: no other type may share it (and no CNAME beside another type)."""
        zone_key = rid.parent().key
        for other in record_sets(self.emu, zone_key):
            if other.rid.name.lower() != rid.name.lower():
                continue
            other_type = other.rid.types[-1].upper()
            if other_type == self.record_type:
                continue
            if self.record_type == "CNAME" or other_type == "CNAME":
                raise invalid(f"The record set '{rid.name}' of type {self.record_type} cannot be created because a "
                              f"record set of type {other_type} with the same name exists. A CNAME record set "
                              "cannot share its name with record sets of other types.")

    def check_records(self, rid, records, existing):
        """Return the records to store (a list by default); raise on bad ones."""
        if records is None:
            return []
        if not isinstance(records, list):
            raise invalid(f"The property '{self.record_key}' must be a list.")
        return [self.check_record(rid, dict(r or {})) for r in records]

    def check_record(self, rid, record):
        return record

    def render(self, res):
        zone = res.rid.parent().name
        props = {}
        if res.properties.get("metadata"):
            props["metadata"] = copy.deepcopy(res.properties["metadata"])
        props["fqdn"] = f"{zone}." if res.rid.name == "@" else f"{res.rid.name}.{zone}."
        props["ttl"] = res.properties.get("ttl")
        if self.record_key in res.properties:
            props[self.record_key] = copy.deepcopy(res.properties[self.record_key])
        props["isAutoRegistered"] = False
        return {"id": str(res.rid), "name": res.rid.name, "type": self.arm_type, "etag": self.etag_text(res),
                "properties": props}

    def list_children(self, req, parent):
        items = self.store.children(parent.key, self.types[-1])
        return filter_suffix(req, items)


def filter_suffix(req, items):
    suffix = (req.query.get("$recordsetnamesuffix") or "").strip(".").lower()
    if not suffix:
        return items
    return [r for r in items if r.rid.name.lower().endswith("." + suffix)]


class ARecordSet(RecordSet):
    types, record_type = ("privateDnsZones", "A"), "A"

    def check_record(self, rid, record):
        try:
            ipaddress.IPv4Address(record.get("ipv4Address"))
        except (ValueError, TypeError):
            raise invalid(f"The IPv4 address '{record.get('ipv4Address')}' in record set '{rid.name}' is invalid.")
        return {"ipv4Address": record["ipv4Address"]}


class AaaaRecordSet(RecordSet):
    types, record_type = ("privateDnsZones", "AAAA"), "AAAA"

    def check_record(self, rid, record):
        try:
            ipaddress.IPv6Address(record.get("ipv6Address"))
        except (ValueError, TypeError):
            raise invalid(f"The IPv6 address '{record.get('ipv6Address')}' in record set '{rid.name}' is invalid.")
        return {"ipv6Address": record["ipv6Address"]}


class CnameRecordSet(RecordSet):
    types, record_type = ("privateDnsZones", "CNAME"), "CNAME"

    def check_records(self, rid, records, existing):
        if records is None:
            return None   # a CNAME set may be empty: the key is then absent
        if not isinstance(records, dict):
            raise invalid("The property 'cnameRecord' must be an object.")
        return {"cname": check_host(records.get("cname"), "cname")}


class MxRecordSet(RecordSet):
    types, record_type = ("privateDnsZones", "MX"), "MX"

    def check_record(self, rid, record):
        return {"preference": check_int(record.get("preference"), "preference", 0, 65535, "an MX record"),
                "exchange": check_host(record.get("exchange"), "exchange")}


class PtrRecordSet(RecordSet):
    types, record_type = ("privateDnsZones", "PTR"), "PTR"

    def check_record(self, rid, record):
        return {"ptrdname": check_host(record.get("ptrdname"), "ptrdname")}


class SrvRecordSet(RecordSet):
    types, record_type = ("privateDnsZones", "SRV"), "SRV"

    def check_record(self, rid, record):
        out = {k: check_int(record.get(k), k, 0, 65535, "an SRV record") for k in ("priority", "weight", "port")}
        out["target"] = check_host(record.get("target"), "target")
        return out


class TxtRecordSet(RecordSet):
    types, record_type = ("privateDnsZones", "TXT"), "TXT"

    def check_record(self, rid, record):
        value = record.get("value")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(f"The value of a TXT record in record set '{rid.name}' must be a list of strings.")
        if sum(len(v) for v in value) > 1024:
            raise invalid(f"A TXT record in record set '{rid.name}' is longer than 1024 characters.")
        return {"value": list(value)}


class SoaRecordSet(RecordSet):
    types, record_type = ("privateDnsZones", "SOA"), "SOA"

    def check_name(self, rid):
        if rid.name != "@":
            raise invalid(f"The SOA record set must be named '@', not '{rid.name}'.")

    def check_records(self, rid, records, existing):
        current = dict((existing.properties.get("soaRecord") if existing else None) or SOA_DEFAULT)
        for key, value in (records or {}).items():
            if key in ("host", "serialNumber"):
                continue   # set by the service
            if key == "email":
                current[key] = check_host(value, "email")
            elif key in SOA_DEFAULT and value is not None:
                current[key] = check_int(value, key, 0, MAX_TTL, "the SOA record")
        return current

    def check_delete(self, req, res):
        raise invalid("The SOA record set of a zone cannot be deleted.")


class AllRecordSets(ResourceType):
    """GET privateDnsZones/{zone}/ALL (the SDK sends 'aLL'): every record set of the zone."""
    types = ("privateDnsZones", "ALL")
    lro_style = SYNC
    etag_style = "bare"
    has_location = False

    def validate(self, req, rid, body, existing):
        raise invalid("The record type 'ALL' is only valid for listing record sets.")

    def list_children(self, req, parent):
        return filter_suffix(req, record_sets(self.emu, parent.key))


RECORD_SET_HANDLERS = (ARecordSet, AaaaRecordSet, CnameRecordSet, MxRecordSet, PtrRecordSet, SoaRecordSet,
                       SrvRecordSet, TxtRecordSet)


def register(engine):
    for cls in (PrivateZone, VirtualNetworkLink, AllRecordSets) + RECORD_SET_HANDLERS:
        engine.register(cls)
