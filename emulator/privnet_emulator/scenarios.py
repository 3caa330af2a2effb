"""Scenario files: a starting estate in YAML, applied through the same handlers as API writes.

    resource_groups: [{name, location, subscription?}]
    virtual_networks:
      - name, resource_group, location, address_prefixes: [...], subscription?,
        dns_servers?: [ip, ...]        # dhcpOptions.dnsServers: custom DNS servers (dnsserver.py)
        subnets: [{name, address_prefix, private_endpoint_network_policies?, private_link_service_network_policies?,
                   service_endpoints?: [...], delegations?: [service name, e.g. Microsoft.Network/dnsResolvers]}]
        gateway: {name, sku?}          # needs a subnet named GatewaySubnet
    public_ip_addresses: [{name, resource_group, location, sku? (Standard), zones?: [...]}]   # vpn.py; Static
    vpn_devices:                       # vpn.py: on-premises VPN devices, a test fixture (not Azure behaviour)
      - ip_address | fqdn, shared_key, address_prefixes?: [...], bgp?: {asn, peering_address}
    registries:
      - name, resource_group, location, sku (Basic|Standard|Premium), replicas: [region, ...]
    private_dns_zones: [{name, resource_group, links?: [{name, virtual_network, resource_group? (the zone's)}]}]
    private_endpoints:                 # after registries and zones; auto-approved in the same subscription
      - name, resource_group, location?, subnet: {virtual_network, name, resource_group?},
        registry: {name, resource_group}, zones?: [zone name, ...]   # a zone group (default) naming these zones
    dns_servers:                       # dnsserver.py: DNS servers at IPs, a test fixture (not Azure), after VNets
      - ip_address, name?, port?, virtual_network?: {name, resource_group}, zones?: {...}, forwarders?: [...]
    storage_accounts: [{name, resource_group, location, sku? (Standard_LRS), kind? (StorageV2)}]   # storage.py
    key_vaults: [{name, resource_group, location, sku? (standard)}]     # keyvault.py; RBAC, the subscription's tenant
    sql_servers: [{name, resource_group, location, administrator_login? (sqladmin)}]   # sql.py
    load_balancers:                    # linkservices.py: an internal load balancer, one frontend, pool, probe, rule
      - name, resource_group, location?, sku? (Standard),
        subnet: {virtual_network, name, resource_group? (the load balancer's)}, port? (80)
    private_link_services:             # linkservices.py: on the first frontend of a load balancer of this file
      - name, resource_group, location?, load_balancer, nat_subnet: {virtual_network, name, resource_group?},
        visibility?: [subscription | "*"], auto_approval?: [subscription], fqdns?: [...]
    tenants:                           # tenants.py; applied first
      - id, display_name?, default_domain?,
        client?: true|false            # the emulator's client id exists in this tenant (a multi-tenant app)
        subscriptions: [{id, name?}]   # subscriptions of this tenant (created, or moved from another tenant)
    users:                             # identity.py add_user; applied after tenants
      - upn, password, tenant? (id or default domain; default: the default tenant), display_name?, object_id?,
        mfa_required?: true|register   # the ROPC grant answers AADSTS50076 / AADSTS50079

Regions and clouds: the built-in scenarios (scenarios/*.yaml) are written with public-cloud regions. When the
emulator poses as another cloud (`--cloud`, clouds.py), loading one BY NAME rewrites its regions to that cloud's
(`Cloud.scenario_regions`): westeurope → usgovvirginia / chinanorth3, eastus → usgovtexas / chinaeast2,
northeurope → usgovarizona. So `acr` in AzureUSGovernment is a registry in usgovvirginia with a replica in
usgovtexas, and in AzureChinaCloud one in chinanorth3 with a replica in chinaeast2. A scenario given as a document
or a file is loaded as written (it may name any region, e.g. usgovarizona); an item without a location goes to the
cloud's home region (westeurope, usgovvirginia, chinanorth3).
"""

import os

import yaml

from . import DEFAULT_SUBSCRIPTION, clouds
from .arm import Request
from .errors import ArmError
from .ids import rg_id

HERE = os.path.join(os.path.dirname(__file__), "scenarios")


def builtin_names():
    return sorted(f[:-5] for f in os.listdir(HERE) if f.endswith(".yaml"))


def load_named(emu, name):
    path = os.path.join(HERE, f"{name}.yaml")
    if not os.path.exists(path):
        raise ValueError(f"unknown scenario {name!r}; built-in scenarios: {', '.join(builtin_names())}")
    with open(path, encoding="utf-8") as f:
        return load(emu, localise(yaml.safe_load(f), clouds.of(emu).scenario_regions))


def localise(doc, regions):
    """The scenario with each public-cloud region named in `regions` replaced by its counterpart."""
    if not regions:
        return doc
    if isinstance(doc, dict):
        out = {}
        for key, value in doc.items():
            if key == "location" and isinstance(value, str):
                out[key] = regions.get(value, value)
            elif key == "replicas" and isinstance(value, list):
                out[key] = [regions.get(v, v) if isinstance(v, str) else v for v in value]
            else:
                out[key] = localise(value, regions)
        return out
    if isinstance(doc, list):
        return [localise(item, regions) for item in doc]
    return doc


def load_file_or_name(emu, value):
    if os.path.exists(value):
        with open(value, encoding="utf-8") as f:
            return load(emu, yaml.safe_load(f))
    return load_named(emu, value)


def apply(emu, method, resource_id, body=None, query=None):
    """Run one write through the engine as if it came over the wire, and finish its operation."""
    from .providers import resources
    segs = [s for s in resource_id.split("/") if s]
    req = Request(method, resource_id, dict({"api-version": "2026-03-01"}, **(query or {})), {}, body,
                  getattr(emu, "url", "https://127.0.0.1") if getattr(emu, "port", None) else "https://127.0.0.1",
                  "127.0.0.1")
    with emu.store.lock:
        if len(segs) == 4:
            resp = resources.resource_group(emu, req, segs[1], segs[3])
        else:
            resp = emu.engine.handle(req, segs[1], segs[3], segs[5], segs[6:])
        for op in list(emu.store.operations.values()):
            if not op.finished:
                op.done_at = 0
        emu.store.tick()
        if resp.status < 400 and method in ("PUT", "PATCH") and len(segs) > 4 and (
                resp.status == 202 or resp.body is None):
            # an operation answered 202 without the resource (Storage, SQL): the result is the finished resource
            get = Request("GET", resource_id, req.query, {}, None, req.base_url, "127.0.0.1")
            resp = emu.engine.handle(get, segs[1], segs[3], segs[5], segs[6:])
    if resp.status >= 400:
        raise ArmError(resp.status, "ScenarioError", str(resp.body))
    return resp.body


def load(emu, doc):
    doc = doc or {}
    created = []
    home = clouds.of(emu).home_region

    def sub_of(item):
        return item.get("subscription") or doc.get("subscription") or DEFAULT_SUBSCRIPTION

    def put(item_id, body, query=None):
        apply(emu, "PUT", item_id, body, query)
        created.append(item_id)

    from .tenants import add_tenant
    for tenant in doc.get("tenants") or []:
        add_tenant(emu, tenant)
    from .identity import add_user
    for user in doc.get("users") or []:
        add_user(emu, user)

    groups = {}
    for group in doc.get("resource_groups", []):
        groups[(sub_of(group), group["name"].lower())] = group
    for kind in ("virtual_networks", "public_ip_addresses", "registries", "private_dns_zones", "storage_accounts",
                 "key_vaults", "private_endpoints",
                 "sql_servers", "load_balancers", "private_link_services"):
        for item in doc.get(kind, []):
            key = (sub_of(item), item["resource_group"].lower())
            groups.setdefault(key, {"name": item["resource_group"], "location": item.get("location", home),
                                    "subscription": key[0]})
    for (sub, _), group in groups.items():
        put(rg_id(sub, group["name"]), {"location": group.get("location", home), "tags": group.get("tags")})

    net = "providers/Microsoft.Network"
    for pip in doc.get("public_ip_addresses", []):
        body = {"location": pip.get("location", home), "sku": {"name": pip.get("sku", "Standard")},
                "properties": {"publicIPAllocationMethod": "Static" if pip.get("sku", "Standard") != "Basic"
                               else "Dynamic"}}
        if pip.get("zones"):
            body["zones"] = [str(z) for z in pip["zones"]]
        put(f"{rg_id(sub_of(pip), pip['resource_group'])}/{net}/publicIPAddresses/{pip['name']}", body)
    if doc.get("vpn_devices"):
        from .providers import vpn
        for device in doc["vpn_devices"]:
            vpn.declare_device(emu, device)
    for vnet in doc.get("virtual_networks", []):
        base = f"{rg_id(sub_of(vnet), vnet['resource_group'])}/{net}/virtualNetworks/{vnet['name']}"
        subnets = []
        for subnet in vnet.get("subnets", []):
            props = {"addressPrefix": subnet["address_prefix"]}
            if "private_endpoint_network_policies" in subnet:
                props["privateEndpointNetworkPolicies"] = subnet["private_endpoint_network_policies"]
            if "private_link_service_network_policies" in subnet:
                props["privateLinkServiceNetworkPolicies"] = subnet["private_link_service_network_policies"]
            if subnet.get("service_endpoints"):
                props["serviceEndpoints"] = [{"service": s} for s in subnet["service_endpoints"]]
            if subnet.get("delegations"):
                props["delegations"] = [{"name": service.replace("/", "."), "properties": {"serviceName": service}}
                                        for service in subnet["delegations"]]
            subnets.append({"name": subnet["name"], "properties": props})
        vnet_props = {"addressSpace": {"addressPrefixes": vnet["address_prefixes"]}, "subnets": subnets}
        if vnet.get("dns_servers") is not None:
            vnet_props["dhcpOptions"] = {"dnsServers": list(vnet["dns_servers"])}
        put(base, {"location": vnet["location"], "tags": vnet.get("tags"), "properties": vnet_props})
        gateway = vnet.get("gateway")
        if gateway:
            gw_id = f"{rg_id(sub_of(vnet), vnet['resource_group'])}/{net}/virtualNetworkGateways/{gateway['name']}"
            put(gw_id, {"location": vnet["location"], "properties": {
                "gatewayType": gateway.get("type", "Vpn"), "vpnType": "RouteBased",
                "sku": {"name": gateway.get("sku", "VpnGw1"), "tier": gateway.get("sku", "VpnGw1")},
                "ipConfigurations": [{"name": "default", "properties": {
                    "privateIPAllocationMethod": "Dynamic",
                    "subnet": {"id": f"{base}/subnets/GatewaySubnet"}}}]}})

    acr = "providers/Microsoft.ContainerRegistry"
    for reg in doc.get("registries", []):
        reg_id = f"{rg_id(sub_of(reg), reg['resource_group'])}/{acr}/registries/{reg['name']}"
        put(reg_id, {"location": reg["location"], "sku": {"name": reg.get("sku", "Premium")},
                     "properties": {"adminUserEnabled": False}})
        for region in reg.get("replicas", []):
            put(f"{reg_id}/replications/{region}", {"location": region, "properties": {}})

    for acct in doc.get("storage_accounts", []):
        put(f"{rg_id(sub_of(acct), acct['resource_group'])}/providers/Microsoft.Storage/storageAccounts/{acct['name']}",
            {"location": acct.get("location", home), "sku": {"name": acct.get("sku", "Standard_LRS")},
             "kind": acct.get("kind", "StorageV2"), "properties": {}})
    for vault in doc.get("key_vaults", []):
        put(f"{rg_id(sub_of(vault), vault['resource_group'])}/providers/Microsoft.KeyVault/vaults/{vault['name']}",
            {"location": vault.get("location", home), "properties": {
                "tenantId": emu.store.tenant_of(sub_of(vault)), "enableRbacAuthorization": True,
                "sku": {"family": "A", "name": vault.get("sku", "standard")}}})
    for server in doc.get("sql_servers", []):
        put(f"{rg_id(sub_of(server), server['resource_group'])}/providers/Microsoft.Sql/servers/{server['name']}",
            {"location": server.get("location", home), "properties": {
                "administratorLogin": server.get("administrator_login", "sqladmin"), "version": "12.0"}})

    def subnet_id(item, ref):
        group = ref.get("resource_group") or item["resource_group"]
        return f"{rg_id(sub_of(item), group)}/{net}/virtualNetworks/{ref['virtual_network']}/subnets/{ref['name']}"

    lb_ids = {}
    for lb in doc.get("load_balancers", []):
        lb_id = f"{rg_id(sub_of(lb), lb['resource_group'])}/{net}/loadBalancers/{lb['name']}"
        lb_ids[lb["name"].lower()] = lb_id
        port = lb.get("port", 80)
        put(lb_id, {"location": lb.get("location", home), "sku": {"name": lb.get("sku", "Standard")}, "properties": {
            "frontendIPConfigurations": [{"name": "frontend", "properties": {
                "subnet": {"id": subnet_id(lb, lb["subnet"])}, "privateIPAllocationMethod": "Dynamic"}}],
            "backendAddressPools": [{"name": "backend"}],
            "probes": [{"name": "probe", "properties": {"protocol": "Tcp", "port": port}}],
            "loadBalancingRules": [{"name": "rule", "properties": {
                "protocol": "Tcp", "frontendPort": port, "backendPort": port,
                "frontendIPConfiguration": {"id": f"{lb_id}/frontendIPConfigurations/frontend"},
                "backendAddressPool": {"id": f"{lb_id}/backendAddressPools/backend"},
                "probe": {"id": f"{lb_id}/probes/probe"}}}]}})
    for pls in doc.get("private_link_services", []):
        pls_id = f"{rg_id(sub_of(pls), pls['resource_group'])}/{net}/privateLinkServices/{pls['name']}"
        put(pls_id, {"location": pls.get("location", home), "properties": {
            "loadBalancerFrontendIpConfigurations": [
                {"id": f"{lb_ids[pls['load_balancer'].lower()]}/frontendIPConfigurations/frontend"}],
            "ipConfigurations": [{"name": "nat", "properties": {
                "subnet": {"id": subnet_id(pls, pls["nat_subnet"])}, "privateIPAllocationMethod": "Dynamic",
                "primary": True}}],
            "visibility": {"subscriptions": list(pls.get("visibility") or [])},
            "autoApproval": {"subscriptions": list(pls.get("auto_approval") or [])},
            "fqdns": list(pls.get("fqdns") or [])}})

    zone_ids = {}
    for zone in doc.get("private_dns_zones", []):
        zone_id = f"{rg_id(sub_of(zone), zone['resource_group'])}/{net}/privateDnsZones/{zone['name']}"
        zone_ids[zone["name"].lower()] = zone_id
        put(zone_id, {"location": "global"})
        for link in zone.get("links") or []:
            vnet_id = f"{rg_id(sub_of(zone), link.get('resource_group') or zone['resource_group'])}/{net}/" \
                      f"virtualNetworks/{link['virtual_network']}"
            put(f"{zone_id}/virtualNetworkLinks/{link['name']}", {"location": "global", "properties": {
                "virtualNetwork": {"id": vnet_id}, "registrationEnabled": False}})
    for pe in doc.get("private_endpoints", []):
        pe_id = f"{rg_id(sub_of(pe), pe['resource_group'])}/{net}/privateEndpoints/{pe['name']}"
        reg = pe["registry"]
        reg_id = f"{rg_id(sub_of(pe), reg['resource_group'])}/{acr}/registries/{reg['name']}"
        put(pe_id, {"location": pe.get("location", home), "properties": {
            "subnet": {"id": subnet_id(pe, pe["subnet"])},
            "privateLinkServiceConnections": [{"name": pe["name"], "properties": {
                "privateLinkServiceId": reg_id, "groupIds": ["registry"]}}]}})
        if pe.get("zones"):
            put(f"{pe_id}/privateDnsZoneGroups/default", {"properties": {"privateDnsZoneConfigs": [
                {"name": z.replace(".", "-"), "properties": {"privateDnsZoneId": zone_ids[z.lower()]}}
                for z in pe["zones"]]}})
    if doc.get("dns_servers"):
        from .dnsserver import declare_server
        for server in doc["dns_servers"]:
            spec = dict(server)
            ref = server.get("virtual_network")
            if isinstance(ref, dict):
                spec["virtual_network"] = f"{rg_id(sub_of(server), ref['resource_group'])}/{net}/virtualNetworks/" \
                                          f"{ref['name']}"
            declare_server(emu, spec)
    return {"loaded": created}
