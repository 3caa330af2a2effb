"""DNS as a VM in a VNet sees it: one listener per VNet on 127.0.0.1 (UDP and TCP, same ephemeral port).

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
Emulator convention: wildcard records and registration-enabled auto-registration are not emulated, and a VNet's
  custom DNS servers (dhcpOptions.dnsServers) are ignored: the listener always answers as Azure DNS.

The store lock is held while an answer is computed, never during socket I/O.
"""

import hashlib
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

    def __init__(self, emu, vnet_res):
        from .providers import privatedns
        self.emu = emu
        self.pdns = privatedns
        self.zones = []  # (zone name as dns.name.Name, zone Resource, link Resource)
        for link, zone in privatedns.active_links_to(emu, str(vnet_res.rid)):
            self.zones.append((dns.name.from_text(absolute(zone.rid.name)), zone, link))

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
            step = self.from_zone(name, rdtype, hit, out) if hit else "public"
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


class _Listener:
    def __init__(self, vnet_key, vnet_id):
        self.vnet_key = vnet_key
        self.vnet_id = vnet_id
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
        """Start a listener for every VNet that has none; stop those of deleted VNets (store lock held)."""
        vnets = {r.key: str(r.rid) for r in self.emu.store.of_type("Microsoft.Network", ("virtualNetworks",))}
        with self._lock:
            if vnets.keys() == self._listeners.keys():
                return
            for key in [k for k in self._listeners if k not in vnets]:
                self._pending.append(("remove", self._listeners.pop(key)))
            for key, vnet_id in vnets.items():
                if key not in self._listeners:
                    listener = _Listener(key, vnet_id)
                    self._listeners[key] = listener
                    self._pending.append(("add", listener))
            self._ensure_thread()
        self._wake()

    def listeners(self):
        with self._lock:
            return [{"vnet_id": l.vnet_id, "address": "127.0.0.1", "port": l.port} for l in self._listeners.values()]

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
        response = self.respond(query, listener.vnet_key)
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
        threading.Thread(target=self._serve_tcp, args=(conn, listener.vnet_key), daemon=True).start()

    def _serve_tcp(self, conn, vnet_key):
        conn.setblocking(True)
        with conn:
            while True:
                try:
                    query, _ = dns.query.receive_tcp(conn, time.time() + 5)
                    dns.query.send_tcp(conn, self.respond(query, vnet_key))
                except (dns.exception.DNSException, EOFError, OSError):
                    return

    # ---- answers ------------------------------------------------------------------------------------------------
    def respond(self, query, vnet_key):
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
            vnet = self.emu.store.get(vnet_key)
            if vnet is None:
                response.set_rcode(dns.rcode.REFUSED)
                return response
            try:
                result = Resolver(self.emu, vnet).resolve(question.name, question.rdtype)
            except (dns.exception.DNSException, KeyError, ValueError):
                result = Answer()   # a record the service would not have stored
                result.rcode = dns.rcode.SERVFAIL
        response.set_rcode(result.rcode)
        response.answer = result.answer
        response.authority = result.authority
        return response
