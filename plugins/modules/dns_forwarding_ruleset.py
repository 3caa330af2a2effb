#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: dns_forwarding_ruleset
short_description: A DNS forwarding ruleset on resolver outbound endpoints, its rules and virtual network links
version_added: 0.1.0
description:
  - Creates, updates or deletes an Azure DNS forwarding ruleset (C(az dns-resolver forwarding-ruleset)), its forwarding
    rules (which domain names go to which DNS servers, e.g. on-premises zones to the on-premises DNS servers) and its
    virtual network links (the virtual networks whose Azure-provided DNS uses the rules).
  - Only the options given are compared and changed. Rules and links that are not listed are kept, unless
    O(purge_rules=true) or O(purge_virtual_network_links=true).
  - Before any write, every rule is checked (a domain name with its trailing dot, 1 to 6 IPv4 target servers, not
    Azure DNS 168.63.129.16), every outbound endpoint must exist in the ruleset's region, and every virtual network to
    link must exist in that region; otherwise the task fails naming the option and the fix, and nothing is changed.
author:
  - privnet maintainers (!UNKNOWN)
options:
  name:
    description:
      - Name of the DNS forwarding ruleset.
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the ruleset. Also the default resource group of the linked virtual networks given by name.
    type: str
    required: true
  location:
    description:
      - Region of the ruleset; it must be the region of its outbound endpoints, and it links virtual networks of that
        region only. Default, the first outbound endpoint's region.
      - Cannot be changed once the ruleset exists.
    type: str
  outbound_endpoints:
    description:
      - Resource ids of the DNS Private Resolver outbound endpoints the ruleset forwards through (one or two; as
        M(privnet.azure.dns_resolver) returns them in RV(privnet.azure.dns_resolver#module:dns_resolver.outbound_endpoints[].id)).
      - Required to create the ruleset; when given, the complete list (order ignored).
    type: list
    elements: str
  rules:
    description:
      - Forwarding rules (at most 1000 per ruleset). A query matching several rules uses the longest domain name.
      - Rules of the ruleset that are not listed are kept, unless O(purge_rules=true).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the rule; 1 to 80 letters, digits, underscores and hyphens, starting with a letter.
        type: str
        required: true
      domain_name:
        description:
          - The domain the rule applies to, dot-terminated (V(corp.contoso.com.)), or V(.) for every name. A name
            without its trailing dot fails the task naming the fix.
          - Cannot be changed for an existing rule (give the new rule another name, and remove the old one with
            O(purge_rules=true)).
        type: str
        required: true
      target_dns_servers:
        description:
          - The DNS servers to forward to (1 to 6), tried in this order. Azure DNS (168.63.129.16) cannot be one.
        type: list
        elements: dict
        required: true
        suboptions:
          ip_address:
            description:
              - IPv4 address of the DNS server.
            type: str
            required: true
          port:
            description:
              - Port of the DNS server.
            type: int
            default: 53
      enabled:
        description:
          - Whether the rule is used (V(Enabled)) or ignored (V(Disabled)).
          - Left out, an existing rule keeps its state and a new rule is enabled.
        type: bool
      metadata:
        description:
          - Metadata of the rule (string keys and values). When given, the complete dict; left out, kept as it is.
        type: dict
  purge_rules:
    description:
      - With V(true), rules of the ruleset that are not in O(rules) are deleted (O(rules) is then required; V([])
        deletes them all).
      - With V(false) (default), they are kept.
    type: bool
    default: false
  virtual_network_links:
    description:
      - Virtual networks (at most 500, in the ruleset's region) whose Azure-provided DNS uses the rules.
      - Links of the ruleset that are not listed are kept, unless O(purge_virtual_network_links=true).
      - Do not link the virtual network of an inbound endpoint that a rule forwards to (Microsoft documents a
        resolution loop).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the link. Default, the name of an existing link of the ruleset to that virtual network, else the
            virtual network's name.
        type: str
      virtual_network:
        description:
          - The virtual network, by name (in O(virtual_network_links[].resource_group)) or by resource id.
          - Cannot be changed for an existing link.
        type: str
        required: true
      resource_group:
        description:
          - Resource group of O(virtual_network_links[].virtual_network) given as a name. Default, O(resource_group).
        type: str
      metadata:
        description:
          - Metadata of the link (string keys and values). When given, the complete dict; left out, kept as it is.
        type: dict
  purge_virtual_network_links:
    description:
      - With V(true), links of the ruleset that are not in O(virtual_network_links) are deleted
        (O(virtual_network_links) is then required; V([]) deletes them all).
      - With V(false) (default), they are kept.
    type: bool
    default: false
  tags:
    description:
      - Tags of the ruleset.
    type: dict
  purge_tags:
    description:
      - With V(true), tags not in O(tags) are removed; with V(false) they are kept. Only used with O(tags).
    type: bool
    default: true
  state:
    description:
      - V(present) creates or updates the ruleset, the listed rules and links.
      - V(absent) deletes the ruleset's virtual network links, then the ruleset (with its rules).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.wait
  - privnet.azure.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff shows the fields the task sets (location, outbound endpoints, tags), and the rules and links before
        and after when they are given.
  idempotent:
    support: full
notes:
  - With O(wait=false) the module still waits for the ruleset to be created before writing its rules and links, and
    for purged rules and links to be deleted before writing others.
  - Limits (Microsoft Learn, DNS Private Resolver limits) - 1000 rules and 500 virtual network links per ruleset, 2
    outbound endpoints per ruleset, 6 target DNS servers per rule.
seealso:
  - module: privnet.azure.dns_resolver
  - name: Azure DNS Private Resolver endpoints and rulesets
    description: Rules, ruleset links and their restrictions.
    link: https://learn.microsoft.com/azure/dns/private-resolver-endpoints-rulesets
"""

EXAMPLES = r"""
- name: Send the on-premises zone to the on-premises DNS servers, from the hub and two spokes
  privnet.azure.dns_forwarding_ruleset:
    name: ruleset-onprem
    resource_group: rg-hub
    outbound_endpoints:
      - "{{ resolver.dns_resolver.outbound_endpoints[0].id }}"
    rules:
      - name: corp
        domain_name: corp.contoso.com.
        target_dns_servers:
          - ip_address: 192.168.0.10
          - ip_address: 192.168.0.11
            port: 53
    virtual_network_links:
      - virtual_network: vnet-spoke1
        resource_group: rg-spokes
      - virtual_network: vnet-spoke2
        resource_group: rg-spokes
    purge_rules: true

- name: Disable a rule for a while, keeping it
  privnet.azure.dns_forwarding_ruleset:
    name: ruleset-onprem
    resource_group: rg-hub
    rules:
      - name: corp
        domain_name: corp.contoso.com.
        target_dns_servers: [{ip_address: 192.168.0.10}, {ip_address: 192.168.0.11}]
        enabled: false
"""

RETURN = r"""
dns_forwarding_ruleset:
  description:
    - The ruleset after the change, with all its rules and links; in check mode, as it would be. Empty after
      O(state=absent).
  returned: success
  type: dict
  contains:
    id:
      description: Resource id of the ruleset.
      type: str
      returned: when present
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/dnsForwardingRulesets/ruleset-onprem
    name:
      description: Name of the ruleset.
      type: str
      returned: when present
    resource_group:
      description: Resource group of the ruleset.
      type: str
      returned: when present
    location:
      description: Region of the ruleset.
      type: str
      returned: when present
      sample: westeurope
    outbound_endpoint_ids:
      description: Resource ids of its outbound endpoints.
      type: list
      elements: str
      returned: when present
    tags:
      description: Tags of the ruleset.
      type: dict
      returned: when present
    provisioning_state:
      description: Provisioning state of the ruleset.
      type: str
      returned: when present
      sample: Succeeded
    rules:
      description: All forwarding rules of the ruleset, by name.
      type: list
      elements: dict
      returned: when present
      contains:
        id:
          description: Resource id of the rule.
          type: str
          returned: always
        name:
          description: Name of the rule.
          type: str
          returned: always
          sample: corp
        domain_name:
          description: The dot-terminated domain name.
          type: str
          returned: always
          sample: corp.contoso.com.
        target_dns_servers:
          description: The target DNS servers, in order (C(ip_address), C(port)).
          type: list
          elements: dict
          returned: always
          sample: [{ip_address: 192.168.0.10, port: 53}]
        enabled:
          description: Whether the rule is enabled.
          type: bool
          returned: always
          sample: true
        metadata:
          description: Metadata of the rule.
          type: dict
          returned: always
        provisioning_state:
          description: Provisioning state of the rule.
          type: str
          returned: always
    virtual_network_links:
      description: All virtual network links of the ruleset, by name.
      type: list
      elements: dict
      returned: when present
      contains:
        id:
          description: Resource id of the link.
          type: str
          returned: always
        name:
          description: Name of the link.
          type: str
          returned: always
          sample: vnet-spoke1
        virtual_network_id:
          description: Resource id of the linked virtual network.
          type: str
          returned: always
        metadata:
          description: Metadata of the link.
          type: dict
          returned: always
        provisioning_state:
          description: Provisioning state of the link.
          type: str
          returned: always
"""

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API, properties, ref, writable
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import ABSENT, Difference, ci
from ansible_collections.privnet.azure.plugins.module_utils._endpoint import location_key
from ansible_collections.privnet.azure.plugins.module_utils._ids import build_resource_id, parse_resource_id, same_id
from ansible_collections.privnet.azure.plugins.module_utils._resolver import (
    CHILD_READ_ONLY_PROPERTIES,
    DNS_RESOLVER_API,
    LINKS,
    MAX_LINKS,
    MAX_RULES,
    MAX_RULESET_OUTBOUND,
    NETWORK,
    OUTBOUND,
    READ_ONLY,
    RESOLVER_TYPE,
    RULES,
    RULESET_READ_ONLY_PROPERTIES,
    RULESET_TYPE,
    domain_name,
    link_result,
    rule_name,
    rule_result,
    ruleset_result,
    target_servers,
)
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name
from ansible_collections.privnet.azure.plugins.module_utils._vpn import tags_wanted

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    resource_group=dict(type="str", required=True),
    location=dict(type="str"),
    outbound_endpoints=dict(type="list", elements="str"),
    rules=dict(type="list", elements="dict", options=dict(
        name=dict(type="str", required=True),
        domain_name=dict(type="str", required=True),
        target_dns_servers=dict(type="list", elements="dict", required=True, options=dict(
            ip_address=dict(type="str", required=True),
            port=dict(type="int", default=53),
        )),
        enabled=dict(type="bool"),
        metadata=dict(type="dict"),
    )),
    purge_rules=dict(type="bool", default=False),
    virtual_network_links=dict(type="list", elements="dict", options=dict(
        name=dict(type="str"),
        virtual_network=dict(type="str", required=True),
        resource_group=dict(type="str"),
        metadata=dict(type="dict"),
    )),
    purge_virtual_network_links=dict(type="bool", default=False),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True)
    params = module.params

    # 1. Validate what needs no call to Azure.
    module.validated(valid_name, "dns_forwarding_ruleset", params["name"], "name")
    module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    ruleset_id = build_resource_id(module.subscription_id, params["resource_group"], NETWORK, RULESET_TYPE,
                                   params["name"])
    what = f"DNS forwarding ruleset '{params['name']}' (resource group '{params['resource_group']}')"
    arm = module.arm()
    if params["state"] == "absent":
        absent(module, arm, ruleset_id, what)
    for purge, option in (("purge_rules", "rules"), ("purge_virtual_network_links", "virtual_network_links")):
        if params[purge] and params[option] is None:
            module.fail_json(msg=f"{purge}: true needs {option}, the complete list ({option}: [] deletes them all); "
                                 "nothing was changed")
    outbound_ids = outbound_requests(module)
    wanted_rules = rule_requests(module)
    wanted_links = link_requests(module)

    # 2. Read the ruleset, its rules and links, and the outbound endpoints it is to use.
    current = arm.get(ruleset_id, DNS_RESOLVER_API, what=f"reading {what}")
    rules = arm.list(f"{ruleset_id}/{RULES}", DNS_RESOLVER_API, what=f"listing the rules of {what}") if current else []
    links = arm.list(f"{ruleset_id}/{LINKS}", DNS_RESOLVER_API, what=f"listing the links of {what}") if current else []
    now_outbound = [ref(e) for e in properties(current).get("dnsResolverOutboundEndpoints") or []]
    if current is None and not outbound_ids:
        module.fail_json(msg=f"outbound_endpoints: {what} does not exist; give the resource ids of one or two DNS "
                             "resolver outbound endpoints to create it. Nothing was changed.")
    location = current.get("location") if current else None
    if current is not None and params["location"] and location_key(params["location"]) != location_key(location):
        module.fail_json(msg=f"location: {what} is in {location}; its region cannot be changed (delete it and create "
                             "it again, or leave location out). Nothing was changed.")
    if outbound_ids is not None and (current is None or ci(sorted(outbound_ids, key=str.lower))
                                     != ci(sorted((i or "" for i in now_outbound), key=str.lower))):
        location = check_outbound_endpoints(module, arm, outbound_ids, location or params["location"])

    # 3. Plan the rules and links (checks before any write).
    rule_plan, rule_deletes = plan_rules(module, wanted_rules, rules)
    link_plan, link_deletes = plan_links(module, arm, wanted_links, links, location)

    # 4. Compare.
    difference = Difference()
    if current is None:
        difference.add("state", "absent", "present")
    if params["location"] or current is None:
        difference.add("location", location if current else ABSENT, location, location_key)
    if outbound_ids is not None:
        difference.add("outbound_endpoint_ids", sorted(now_outbound, key=str.lower) if current else ABSENT,
                       sorted(outbound_ids, key=str.lower), ci)
    tags = tags_wanted(current, params["tags"], params["purge_tags"])
    if tags is not None:
        difference.add("tags", dict(current.get("tags") or {}) if current else ABSENT, tags)
    ruleset_changed = difference.changed
    if params["rules"] is not None:
        add_children(difference, "rules", current, rules, rule_plan, rule_deletes, rule_view)
    if params["virtual_network_links"] is not None:
        add_children(difference, "virtual_network_links", current, links, link_plan, link_deletes, link_view)
    rule_writes = [(n, b) for n, b, changed in rule_plan if changed]
    link_writes = [(n, b) for n, b, changed in link_plan if changed]
    children = bool(rule_writes or link_writes)

    # 5. Apply (not in check mode): the ruleset, deletions, then rules and links.
    ruleset = current
    rules_after = {str(r.get("name")).lower(): r for r in rules if r not in rule_deletes}
    links_after = {str(k.get("name")).lower(): k for k in links if k not in link_deletes}
    body = None
    if ruleset_changed:
        body = ruleset_body(current, location, outbound_ids, tags)
        ruleset = dict(body, id=ruleset_id, name=params["name"])
    if difference.changed and not module.check_mode:
        if ruleset_changed:
            verb = "creating" if current is None else "updating"
            ruleset = arm.put(ruleset_id, DNS_RESOLVER_API, body, what=f"{verb} {what}", must_wait=children) or ruleset
        for resource, kind in [(r, "rule") for r in rule_deletes] + [(k, "virtual network link") for k in link_deletes]:
            arm.delete(resource["id"], DNS_RESOLVER_API, what=f"deleting {kind} '{resource.get('name')}' of {what}",
                       must_wait=children)
    for collection, kind, writes, after in ((RULES, "rule", rule_writes, rules_after),
                                            (LINKS, "virtual network link", link_writes, links_after)):
        for child_name, child_body in writes:
            child_id = f"{ruleset_id}/{collection}/{child_name}"
            result = None
            if not module.check_mode:
                result = arm.put(child_id, DNS_RESOLVER_API, child_body,
                                 what=f"writing {kind} '{child_name}' of {what}")
            after[child_name.lower()] = result or dict(child_body, id=child_id, name=child_name)

    # 6. Return.
    module.exit(changed=difference.changed, diff=difference,
                dns_forwarding_ruleset=ruleset_result(ruleset, list(rules_after.values()), list(links_after.values())))


# ---- the task's requests, checked before any call ----------------------------------------------------------

def outbound_requests(module):
    given = module.params["outbound_endpoints"]
    if given is None:
        return None
    if not 1 <= len(given) <= MAX_RULESET_OUTBOUND:
        module.fail_json(msg=f"outbound_endpoints: {len(given)} given; a ruleset uses 1 to {MAX_RULESET_OUTBOUND} DNS "
                             "resolver outbound endpoints (their resource ids)")
    ids = []
    for index, value in enumerate(given):
        option = f"outbound_endpoints[{index}]"
        rid = module.validated(parse_resource_id, value, option)
        if rid.full_type.lower() != f"{NETWORK}/{RESOLVER_TYPE}/{OUTBOUND}".lower():
            module.fail_json(msg=f"{option}: {value!r} is a {rid.full_type} id; expected the id of a DNS resolver "
                                 f"outbound endpoint, /subscriptions/<sub>/resourceGroups/<group>/providers/{NETWORK}/"
                                 f"{RESOLVER_TYPE}/<resolver>/{OUTBOUND}/<endpoint> (as dns_resolver returns it)")
        if any(same_id(str(rid), i) for i in ids):
            module.fail_json(msg=f"{option}: {value} is given twice; list each outbound endpoint once")
        ids.append(str(rid))
    return ids


def rule_requests(module):
    given = module.params["rules"]
    if given is None:
        return None
    if len(given) > MAX_RULES:
        module.fail_json(msg=f"rules: {len(given)} given; Azure allows at most {MAX_RULES} rules per ruleset")
    wanted, names, domains = [], {}, {}
    for index, item in enumerate(given):
        option = f"rules[{index}]"
        name = module.validated(rule_name, item["name"], f"{option}.name")
        domain = module.validated(domain_name, item["domain_name"], f"{option}.domain_name")
        for seen, key, label in ((names, name.lower(), f"{option}.name: '{name}'"),
                                 (domains, domain, f"{option}.domain_name: '{domain}'")):
            if key in seen:
                module.fail_json(msg=f"{label} is also in {seen[key]}; each rule needs a name and a domain name of its "
                                     "own")
            seen[key] = option
        servers = module.validated(target_servers, item["target_dns_servers"], f"{option}.target_dns_servers")
        metadata = {str(k): str(v) for k, v in item["metadata"].items()} if item["metadata"] is not None else None
        wanted.append({"option": option, "name": name, "domain_name": domain, "target_dns_servers": servers,
                       "enabled": item["enabled"], "metadata": metadata})
    return wanted


def link_requests(module):
    given = module.params["virtual_network_links"]
    if given is None:
        return None
    if len(given) > MAX_LINKS:
        module.fail_json(msg=f"virtual_network_links: {len(given)} given; Azure allows at most {MAX_LINKS} per ruleset")
    wanted = []
    for index, item in enumerate(given):
        option = f"virtual_network_links[{index}]"
        if item["resource_group"]:
            module.validated(valid_name, "resource_group", item["resource_group"], f"{option}.resource_group")
        vnet = module.resolve_id(item["virtual_network"], f"{option}.virtual_network", NETWORK, "virtualNetworks",
                                 resource_group=item["resource_group"], name_kind="virtual_network")
        if item["name"] is not None:
            module.validated(valid_name, "virtual_network_link", item["name"], f"{option}.name")
        metadata = {str(k): str(v) for k, v in item["metadata"].items()} if item["metadata"] is not None else None
        wanted.append({"option": option, "name": item["name"], "vnet": vnet, "metadata": metadata})
    return wanted


# ---- reads and plans -----------------------------------------------------------------------------------------

def check_outbound_endpoints(module, arm, ids, location):
    """Every outbound endpoint must exist, all in one region (the ruleset's); returns that region."""
    for index, endpoint_id in enumerate(ids):
        option = f"outbound_endpoints[{index}]"
        rid = parse_resource_id(endpoint_id)
        endpoint = arm.get(endpoint_id, DNS_RESOLVER_API,
                           what=f"reading outbound endpoint '{rid.leaf_name}' of DNS resolver '{rid.name}'")
        if endpoint is None:
            message = (f"{option}: outbound endpoint '{rid.leaf_name}' of DNS resolver '{rid.name}' (resource group "
                       f"'{rid.resource_group}') was not found; create it first (privnet.azure.dns_resolver, "
                       "outbound_endpoints), or fix the id")
            if module.check_mode:
                # An earlier task of the same check run may be the one that would create it (as vpn_connection does
                # for a gateway): predict the ruleset, warn, and let a real run refuse if it still does not exist.
                module.warn(f"{message}. Check mode predicts the ruleset; a real run fails unless it exists by then")
                continue
            module.fail_json(msg=f"{message}. Nothing was changed.")
        if location is None:
            location = endpoint.get("location")
        elif location_key(endpoint.get("location")) != location_key(location):
            module.fail_json(msg=f"{option}: outbound endpoint '{rid.leaf_name}' is in {endpoint.get('location')}, the "
                                 f"ruleset in {location}; a ruleset uses outbound endpoints of its own region. Nothing "
                                 "was changed.")
    return location


def plan_rules(module, wanted, rules):
    """[(name, body, changed)] for the listed rules, and the rules to delete (purge_rules)."""
    if wanted is None:
        return [], []
    by_name = {str(r.get("name")).lower(): r for r in rules}
    plan = []
    for rule in wanted:
        existing = by_name.get(rule["name"].lower())
        now = rule_result(existing) if existing else None
        if now and str(now["domain_name"]).lower() != rule["domain_name"]:
            module.fail_json(msg=f"{rule['option']}.domain_name: rule '{rule['name']}' is for {now['domain_name']} and "
                                 "a rule's domain name cannot be changed; give the new rule another name (and remove "
                                 "this one with purge_rules: true). Nothing was changed.")
        body = writable(existing, READ_ONLY, CHILD_READ_ONLY_PROPERTIES) if existing else {"properties": {}}
        props = body.setdefault("properties", {})
        props["domainName"] = rule["domain_name"]
        props["targetDnsServers"] = [{"ipAddress": s["ip_address"], "port": s["port"]}
                                     for s in rule["target_dns_servers"]]
        if rule["enabled"] is not None:
            props["forwardingRuleState"] = "Enabled" if rule["enabled"] else "Disabled"
        elif not existing:
            props["forwardingRuleState"] = "Enabled"
        if rule["metadata"] is not None:
            props["metadata"] = rule["metadata"]
        changed = (existing is None or str(properties(existing).get("provisioningState")).lower() == "failed"
                   or rule_view(existing) != rule_view(body))
        plan.append((existing.get("name") if existing else rule["name"], body, changed))
    listed = {r["name"].lower() for r in wanted}
    deletes = [r for r in rules if str(r.get("name")).lower() not in listed] if module.params["purge_rules"] else []
    if len(rules) - len(deletes) + sum(1 for _n, _b, c in plan if c and _n.lower() not in by_name) > MAX_RULES:
        module.fail_json(msg=f"rules: the ruleset would have more than {MAX_RULES} rules, Azure's limit (remove some, "
                             "or set purge_rules: true). Nothing was changed.")
    return plan, deletes


def plan_links(module, arm, wanted, links, location):
    """[(name, body, changed)] for the listed links (each new one's virtual network read: it must exist in the
    ruleset's region), and the links to delete (purge_virtual_network_links)."""
    if wanted is None:
        return [], []
    by_name = {str(k.get("name")).lower(): k for k in links}
    plan, names, vnets = [], set(), {}
    for link in wanted:
        name = link["name"]
        if name is None:  # an existing link to that network, else the network's name
            existing = next((k for k in links if same_id(ref(properties(k).get("virtualNetwork")), str(link["vnet"]))),
                            None)
            name = existing.get("name") if existing else link["vnet"].name
        if str(link["vnet"]).lower() in vnets:
            module.fail_json(msg=f"{link['option']}.virtual_network: '{link['vnet'].name}' is also linked by "
                                 f"{vnets[str(link['vnet']).lower()]}; link each virtual network once")
        vnets[str(link["vnet"]).lower()] = link["option"]
        if name.lower() in names:
            module.fail_json(msg=f"{link['option']}.name: '{name}' is given twice; give each link a name of its own")
        names.add(name.lower())
        existing = by_name.get(name.lower())
        if existing is not None and not same_id(ref(properties(existing).get("virtualNetwork")), str(link["vnet"])):
            module.fail_json(msg=f"{link['option']}.virtual_network: link '{name}' is to virtual network "
                                 f"'{parse_resource_id(ref(properties(existing).get('virtualNetwork'))).name}' and a "
                                 "link's virtual network cannot be changed; give the new link another name (and remove "
                                 "this one with purge_virtual_network_links: true). Nothing was changed.")
        if existing is None:
            rid = link["vnet"]
            vnet = arm.get(str(rid), NETWORK_API, what=f"reading virtual network '{rid.name}'")
            if vnet is None:
                module.fail_json(msg=f"{link['option']}.virtual_network: virtual network '{rid.name}' was not found in "
                                     f"resource group '{rid.resource_group}' (subscription '{rid.subscription}'); "
                                     "create it first, or fix the name. Nothing was changed.")
            if location and location_key(vnet.get("location")) != location_key(location):
                module.fail_json(msg=f"{link['option']}.virtual_network: virtual network '{rid.name}' is in "
                                     f"{vnet.get('location')}, the ruleset in {location}; a ruleset links virtual "
                                     "networks of its own region only. Nothing was changed.")
        body = writable(existing, READ_ONLY, CHILD_READ_ONLY_PROPERTIES) if existing else {
            "properties": {"virtualNetwork": {"id": str(link["vnet"])}}}
        if link["metadata"] is not None:
            body.setdefault("properties", {})["metadata"] = link["metadata"]
        changed = (existing is None or str(properties(existing).get("provisioningState")).lower() == "failed"
                   or link_view(existing) != link_view(body))
        plan.append((existing.get("name") if existing else name, body, changed))
    deletes = ([k for k in links if str(k.get("name")).lower() not in names]
               if module.params["purge_virtual_network_links"] else [])
    if len(links) - len(deletes) + sum(1 for n, _b, c in plan if c and n.lower() not in by_name) > MAX_LINKS:
        module.fail_json(msg=f"virtual_network_links: the ruleset would have more than {MAX_LINKS} links, Azure's "
                             "limit. Nothing was changed.")
    return plan, deletes


# ---- views, bodies ---------------------------------------------------------------------------------------------

def rule_view(rule):
    view = rule_result(rule)
    return {"name": view["name"], "domain_name": str(view["domain_name"] or "").lower(),
            "target_dns_servers": view["target_dns_servers"], "enabled": view["enabled"], "metadata": view["metadata"]}


def link_view(link):
    view = link_result(link)
    return {"name": view["name"], "virtual_network_id": view["virtual_network_id"], "metadata": view["metadata"]}


def add_children(difference, key, current, existing, plan, deletes, view):
    """Record the listed and purged children (rules or links) in the diff: all of them before, as they will be after."""
    names = {str(name).lower(): body for name, body, _changed in plan}
    before = sorted((view(c) for c in existing), key=lambda v: str(v["name"]).lower())
    after = [view(c) for c in existing if c not in deletes and str(c.get("name")).lower() not in names]
    after += [view(dict(body, name=name)) for name, body, _changed in plan]
    after = sorted(after, key=lambda v: str(v["name"]).lower())
    changed = bool(deletes) or any(c for _n, _b, c in plan)
    difference.add(key, before if current is not None else ABSENT, after, ci, changed=changed)


def ruleset_body(current, location, outbound_ids, tags):
    if current is not None:
        body = writable(current, READ_ONLY, RULESET_READ_ONLY_PROPERTIES)
    else:
        body = {"location": location, "properties": {}}
    if outbound_ids is not None:
        body.setdefault("properties", {})["dnsResolverOutboundEndpoints"] = [{"id": i} for i in outbound_ids]
    if tags is not None:
        body["tags"] = tags
    return body


def absent(module, arm, ruleset_id, what):
    current = arm.get(ruleset_id, DNS_RESOLVER_API, what=f"reading {what}")
    difference = Difference()
    if current is None:
        difference.add("state", "absent", "absent")
        module.exit(changed=False, diff=difference, dns_forwarding_ruleset={})
    rules = arm.list(f"{ruleset_id}/{RULES}", DNS_RESOLVER_API, what=f"listing the rules of {what}")
    links = arm.list(f"{ruleset_id}/{LINKS}", DNS_RESOLVER_API, what=f"listing the links of {what}")
    view = ruleset_result(current, rules, links)
    for key in ("location", "outbound_endpoint_ids", "tags"):
        difference.add(key, view[key], ABSENT)
    difference.add("rules", sorted((rule_view(r) for r in rules), key=lambda v: str(v["name"]).lower()), ABSENT)
    difference.add("virtual_network_links", sorted((link_view(k) for k in links), key=lambda v: str(v["name"]).lower()),
                   ABSENT)
    difference.add("state", "present", "absent")
    if not module.check_mode:
        # The links first (what the outbound endpoint restriction names), each waited for, then the ruleset.
        for link in links:
            arm.delete(link["id"], DNS_RESOLVER_API, what=f"deleting virtual network link '{link.get('name')}' of "
                                                          f"{what}", must_wait=True)
        arm.delete(ruleset_id, DNS_RESOLVER_API, what=f"deleting {what}")
    module.exit(changed=True, diff=difference, dns_forwarding_ruleset={})


if __name__ == "__main__":
    main()
