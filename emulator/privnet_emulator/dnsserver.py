"""DNS as a VM in a VNet sees it: one listener per VNet on 127.0.0.1 (UDP and TCP, same ephemeral port); and DNS as
a client using one DNS server sees it: one listener per inbound endpoint IP and per declared DNS server (issue 20).

Each listener answers as Azure DNS (168.63.129.16) answers a VM in that VNet:
* a name inside a private DNS zone linked to the VNet (longest matching zone name) is answered from the zone:
  its record sets, CNAMEs followed, NXDOMAIN (with the zone's SOA) when the name is absent, NOERROR with no answer
  (and the SOA) when the name exists only as the parent of other records or with other types;
* resolutionPolicy NxDomainRedirect on the link (Private DNS api 2024-06-01): when the zone is a Private Link zone,
  the query is for A, AAAA or CNAME and the zone's answer would be NXDOMAIN, the resolver retries the same name with
  public resolution instead. Sources: Microsoft Learn dns/private-dns-fallback.md ("How it works": the Azure
  recursive resolver retries with the public QNAME each time PrivateEdge answers NXDOMAIN for that private zone;
  "Limitations": only zones associated to Private Link resources) and the spec's description of resolutionPolicy
  in azure-rest-api-specs privatedns 2024-06-01 (only for links to privatelink zones and A, AAAA, CNAME queries;
  falls back to public resolution on a non-existent domain answer). A NOERROR/NODATA answer is not redirected.
  The emulator has no internet: "public resolution" is the public view below, the same answer a VNet with no link
  to the zone gets;
* otherwise the public view:
  `<reg>.azurecr.io` of an existing registry → CNAME `<reg>.privatelink.azurecr.io` when the registry has a
  private endpoint connection (resolution goes on with that name), else a public host;
  `<reg>.<region>.data.azurecr.io` (registry or replica region) → CNAME `<reg>.<region>.data.privatelink.azurecr.io`
  likewise (the ACR Private Link article's zone records are `<reg>` and `<reg>.<region>.data`);
  every other name → NXDOMAIN.
  Microsoft Learn private-link/private-endpoint-dns.md (zone table, Containers) lists two zones for Container Registry,
  `privatelink.azurecr.io` and `{regionName}.data.privatelink.azurecr.io`, with the public zones `azurecr.io` and
  `{regionName}.data.azurecr.io`. The public CNAME of a data endpoint, `<reg>.<region>.data.privatelink.azurecr.io`,
  is a name in both private zones (record `<reg>.<region>.data` in the first, `<reg>` in the second), so a VNet
  linked to both answers it from the regional data zone (longest zone match, as for any DNS zone cut); linked to
  only one, from that one. Emulator convention: a zone is a Private Link zone when one of its labels starts with
  `privatelink` (every Private DNS zone name in that table has such a label).

In Azure Government and Azure China (`--cloud`, clouds.py) the same holds with the cloud's suffix: `<reg>.azurecr.us`
  → CNAME `<reg>.privatelink.azurecr.us`, `<reg>.<region>.data.azurecr.cn` → CNAME
  `<reg>.<region>.data.privatelink.azurecr.cn`, answered by the zone `privatelink.azurecr.us` / `.cn`
  (private-endpoint-dns.md, Government table and the Azure China version of the article).

Other Private Link targets (storage accounts, key vaults, SQL servers, Cosmos DB accounts, PostgreSQL flexible
  servers, Service Bus namespaces: providers/linktargets.py) list their public names and privatelink names
  (`public_names`): `<acct>.blob.core.windows.net` → CNAME `<acct>.privatelink.blob.core.windows.net` while the
  target has an active connection of that group (private-endpoint-dns.md, "Azure services DNS zone configuration"),
  and the privatelink name → the public host when no linked zone answers it.
Emulator convention: their public host is `<first label>-<group>.<region>.cloudapp.azure.example`; a connection
  counts for the group ids its endpoint asked for.

Emulator convention: the public answer of a registry endpoint is a CNAME (TTL 3600) to
  `<reg>.<region>.cloudapp.azure.example` (data endpoints: `<reg>-data.<region>.cloudapp.azure.example`), and any
  `*.cloudapp.azure.example` name has one A record (TTL 10) in the documentation range 203.0.113.0/24, chosen
  from a hash of the name (stable across runs).
Emulator convention: a private endpoint connection counts unless its state is Rejected or Disconnected.
Emulator convention: a link resolves once its first operation has succeeded (not while InProgress, not Failed).
Emulator convention: wildcard records and registration-enabled auto-registration are not emulated.

Custom DNS servers, DNS Private Resolver and on-premises servers (issue 20; README "DNS Private Resolver and custom DNS
servers (issue 20)"):
* a VNet whose dhcpOptions.dnsServers is not empty is answered by those servers, not by Azure DNS: the client tries
  the first and only tries the next when it does not respond (Learn virtual-network/virtual-networks-name-resolution-
  for-vms-and-role-instances.md, "Specifying DNS servers"); when none responds the listener sends nothing (the client
  times out). Learn dns/dns-private-resolver-overview.md ("How does it work?", step 2; note "Private DNS zones are not
  resolved when Custom DNS servers are configured");
* a server IP that is a provisioned inbound endpoint of a DNS Private Resolver answers as Azure DNS for the resolver's
  VNet: the private zones linked to that VNet, and the rulesets linked to it (dns/private-resolver-endpoints-
  rulesets.md, "Inbound endpoints" and "Inbound endpoints as custom DNS": "If a ruleset is linked to the Hub, all DNS
  traffic sent to the inbound endpoint is processed by the ruleset");
* 168.63.129.16 answers as Azure DNS for the VNet the asker sits in, and does not answer from outside Azure (an
  on-premises client, or a server fixture without a virtual_network): private-link/private-endpoint-dns-
  integration.md (on-premises forwarders reach Azure DNS through a forwarder or an inbound endpoint in a VNet);
* a server declared through the control API (/_emulator/dns_servers: an on-premises or VM-hosted DNS server, a test
  fixture, not Azure) answers from its own zones first (authoritative: NXDOMAIN or NODATA with a SOA of the zone),
  then through its conditional forwarders (longest domain match, "." the default forwarder; targets tried in order),
  and otherwise resolves publicly (the public view below). Emulator convention: this is how a DNS server with
  conditional forwarders behaves (Windows DNS, BIND); its SOA is synthesised (ns1.<zone> hostmaster.<zone>);
* any other IP does not answer (the client times out).
* Azure DNS for a VNet linked to DNS forwarding rulesets: the private zones linked to the VNet first, then the
  enabled rules of the linked rulesets (longest suffix match), then Azure DNS (dns-private-resolver-overview.md,
  steps 3 to 9). A matching query is forwarded to the rule's targets in the order listed, the next only when one does
  not respond (private-resolver-endpoints-rulesets.md, "Rule processing"); no target answering gives SERVFAIL
  (Emulator convention). The wildcard rule "." does not forward names under the domains reserved for Azure services
  (same section): Emulator convention, the two-label domains it names (windows.net, azure.com, azure.net,
  windowsazure.us), the cloud's registry domain (azurecr.io / .us / .cn) and cloudapp.azure.example (the emulator's
  stand-in for Azure public hosts).
* a forwarding loop (a ruleset linked to the VNet of the inbound endpoint its rule targets, which the same section
  warns "can cause DNS resolution loops") ends with SERVFAIL after MAX_HOPS servers (Emulator convention).
Emulator convention: network reachability (peering, VPN, NSGs) between a client and a server is not checked.

The store lock is held while an answer is computed, never during socket I/O.
"""

import hashlib
import ipaddress
import selectors
import socket
import threading
import time

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset

from . import clouds

ACR_SUFFIX = ".azurecr.io"   # the public cloud's; the listener uses its emulator's cloud (clouds.py)
PUBLIC_SUFFIX = ".cloudapp.azure.example"
PUBLIC_CNAME_TTL = 3600
PUBLIC_A_TTL = 10
MAX_CHAIN = 10
MAX_HOPS = 8             # servers a query may pass through before the emulator calls it a loop (SERVFAIL)
AZURE_DNS_IP = "168.63.129.16"
# The domains a wildcard forwarding rule does not forward (private-resolver-endpoints-rulesets.md, "Rule processing").
RESERVED_DOMAINS = ("windows.net", "azure.com", "azure.net", "windowsazure.us", "cloudapp.azure.example")
RDTYPES = {"A": dns.rdatatype.A, "AAAA": dns.rdatatype.AAAA, "CNAME": dns.rdatatype.CNAME, "MX": dns.rdatatype.MX,
           "PTR": dns.rdatatype.PTR, "SOA": dns.rdatatype.SOA, "SRV": dns.rdatatype.SRV, "TXT": dns.rdatatype.TXT}


def absolute(host):
    return host if host.endswith(".") else host + "."


def public_ip(name):
    digest = hashlib.sha256(name.lower().rstrip(".").encode()).digest()
    return f"203.0.113.{digest[0] % 254 + 1}"


# ---- record sets as DNS data ------------------------------------------------------------------------
def rdatas_of(record_type, props):
    """dnspython rdata for one stored record set's properties."""
    IN, rdtype = dns.rdataclass.IN, RDTYPES[record_type]
    texts = []
    if record_type == "A":
        texts = [r["ipv4Address"] for r in props.get("aRecords") or []]
    elif record_type == "AAAA":
        texts = [r["ipv6Address"] for r in props.get("aaaaRecords") or []]
    elif record_type == "CNAME":
        texts = [absolute(props["cnameRecord"]["cname"])] if props.get("cnameRecord") else []
    elif record_type == "MX":
        texts = [f"{r['preference']} {absolute(r['exchange'])}" for r in props.get("mxRecords") or []]
    elif record_type == "PTR":
        texts = [absolute(r["ptrdname"]) for r in props.get("ptrRecords") or []]
    elif record_type == "SRV":
        texts = [f"{r['priority']} {r['weight']} {r['port']} {absolute(r['target'])}"
                 for r in props.get("srvRecords") or []]
    elif record_type == "SOA":
        soa = props.get("soaRecord") or {}
        texts = [f"{absolute(soa['host'])} {absolute(soa['email'])} {soa['serialNumber']} {soa['refreshTime']} "
                 f"{soa['retryTime']} {soa['expireTime']} {soa['minimumTtl']}"] if soa else []
    elif record_type == "TXT":
        out = []
        for r in props.get("txtRecords") or []:
            # A DNS character-string holds 255 bytes: longer values go out as several strings.
            chunks = [data[i:i + 255] for data in (v.encode() for v in r.get("value") or [])
                      for i in range(0, max(len(data), 1), 255)]
            out.append(dns.rdtypes.ANY.TXT.TXT(IN, rdtype, chunks or [b""]))
        return out
    return [dns.rdata.from_text(IN, rdtype, t) for t in texts]


class Answer:
    def __init__(self):
        self.rcode = dns.rcode.NOERROR
        self.answer = []
        self.authority = []


class Resolver:
    """One question from a VM in one VNet, resolved against the store (call with the store lock held)."""

    def __init__(self, emu, vnet_res, hops=0):
        from .providers import dnsresolver, privatedns
        self.emu = emu
        self.pdns = privatedns
        self.hops = hops
        self.zones = []  # (zone name as dns.name.Name, zone Resource, link Resource)
        self.rules = []  # (domain as dns.name.Name, [(ip, port)]): enabled rules of the rulesets linked to the VNet
        if vnet_res is None:
            return       # the public view only
        for link, zone in privatedns.active_links_to(emu, str(vnet_res.rid)):
            self.zones.append((dns.name.from_text(absolute(zone.rid.name)), zone, link))
        for ruleset in dnsresolver.rulesets_linked_to(emu, str(vnet_res.rid)):
            for rule in dnsresolver.enabled_rules(emu, ruleset):
                targets = [(t["ipAddress"], t.get("port", 53)) for t in rule.properties.get("targetDnsServers") or []]
                self.rules.append((dns.name.from_text(rule.properties["domainName"]), targets))

    def reserved(self, name):
        text = name.to_text(omit_final_dot=True).lower()
        domains = RESERVED_DOMAINS + (".".join(clouds.of(self.emu).acr_suffix.split(".")[-2:]),)
        return any(text == d or text.endswith("." + d) for d in domains)

    def matching_rule(self, name):
        """The rule with the longest matching domain (the wildcard "." skips reserved Azure domains)."""
        best = None
        for domain, targets in self.rules:
            if not name.is_subdomain(domain):
                continue
            if domain == dns.name.root and self.reserved(name):
                continue
            if best is None or len(domain) > len(best[0]):
                best = (domain, targets)
        return best

    def forward(self, name, rdtype, targets, out, from_vnet=None):
        """Ask the targets in order; the first that answers gives the rest of the answer."""
        for ip, port in targets:
            got = ask_server(self.emu, ip, port, name, rdtype, from_vnet, self.hops + 1)
            if got is not None:
                out.rcode = got.rcode
                out.answer.extend(got.answer)
                out.authority = list(got.authority)
                return None
        out.rcode = dns.rcode.SERVFAIL
        return None

    def linked_zone(self, name):
        best = None
        for origin, zone, link in self.zones:
            if name.is_subdomain(origin) and (best is None or len(origin) > len(best[0])):
                best = (origin, zone, link)
        return best

    def resolve(self, qname, rdtype):
        out = Answer()
        name, seen = qname, set()
        while len(seen) < MAX_CHAIN:
            if name in seen:
                out.rcode = dns.rcode.SERVFAIL
                return out
            seen.add(name)
            hit = self.linked_zone(name)
            step = self.from_zone(name, rdtype, hit, out) if hit else "next"
            if step == "next":
                rule = self.matching_rule(name)
                step = self.forward(name, rdtype, rule[1], out) if rule else "public"
            if step == "public":
                step = self.from_public(name, rdtype, out)
            if not isinstance(step, dns.name.Name):
                return out
            name = step
        out.rcode = dns.rcode.SERVFAIL
        return out

    def from_zone(self, name, rdtype, hit, out):
        """Answer from a linked zone: returns a CNAME target to follow, 'public', or None when done."""
        origin, zone, link = hit
        relative = "@" if name == origin else name.relativize(origin).to_text().lower()
        sets = {r.rid.types[-1].upper(): r for r in self.pdns.record_sets(self.emu, zone.key)
                if r.rid.name.lower() == relative}
        if not sets:
            below = any(r.rid.name.lower().endswith("." + relative)
                        for r in self.pdns.record_sets(self.emu, zone.key)) if relative != "@" else True
            if not below:
                # NxDomainRedirect: only an NXDOMAIN from a Private Link zone, for A/AAAA/CNAME
                # (private-dns-fallback.md).
                redirect = link.properties.get("resolutionPolicy") == "NxDomainRedirect"
                if redirect and self.pdns.is_private_link_zone(zone.rid.name) and \
                        rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA, dns.rdatatype.CNAME):
                    return "public"
                out.rcode = dns.rcode.NXDOMAIN
            out.authority.append(self.soa(origin, zone))
            return None
        cname = sets.get("CNAME")
        if cname is not None and cname.properties.get("cnameRecord") and rdtype != dns.rdatatype.CNAME:
            rrset = self.rrset(name, "CNAME", cname)
            out.answer.append(rrset)
            return rrset[0].target
        wanted = dns.rdatatype.to_text(rdtype)
        if wanted in sets:
            rrset = self.rrset(name, wanted, sets[wanted])
            if len(rrset):
                out.answer.append(rrset)
                return None
        out.authority.append(self.soa(origin, zone))  # the name exists, not with this type
        return None

    def rrset(self, name, record_type, res):
        return dns.rrset.from_rdata_list(name, res.properties.get("ttl", 3600), rdatas_of(record_type, res.properties))

    def soa(self, origin, zone):
        soa = self.emu.store.get(zone.rid.child("SOA", "@").key)
        return self.rrset(origin, "SOA", soa)

    # ---- the public view ------------------------------------------------------------------------------
    def from_public(self, name, rdtype, out):
        text = name.to_text(omit_final_dot=True).lower()
        if text.endswith(PUBLIC_SUFFIX):
            if rdtype == dns.rdatatype.A:
                out.answer.append(dns.rrset.from_text(name, PUBLIC_A_TTL, "IN", "A", public_ip(text)))
            return None
        target = self.registry_alias(text)
        if target is None:
            target = self.target_alias(text)
        if target is None:
            out.rcode = dns.rcode.NXDOMAIN
            return None
        target = dns.name.from_text(absolute(target))
        out.answer.append(dns.rrset.from_text(name, PUBLIC_CNAME_TTL, "IN", "CNAME", target.to_text()))
        return None if rdtype == dns.rdatatype.CNAME else target

    def registry_alias(self, text):
        """The public CNAME target of a registry endpoint name, or None when it names no registry endpoint.
        The suffix is the cloud's: azurecr.io, azurecr.us (Azure Government), azurecr.cn (Azure China), and the
        alias goes into the zone named like it (privatelink.azurecr.us / .cn: private-endpoint-dns.md; clouds.py)."""
        suffix = "." + clouds.of(self.emu).acr_suffix
        if not text.endswith(suffix):
            return None
        parts = text[:-len(suffix)].split(".")
        private = parts[-1] == "privatelink"
        if private:
            parts = parts[:-1]
        if len(parts) == 1:
            reg_name, region = parts[0], None
        elif len(parts) == 3 and parts[2] == "data":
            reg_name, region = parts[0], parts[1]
        else:
            return None
        registry = self.registry(reg_name)
        if registry is None:
            return None
        regions = self.registry_regions(registry)
        if region is not None and region not in regions:
            return None
        if not private and self.has_private_endpoint(registry):
            return f"{reg_name}.privatelink{suffix}" if region is None else \
                f"{reg_name}.{region}.data.privatelink{suffix}"
        if region is None:
            return f"{reg_name}.{regions[0]}{PUBLIC_SUFFIX}"
        return f"{reg_name}-data.{region}{PUBLIC_SUFFIX}"

    def target_alias(self, text):
        """The public CNAME target of another Private Link target's name (storage, key vault, SQL server, ...), from
        the names its PrivateLinkTarget lists (public_names): `<acct>.blob.core.windows.net` → CNAME
        `<acct>.privatelink.blob.core.windows.net` while a connection of that group is active, the privatelink name →
        the public host; None when no target has the name (private-endpoint-dns.md, "Azure services DNS zone
        configuration": the public name is a CNAME to the privatelink name, which resolves to the public address
        outside a VNet linked to the zone)."""
        from .providers import endpoints, linktargets
        for link in endpoints.link_targets(self.emu.engine).values():
            if not isinstance(link, linktargets.FirstPartyTarget):
                continue
            namespace, types = link.resource_type.split("/", 1)
            for res in self.emu.store.of_type(namespace, tuple(types.split("/"))):
                names = link.public_names(self.emu, res)
                if not any(text in (public, private) for _, public, private in names):
                    continue
                active = linktargets.active_groups(self.emu, res)
                region = (res.body.get("location") or clouds.of(self.emu).home_region).replace(" ", "").lower()
                for group, public, private in names:
                    public_host = f"{public.split('.')[0]}-{group.replace('_', '-').lower()}.{region}{PUBLIC_SUFFIX}"
                    if text == public:
                        return private if group.lower() in active else public_host
                    if text == private:
                        return public_host
        return None

    def registry(self, name):
        for reg in self.emu.store.of_type("Microsoft.ContainerRegistry", ("registries",)):
            if reg.rid.name.lower() == name:
                return reg
        return None

    def registry_regions(self, registry):
        regions = [(registry.body.get("location") or clouds.of(self.emu).home_region).replace(" ", "").lower()]
        for replica in self.emu.store.children(registry.key, "replications"):
            region = (replica.body.get("location") or replica.rid.name).replace(" ", "").lower()
            if region not in regions:
                regions.append(region)
        return regions

    def has_private_endpoint(self, registry):
        for conn in self.emu.store.children(registry.key, "privateEndpointConnections"):
            state = (conn.properties.get("privateLinkServiceConnectionState") or {}).get("status")
            if state not in ("Rejected", "Disconnected"):
                return True
        return False


class ServerResolver(Resolver):
    """A DNS server declared through the control API: its own zones, then its conditional forwarders, then public
    resolution (module docstring)."""

    def __init__(self, emu, server, hops=0):
        super().__init__(emu, None, hops)
        self.server = server
        self.vnet = emu.store.get(server["virtual_network"]) if server.get("virtual_network") else None
        self.own = [(dns.name.from_text(absolute(origin)), records) for origin, records in server["zones"].items()]
        self.rules = [(dns.name.from_text(absolute(f["domain"])), [split_target(t) for t in f["targets"]])
                      for f in server["forwarders"]]

    def reserved(self, name):
        return False      # a DNS server's default forwarder forwards everything

    def linked_zone(self, name):
        best = None
        for origin, records in self.own:
            if name.is_subdomain(origin) and (best is None or len(origin) > len(best[0])):
                best = (origin, records, None)
        return best

    def forward(self, name, rdtype, targets, out, from_vnet=None):
        return super().forward(name, rdtype, targets, out, from_vnet=self.vnet)

    def from_zone(self, name, rdtype, hit, out):
        origin, records, _ = hit
        relative = "@" if name == origin else name.relativize(origin).to_text().lower()
        sets = {}
        for rec in records:
            if str(rec.get("name", "@")).lower().rstrip(".") == relative:
                sets[rec["type"].upper()] = rec
        soa = dns.rrset.from_text(origin, 300, "IN", "SOA",
                                  f"ns1.{origin.to_text()} hostmaster.{origin.to_text()} 1 3600 300 2419200 300")
        if not sets:
            below = relative == "@" or any(str(r.get("name", "@")).lower().endswith("." + relative) for r in records)
            if not below:
                out.rcode = dns.rcode.NXDOMAIN
            out.authority.append(soa)
            return None
        if "CNAME" in sets and rdtype != dns.rdatatype.CNAME:
            rrset = self.record(name, sets["CNAME"])
            out.answer.append(rrset)
            return rrset[0].target
        wanted = dns.rdatatype.to_text(rdtype)
        if wanted in sets:
            out.answer.append(self.record(name, sets[wanted]))
            return None
        out.authority.append(soa)
        return None

    @staticmethod
    def record(name, rec):
        values = [absolute(v) if rec["type"].upper() in ("CNAME", "PTR") else str(v) for v in rec["values"]]
        return dns.rrset.from_text_list(name, int(rec.get("ttl", 300)), "IN", rec["type"].upper(), values)


def split_target(target):
    """'10.0.0.4', '10.0.0.4:5353' or {"ip_address", "port"?} -> (ip, port)."""
    if isinstance(target, dict):
        return str(target["ip_address"]), int(target.get("port", 53))
    text = str(target)
    if text.count(":") == 1:
        ip, port = text.split(":")
        return ip, int(port)
    return text, 53


# ---- the declared DNS servers (control API fixture) ---------------------------------------------------------------
def dns_servers(emu):
    """{ip: server} of the servers declared through POST /_emulator/dns_servers (a test fixture, not Azure)."""
    found = getattr(emu.store, "dns_servers", None)
    if found is None:
        found = emu.store.dns_servers = {}
    return found


def declare_server(emu, spec):
    """Control API: an on-premises (or VM-hosted) DNS server at an IP, with zones and conditional forwarders."""
    ip = str(ipaddress.ip_address(spec["ip_address"]))
    if ip == AZURE_DNS_IP:
        raise ValueError("168.63.129.16 is Azure DNS; declare another address")
    zones = {}
    for origin, records in (spec.get("zones") or {}).items():
        origin = absolute(str(origin))
        checked = []
        for rec in records or []:
            rec = {"name": str(rec.get("name", "@")), "type": str(rec["type"]).upper(), "ttl": int(rec.get("ttl", 300)),
                   "values": [str(v) for v in (rec["values"] if isinstance(rec["values"], list) else [rec["values"]])]}
            ServerResolver.record(dns.name.from_text(origin), rec)   # refuse what is not DNS data now
            checked.append(rec)
        zones[origin] = checked
    forwarders = []
    for fwd in spec.get("forwarders") or []:
        targets = fwd.get("targets") or []
        if not targets:
            raise ValueError("a conditional forwarder needs targets")
        for t in targets:
            ipaddress.ip_address(split_target(t)[0])
        forwarders.append({"domain": absolute(str(fwd["domain"])) if fwd["domain"] != "." else ".",
                           "targets": [split_target(t)[0] if split_target(t)[1] == 53 else
                                       f"{split_target(t)[0]}:{split_target(t)[1]}" for t in targets]})
    vnet = spec.get("virtual_network")
    if vnet and emu.store.get(vnet) is None:
        raise ValueError(f"no virtual network {vnet}")
    server = {"name": spec.get("name") or ip, "ip_address": ip, "port": int(spec.get("port", 53)),
              "virtual_network": str(emu.store.get(vnet).rid) if vnet else None, "zones": zones,
              "forwarders": forwarders}
    dns_servers(emu)[ip] = server
    return server


def ask_server(emu, ip, port, qname, rdtype, from_vnet=None, hops=0):
    """What the DNS server at ip:port answers (an Answer), or None when nothing answers there. from_vnet: the VNet the
    asker sits in (168.63.129.16 answers only inside Azure). Call with the store lock held."""
    if hops > MAX_HOPS:
        out = Answer()
        out.rcode = dns.rcode.SERVFAIL
        return out
    from .providers import dnsresolver
    if ip == AZURE_DNS_IP:
        return Resolver(emu, from_vnet, hops).resolve(qname, rdtype) if from_vnet is not None and port == 53 else None
    inbound = dnsresolver.inbound_endpoint_ips(emu).get(ip)
    if inbound is not None:
        if port != 53:
            return None
        vnet = emu.store.get((inbound[1].properties.get("virtualNetwork") or {}).get("id") or "")
        return Resolver(emu, vnet, hops).resolve(qname, rdtype) if vnet is not None else None
    server = dns_servers(emu).get(ip)
    if server is not None and server["port"] == port:
        return ServerResolver(emu, server, hops).resolve(qname, rdtype)
    return None


def answer_vnet(emu, vnet, qname, rdtype):
    """What a VM in this VNet gets: its custom DNS servers in order, or Azure DNS (None: no answer)."""
    servers = (vnet.properties.get("dhcpOptions") or {}).get("dnsServers") or []
    if not servers:
        return Resolver(emu, vnet).resolve(qname, rdtype)
    for ip in servers:
        got = ask_server(emu, ip, 53, qname, rdtype, from_vnet=vnet, hops=1)
        if got is not None:
            return got
    return None


class _Listener:
    """kind "vnet": a VM in the VNet (key: the VNet's store key, label: its id); kind "server": a client (on-premises or
    anywhere) using the DNS server at an IP (key: the IP; label: what is there, for the control API)."""

    def __init__(self, kind, key, label):
        self.kind = kind
        self.vnet_key = key
        self.vnet_id = label
        self.udp, self.tcp = _bind_pair()
        self.port = self.udp.getsockname()[1]

    def close(self):
        self.udp.close()
        self.tcp.close()


def _bind_pair():
    """A UDP and a TCP socket on the same ephemeral loopback port."""
    for _ in range(20):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            tcp.bind(("127.0.0.1", udp.getsockname()[1]))
        except OSError:
            udp.close()
            tcp.close()
            continue
        tcp.listen(16)
        udp.setblocking(False)
        tcp.setblocking(False)
        return udp, tcp
    raise OSError("no free port for a DNS listener")


class DnsService:
    """The per-VNet listeners, served by one selector thread."""

    def __init__(self, emulator):
        self.emu = emulator
        self._lock = threading.Lock()
        self._listeners = {}      # vnet key -> _Listener
        self._pending = []        # ("add" | "remove", _Listener), applied by the serving thread
        self._thread = None
        self._wake_r = self._wake_w = None
        self._stopping = False

    # ---- lifecycle --------------------------------------------------------------------------------------
    def sync(self):
        """Start a listener for every VNet, inbound endpoint IP and declared DNS server that has none; stop the others
        (store lock held)."""
        from .providers import dnsresolver
        vnets = self.emu.store.of_type("Microsoft.Network", ("virtualNetworks",))
        wanted = {("vnet", r.key): str(r.rid) for r in vnets}
        for ip, (endpoint, _) in dnsresolver.inbound_endpoint_ips(self.emu).items():
            wanted[("server", ip)] = {"kind": "inbound_endpoint", "id": str(endpoint.rid)}
        for ip, server in dns_servers(self.emu).items():
            wanted.setdefault(("server", ip), {"kind": "dns_server", "name": server["name"]})
        with self._lock:
            current = {k: l.vnet_id for k, l in self._listeners.items()}
            if current == wanted:
                return
            for key in [k for k in self._listeners if k not in wanted]:
                self._pending.append(("remove", self._listeners.pop(key)))
            for key, listener in self._listeners.items():
                listener.vnet_id = wanted[key]   # same address, what is there may have changed: same port
            for key, label in wanted.items():
                if key not in self._listeners:
                    listener = _Listener(key[0], key[1], label)
                    self._listeners[key] = listener
                    self._pending.append(("add", listener))
            self._ensure_thread()
        self._wake()

    def listeners(self):
        """The per-VNet listeners: [{vnet_id, address, port}]."""
        with self._lock:
            return [{"vnet_id": l.vnet_id, "address": "127.0.0.1", "port": l.port} for l in self._listeners.values()
                    if l.kind == "vnet"]

    def servers(self):
        """The per-server listeners (a client using that server): [{ip_address, kind (inbound_endpoint | dns_server),
        id | name, address, port}]."""
        with self._lock:
            return [dict(l.vnet_id, ip_address=l.vnet_key, address="127.0.0.1", port=l.port)
                    for l in self._listeners.values() if l.kind == "server"]

    def stop(self):
        with self._lock:
            for listener in self._listeners.values():
                self._pending.append(("remove", listener))
            self._listeners.clear()
            self._stopping = True
            thread = self._thread
        self._wake()
        if thread is not None:
            thread.join(5)

    def _ensure_thread(self):
        if self._thread is None:
            self._stopping = False
            self._wake_r, self._wake_w = socket.socketpair()
            self._wake_r.setblocking(False)
            self._thread = threading.Thread(target=self._serve, name="privnet-dns", daemon=True)
            self._thread.start()

    def _wake(self):
        if self._wake_w is not None:
            try:
                self._wake_w.send(b"x")
            except OSError:
                pass

    # ---- the serving thread -------------------------------------------------------------------------------
    def _serve(self):
        sel = selectors.DefaultSelector()
        sel.register(self._wake_r, selectors.EVENT_READ, None)
        while True:
            for key, _ in sel.select():
                if key.data is None:
                    try:
                        while self._wake_r.recv(4096):
                            pass
                    except BlockingIOError:
                        pass
                    continue
                kind, listener = key.data
                if kind == "udp":
                    self._serve_udp(listener)
                else:
                    self._accept_tcp(listener)
            with self._lock:
                pending, self._pending = self._pending, []
                stopping = self._stopping
            for action, listener in pending:
                if action == "add":
                    sel.register(listener.udp, selectors.EVENT_READ, ("udp", listener))
                    sel.register(listener.tcp, selectors.EVENT_READ, ("tcp", listener))
                else:
                    for sock in (listener.udp, listener.tcp):
                        try:
                            sel.unregister(sock)
                        except (KeyError, ValueError):
                            pass   # never registered: added and removed between two wake-ups
                    listener.close()
            if stopping:
                sel.close()
                self._wake_r.close()
                self._wake_w.close()
                with self._lock:
                    self._thread = None
                    self._wake_r = self._wake_w = None
                return

    def _serve_udp(self, listener):
        try:
            data, addr = listener.udp.recvfrom(65535)
        except (BlockingIOError, OSError):
            return
        try:
            query = dns.message.from_wire(data)
        except dns.exception.DNSException:
            return   # not DNS: drop it, as a resolver does
        response = self.respond(query, listener)
        if response is None:
            return   # no server answered: the client times out
        size = max(query.payload, 512) if query.edns >= 0 else 512
        try:
            listener.udp.sendto(response.to_wire(max_size=size, prefer_truncation=True), addr)
        except OSError:
            pass

    def _accept_tcp(self, listener):
        try:
            conn, _ = listener.tcp.accept()
        except (BlockingIOError, OSError):
            return
        threading.Thread(target=self._serve_tcp, args=(conn, listener), daemon=True).start()

    def _serve_tcp(self, conn, listener):
        conn.setblocking(True)
        with conn:
            while True:
                try:
                    query, _ = dns.query.receive_tcp(conn, time.time() + 5)
                    response = self.respond(query, listener)
                    if response is None:
                        return
                    dns.query.send_tcp(conn, response)
                except (dns.exception.DNSException, EOFError, OSError):
                    return

    # ---- answers ------------------------------------------------------------------------------------------------
    def respond(self, query, listener):
        """The response to one query on a listener, or None when nothing answers (the client times out)."""
        response = dns.message.make_response(query)
        response.flags |= dns.flags.RA
        if query.opcode() != dns.opcode.QUERY or len(query.question) != 1:
            response.set_rcode(dns.rcode.NOTIMP if query.opcode() != dns.opcode.QUERY else dns.rcode.FORMERR)
            return response
        question = query.question[0]
        if question.rdclass != dns.rdataclass.IN:
            response.set_rcode(dns.rcode.REFUSED)
            return response
        with self.emu.store.lock:
            if self.emu.store.tick():
                self.sync()   # an operation that just ended may have removed a VNet
            try:
                if listener.kind == "vnet":
                    vnet = self.emu.store.get(listener.vnet_key)
                    if vnet is None:
                        response.set_rcode(dns.rcode.REFUSED)
                        return response
                    result = answer_vnet(self.emu, vnet, question.name, question.rdtype)
                else:   # an on-premises client using this server: it is outside every VNet
                    result = ask_server(self.emu, listener.vnet_key, 53, question.name, question.rdtype)
            except (dns.exception.DNSException, KeyError, ValueError):
                result = Answer()   # a record the service would not have stored
                result.rcode = dns.rcode.SERVFAIL
        if result is None:
            return None
        response.set_rcode(result.rcode)
        response.answer = result.answer
        response.authority = result.authority
        return response
