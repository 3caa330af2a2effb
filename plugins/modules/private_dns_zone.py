#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: private_dns_zone
short_description: Manage an Azure Private DNS zone and its virtual network links
version_added: 0.1.0
description:
  - Creates, updates or deletes a Private DNS zone, such as V(privatelink.azurecr.io) for Azure Container
    Registry behind Private Link, and links it to virtual networks so that they resolve its records.
  - A link's virtual network cannot be changed in place in Azure. When an existing link points at another
    virtual network than the one asked for, the module deletes that link and creates it again on the right
    virtual network, and says so in the diff and in RV(links[].action).
  - Links that are not listed are left alone, unless O(purge_links=true).
  - With O(state=absent) the zone's links are deleted first (Azure refuses to delete a zone that still has
    links), then the zone with its record sets.
  - Use M(privnet.azure.private_dns_records) for the zone's records.
author:
  - privnet maintainers (!UNKNOWN)
options:
  name:
    description:
      - Name of the zone, such as V(privatelink.azurecr.io).
      - Two labels or more; each label 1 to 63 letters, digits, hyphens or underscores, not starting or
        ending with a hyphen; 253 characters in total. A trailing dot is ignored.
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the zone. It must exist.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the zone and its links; V(absent) deletes its links, then the zone.
    type: str
    default: present
    choices: [present, absent]
  tags:
    description:
      - Tags of the zone. Not changed when not given.
    type: dict
  purge_tags:
    description:
      - With V(true), tags of the zone that are not in O(tags) are removed; with V(false) they are kept.
      - Only used when O(tags) is given.
    type: bool
    default: true
  links:
    description:
      - Virtual networks to link the zone to. Not changed when not given.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the link.
          - Default is the name of the virtual network (O(links[].virtual_network) as a name, or the last
            segment of its id). If the zone already has a link to that virtual network under another name,
            that link is used instead of creating a second one (Azure allows one link per zone and virtual
            network).
          - 1 to 80 letters, digits, underscores, periods and hyphens, starting with a letter or digit and
            ending with a letter, digit or underscore.
        type: str
      virtual_network:
        description:
          - The virtual network, by name (in O(links[].resource_group)) or by resource id, which may be in
            another subscription.
        type: str
        required: true
      resource_group:
        description:
          - Resource group of the virtual network when O(links[].virtual_network) is a name. Default is the
            zone's O(resource_group).
        type: str
      registration_enabled:
        description:
          - Whether virtual machines of the virtual network register their names in the zone (auto-registration).
          - The Private Link procedures ask for V(false). A virtual network can have auto-registration in one
            zone only.
        type: bool
        default: false
      resolution_policy:
        description:
          - V(NxDomainRedirect) makes names the zone does not hold fall back to public resolution (useful for
            C(privatelink) zones shared across tenants); V(Default) answers NXDOMAIN.
          - Not changed when not given; Azure uses V(Default) for a new link.
        type: str
        choices: [Default, NxDomainRedirect]
      state:
        description:
          - V(absent) deletes the zone's link to this virtual network (by O(links[].name), or, without a name,
            whatever link points at the virtual network), leaving the zone and its other links alone.
          - A zone that does not exist is not created only to remove links from it.
        type: str
        choices: [present, absent]
        default: present
  purge_links:
    description:
      - With V(true), links of the zone that are not listed in O(links) are deleted (all of them when O(links)
        is not given).
    type: bool
    default: false
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
      - The diff shows whether the zone exists, its tags when O(tags) is given, and the listed and purged
        links (virtual network, registration, resolution policy); a link that has to be deleted and created
        again on another virtual network carries a C(recreate) note.
  idempotent:
    support: full
notes:
  - Zones and links are long-running operations in Azure (often 30 seconds or more each). With O(wait=false)
    the module still waits for the operations a later step depends on (deleting a link before the zone or
    before creating it again, creating the zone before its links).
  - The zone is global; there is no location option.
seealso:
  - module: privnet.azure.private_dns_records
  - name: What is a virtual network link?
    description: Registration and resolution through links.
    link: https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links
  - name: Fallback to internet for Azure Private DNS zones
    description: The NxDomainRedirect resolution policy.
    link: https://learn.microsoft.com/azure/dns/private-dns-fallback
"""

EXAMPLES = r"""
- name: Zone for Azure Container Registry, linked to the workload VNet (steps 2 and 3 of the procedure)
  privnet.azure.private_dns_zone:
    name: privatelink.azurecr.io
    resource_group: rg-dns
    links:
      - virtual_network: vnet-app
        resource_group: rg-network

- name: Hub and spokes in other subscriptions; remove links to VNets no longer listed
  privnet.azure.private_dns_zone:
    name: privatelink.azurecr.io
    resource_group: rg-dns
    tags: {owner: platform}
    purge_links: true
    links:
      - virtual_network: /subscriptions/{{ hub_sub }}/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub
      - name: link-spoke1
        virtual_network: /subscriptions/{{ spoke_sub }}/resourceGroups/rg-spokes/providers/Microsoft.Network/virtualNetworks/vnet-spoke1
        resolution_policy: NxDomainRedirect

- name: Tear down (links first, then the zone)
  privnet.azure.private_dns_zone:
    name: privatelink.azurecr.io
    resource_group: rg-dns
    state: absent
"""

RETURN = r"""
zone:
  description:
    - The zone; in check mode, as it would be.
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: Resource id of the zone.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io
    name:
      description: Name of the zone.
      type: str
      returned: always
      sample: privatelink.azurecr.io
    resource_group:
      description: Resource group of the zone.
      type: str
      returned: always
      sample: rg-dns
    number_of_record_sets:
      description: Number of record sets, the SOA record set included (so 1 for a new zone).
      type: int
      returned: always
      sample: 4
    tags:
      description: Tags of the zone.
      type: dict
      returned: always
      sample: {owner: platform}
    provisioning_state:
      description: Provisioning state; null when not known (check mode, or O(wait=false)).
      type: str
      returned: always
      sample: Succeeded
links:
  description:
    - The zone's links (listed or not) after the task, then the links it deleted.
    - In check mode, as they would be.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the link.
      type: str
      returned: always
      sample: vnet-app
    id:
      description: Resource id of the link.
      type: str
      returned: always
    virtual_network_id:
      description: Resource id of the linked virtual network.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-app
    registration_enabled:
      description: Whether auto-registration is enabled.
      type: bool
      returned: always
      sample: false
    resolution_policy:
      description: Resolution policy, V(Default) or V(NxDomainRedirect).
      type: str
      returned: always
      sample: Default
    state:
      description:
        - The link's C(virtualNetworkLinkState), V(Completed) once the virtual network resolves the zone.
        - Null when not known (check mode, O(wait=false), deleted links).
      type: str
      returned: always
      sample: Completed
    provisioning_state:
      description: Provisioning state of the link; null when not known.
      type: str
      returned: always
      sample: Succeeded
    action:
      description:
        - What the task did to the link. V(recreated) means deleted and created again on another virtual network.
      type: str
      returned: always
      sample: created
      choices: [created, updated, recreated, deleted, unchanged]
"""

from ansible_collections.privnet.azure.plugins.module_utils._armjson import (
    NETWORK_API,
    PRIVATE_DNS_API,
    properties,
    ref,
    writable,
)
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule, HttpResponseError, means_absent
from ansible_collections.privnet.azure.plugins.module_utils._diff import ABSENT, Difference, ci
from ansible_collections.privnet.azure.plugins.module_utils._dns import NETWORK, describe_zone, zone_id
from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id, same_id
from ansible_collections.privnet.azure.plugins.module_utils._validate import dns_zone_name
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name

LINK_SPEC = dict(
    name=dict(type="str"),
    virtual_network=dict(type="str", required=True),
    resource_group=dict(type="str"),
    registration_enabled=dict(type="bool", default=False),
    resolution_policy=dict(type="str", choices=["Default", "NxDomainRedirect"]),
    state=dict(type="str", default="present", choices=["present", "absent"]),
)

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    resource_group=dict(type="str", required=True),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    links=dict(type="list", elements="dict", options=LINK_SPEC),
    purge_links=dict(type="bool", default=False),
)

CREATED = "created"
UPDATED = "updated"
RECREATED = "recreated"
DELETED = "deleted"
UNCHANGED = "unchanged"
RECREATE_NOTE = ("deleted and created again: the virtual network of a link cannot be changed in place "
                 "({old} -> {new})")
LINKS = "virtualNetworkLinks"
# What Azure sets and a PUT ignores (readOnly in Microsoft's privatedns.json 2024-06-01): left out of a zone or link
# sent back.
READ_ONLY = ("id", "name", "type", "systemData")
ZONE_READ_ONLY_PROPERTIES = ("maxNumberOfRecordSets", "numberOfRecordSets", "maxNumberOfVirtualNetworkLinks",
                             "numberOfVirtualNetworkLinks", "maxNumberOfVirtualNetworkLinksWithRegistration",
                             "numberOfVirtualNetworkLinksWithRegistration", "provisioningState", "internalId")
LINK_READ_ONLY_PROPERTIES = ("virtualNetworkLinkState", "provisioningState")


class Link:
    """One link: as wanted (None for a link only read), as read, and what to do with it."""

    def __init__(self, name, option=None, vnet_id=None, registration_enabled=None, resolution_policy=None,
                 explicit_name=True, remove=False):
        self.name = name
        self.remove = remove          # listed with state=absent
        self.option = option
        self.vnet_id = vnet_id
        self.registration_enabled = registration_enabled
        self.resolution_policy = resolution_policy
        self.explicit_name = explicit_name
        self.current = None           # the link read (Azure's JSON), or None
        self.action = UNCHANGED
        self.result = None            # the link Azure returned after the write

    @property
    def wanted(self):
        return self.option is not None

    def plan(self):
        cur = self.current
        if not self.wanted:
            return self.action
        if self.remove:
            self.action = DELETED if cur is not None else UNCHANGED
        elif cur is None:
            self.action = CREATED
        elif not same_id(vnet_of(cur), self.vnet_id):
            self.action = RECREATED
        elif (ci(properties(cur).get("provisioningState")) == "failed"
              or bool(properties(cur).get("registrationEnabled")) != self.registration_enabled
              or (self.resolution_policy is not None
                  and ci(properties(cur).get("resolutionPolicy") or "Default") != ci(self.resolution_policy))):
            self.action = UPDATED
        else:
            self.action = UNCHANGED
        return self.action

    def create_body(self):
        properties = {"virtualNetwork": {"id": self.vnet_id}, "registrationEnabled": self.registration_enabled}
        if self.resolution_policy is not None:
            properties["resolutionPolicy"] = self.resolution_policy
        return {"location": "global", "properties": properties}

    def update_body(self):
        """Read-modify-write: the link read, with the managed fields set (tags and the rest kept)."""
        body = writable(self.current, READ_ONLY, LINK_READ_ONLY_PROPERTIES)
        body.setdefault("properties", {})["registrationEnabled"] = self.registration_enabled
        if self.resolution_policy is not None:
            body["properties"]["resolutionPolicy"] = self.resolution_policy
        return body

    def view_before(self):
        return link_view(self.current) if self.current is not None else None

    def view_after(self):
        if self.action == DELETED:
            return None
        if not self.wanted:
            return link_view(self.current)
        policy = self.resolution_policy
        if policy is None:
            keep = self.current is not None and self.action != RECREATED
            policy = (properties(self.current).get("resolutionPolicy") if keep else None) or "Default"
        view = {"virtual_network_id": self.vnet_id, "registration_enabled": self.registration_enabled,
                "resolution_policy": policy}
        if self.action == RECREATED:
            view["recreate"] = RECREATE_NOTE.format(old=vnet_of(self.current), new=self.vnet_id)
        return view

    def returned(self, zone_rid):
        if self.remove and self.current is None:
            return {"name": self.name, "id": None, "virtual_network_id": self.vnet_id, "registration_enabled": None,
                    "resolution_policy": None, "state": None, "provisioning_state": None, "action": UNCHANGED}
        if self.result is not None:
            return link_result(self.result, self.action)
        if self.action == DELETED or (self.action == UNCHANGED and self.current is not None):
            out = link_result(self.current, self.action)
            if self.action == DELETED:
                out["state"] = out["provisioning_state"] = None
            return out
        # check mode, or wait=false: as it will be
        view = self.view_after()
        return {"name": self.name, "id": str(zone_rid.child("virtualNetworkLinks", self.name)),
                "virtual_network_id": view["virtual_network_id"],
                "registration_enabled": view["registration_enabled"],
                "resolution_policy": view["resolution_policy"], "state": None, "provisioning_state": None,
                "action": self.action}


def vnet_of(link):
    return ref(properties(link).get("virtualNetwork"))


def link_view(link):
    return {"virtual_network_id": vnet_of(link), "registration_enabled": bool(properties(link).get("registrationEnabled")),
            "resolution_policy": properties(link).get("resolutionPolicy") or "Default"}


def link_result(link, action):
    props = properties(link)
    return {"name": link.get("name"), "id": link.get("id"), "virtual_network_id": vnet_of(link),
            "registration_enabled": bool(props.get("registrationEnabled")),
            "resolution_policy": props.get("resolutionPolicy") or "Default",
            "state": props.get("virtualNetworkLinkState"), "provisioning_state": props.get("provisioningState"),
            "action": action}


def zone_result(zone, rid, tags, read=None):
    """The documented ``zone`` value: from ``zone`` (Azure's answer), else as it will be (check mode,
    wait=false) from the zone ``read`` (None for a new zone) and the ``tags`` sent."""
    if zone is None:
        return {"id": read.get("id") if read is not None else str(rid), "name": rid.name,
                "resource_group": rid.resource_group,
                # a new zone holds its SOA record set
                "number_of_record_sets": properties(read).get("numberOfRecordSets") if read is not None else 1,
                "tags": dict(tags or {}), "provisioning_state": None}
    parsed = parse_resource_id(zone["id"]) if zone.get("id") else rid
    return {"id": zone.get("id"), "name": zone.get("name"), "resource_group": parsed.resource_group,
            "number_of_record_sets": properties(zone).get("numberOfRecordSets"), "tags": dict(zone.get("tags") or {}),
            "provisioning_state": properties(zone).get("provisioningState")}


def parse_links(module):
    """The listed links, checked (names, ids, duplicates) before any call."""
    links, names, networks = [], {}, {}
    for index, spec in enumerate(module.params["links"] or []):
        option = f"links[{index}]"
        value = spec["virtual_network"]
        vnet = module.resolve_id(value, f"{option}.virtual_network", NETWORK, "virtualNetworks",
                                 resource_group=spec["resource_group"] or module.params["resource_group"],
                                 name_kind="virtual_network")
        if spec["resource_group"]:
            module.validated(valid_name, "resource_group", spec["resource_group"], f"{option}.resource_group")
        name = spec["name"] or vnet.name
        module.validated(valid_name, "virtual_network_link", name, f"{option}.name")
        if name.lower() in names:
            module.fail_json(msg=f"{option}.name: the link name '{name}' is already used by {names[name.lower()]}"
                                 + ("" if spec["name"] else " (the default name is the virtual network's name)")
                                 + "; give each link its own name")
        vnet_id = str(vnet)
        if vnet_id.lower() in networks:
            module.fail_json(msg=f"{option}.virtual_network: {vnet_id} is already listed as {networks[vnet_id.lower()]}; "
                                 "a zone can be linked to a virtual network only once")
        names[name.lower()] = option
        networks[vnet_id.lower()] = option
        links.append(Link(name, option, vnet_id, spec["registration_enabled"], spec["resolution_policy"],
                          explicit_name=bool(spec["name"]), remove=spec["state"] == "absent"))
    return links


def match_links(wanted, current_links, purge):
    """Pair listed links with the links read; return every Link (listed, kept, deleted) with its action."""
    by_name = {current["name"].lower(): current for current in current_links}
    listed_names = {link.name.lower() for link in wanted}
    used = set()
    for link in wanted:
        current = by_name.get(link.name.lower())
        if current is None and not link.explicit_name:
            # Adopt a link to the same VNet under another name: Azure allows one link per zone and VNet.
            current = next((c for c in current_links if same_id(vnet_of(c), link.vnet_id)
                            and c["name"].lower() not in listed_names and c["name"].lower() not in used), None)
            if current is not None:
                link.name = current["name"]
        link.current = current
        if current is not None:
            used.add(current["name"].lower())
        link.plan()
    others = []
    for current in current_links:
        if current["name"].lower() in used:
            continue
        other = Link(current["name"])
        other.current = current
        other.action = DELETED if purge else UNCHANGED
        others.append(other)
    return wanted, others


def check_one_link_per_network(module, wanted, others, describe):
    """Before any write: a link to create must not meet another (kept) link to the same VNet."""
    for link in wanted:
        if link.action not in (CREATED, RECREATED):
            continue
        for other in others:
            if other.action != DELETED and same_id(vnet_of(other.current), link.vnet_id):
                hint = (f"set {link.option}.name to '{other.current['name']}'" if link.explicit_name
                        else f"leave {link.option}.name out")
                module.fail_json(msg=f"{link.option}: {describe} is already linked to {link.vnet_id} by the link "
                                     f"'{other.current['name']}', and a zone can be linked to a virtual network only "
                                     f"once; {hint} to manage that link, or delete it with purge_links=true")


def check_networks_exist(module, links):
    """Before any write: the VNet of each link to create exists (a read only when something is created)."""
    for link in links:
        if link.action not in (CREATED, RECREATED):
            continue
        rid = parse_resource_id(link.vnet_id)
        arm = module.arm(rid.subscription)

        def read(rid=rid, arm=arm):
            try:
                arm.send("GET", str(rid), NETWORK_API)
                return True
            except HttpResponseError as exc:
                if means_absent(exc):
                    return False
                if exc.status_code == 403:
                    return True   # no read right on that VNet: let Azure judge the link itself
                raise

        found = module.call(read, what=f"reading virtual network '{rid.name}' (resource group "
                                       f"'{rid.resource_group}', subscription '{rid.subscription}') of {link.option}")
        if not found:
            module.fail_json(msg=f"{link.option}.virtual_network: virtual network '{rid.name}' was not found in "
                                 f"resource group '{rid.resource_group}' (subscription '{rid.subscription}'); "
                                 "create it first, or fix the name, resource group or id")


def desired_tags(params, current_tags):
    if params["tags"] is None:
        return current_tags
    if params["purge_tags"]:
        return dict(params["tags"])
    merged = dict(current_tags or {})
    merged.update(params["tags"])
    return merged


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True)
    params = module.params

    # 1. Parse and validate, before any call to Azure.
    zone = module.validated(dns_zone_name, params["name"], "name")
    resource_group = module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    present = params["state"] == "present"
    wanted = parse_links(module) if present else []
    rid = zone_id(module.subscription_id, resource_group, zone)
    describe = describe_zone(resource_group, zone)
    where = f"of {describe}"

    # 2. Read the zone and its links.
    arm = module.arm()
    zone_model = arm.get(str(rid), PRIVATE_DNS_API, what=f"reading {describe}")
    current_links = []
    if zone_model is not None:
        current_links = arm.list(f"{rid}/{LINKS}", PRIVATE_DNS_API, what=f"listing the virtual network links {where}")

    if not present:
        delete_zone(module, arm, rid, zone_model, current_links, describe)
    if zone_model is None and wanted and all(link.remove for link in wanted) and not params["tags"]:
        # Only links to remove, from a zone that is not there: nothing to do (do not create it for that).
        module.exit(changed=False, zone=None, links=[link.returned(rid) for link in wanted])

    # 3. Compare.
    wanted, others = match_links(wanted, current_links, params["purge_links"])
    check_one_link_per_network(module, wanted, others, describe)
    check_networks_exist(module, wanted)
    current_tags = dict(zone_model.get("tags") or {}) if zone_model is not None else None
    tags = desired_tags(params, current_tags or {})
    if zone_model is None:
        zone_action = CREATED
    elif tags != current_tags or ci(properties(zone_model).get("provisioningState")) == "failed":
        zone_action = UPDATED
    else:
        zone_action = UNCHANGED
    link_changes = [link for link in wanted + others if link.action != UNCHANGED]
    changed = zone_action != UNCHANGED or bool(link_changes)
    diff = zone_diff(zone, params, current_tags, tags, wanted, others)

    # 4. Apply unless in check mode: deletions first (a recreated link, purged links), then the zone,
    #    then the links to create or update.
    result_model = zone_model if zone_action == UNCHANGED else None
    if changed and not module.check_mode:
        for link in link_changes:
            if link.action in (DELETED, RECREATED):
                name = link.current["name"]
                arm.delete(f"{rid}/{LINKS}/{name}", PRIVATE_DNS_API, must_wait=True,
                           what=f"deleting virtual network link '{name}' {where}")
        if zone_action != UNCHANGED:
            if zone_model is None:
                body = {"location": "global"}
                if tags:
                    body["tags"] = tags
            else:
                # read-modify-write: every zone property but tags is read-only
                body = dict(writable(zone_model, READ_ONLY, ZONE_READ_ONLY_PROPERTIES), tags=tags)
            needed_by_links = zone_action == CREATED and any(link.action != DELETED for link in link_changes)
            result_model = arm.put(str(rid), PRIVATE_DNS_API, body, must_wait=needed_by_links,
                                   what=f"{'creating' if zone_action == CREATED else 'updating'} {describe}")
        for link in link_changes:
            if link.action in (CREATED, RECREATED):
                body, verb = link.create_body(), "creating"
            elif link.action == UPDATED:
                body, verb = link.update_body(), "updating"
            else:
                continue
            link.result = arm.put(f"{rid}/{LINKS}/{link.name}", PRIVATE_DNS_API, body,
                                  what=f"{verb} virtual network link '{link.name}' {where}")

    # 5. Return (what Azure answered; in check mode or with wait=false, as it will be).
    kept = [link for link in others if link.action == UNCHANGED]
    deleted = [link for link in others if link.action == DELETED]
    module.exit(changed=changed, diff=diff, zone=zone_result(result_model, rid, tags, zone_model),
                links=[link.returned(rid) for link in wanted + kept + deleted])


def zone_diff(zone, params, before_tags, after_tags, wanted, others):
    diff = Difference()
    diff.add("name", zone, zone)
    diff.add("state", "present" if before_tags is not None else "absent", "present")
    if params["tags"] is not None:
        diff.add("tags", ABSENT if before_tags is None else before_tags, after_tags)
    if params["links"] is not None or params["purge_links"]:
        before, after = {}, {}
        for link in wanted + [o for o in others if o.action == DELETED]:
            if link.view_before() is not None:
                before[link.current["name"]] = link.view_before()
            if link.view_after() is not None:
                after[link.name] = link.view_after()
        diff.add("links", before, after)
    return diff


def delete_zone(module, arm, rid, zone_model, current_links, describe):
    """state=absent: the links (waited for: Azure refuses to delete a zone with links), then the zone."""
    diff = Difference()
    diff.add("name", rid.name, rid.name)
    if zone_model is None:
        diff.add("state", "absent", "absent")
        module.exit(changed=False, diff=diff, links=[])
    links = []
    for current in current_links:
        link = Link(current["name"])
        link.current = current
        link.action = DELETED
        links.append(link)
    if not module.check_mode:
        for link in links:
            arm.delete(f"{rid}/{LINKS}/{link.name}", PRIVATE_DNS_API, must_wait=True,
                       what=f"deleting virtual network link '{link.name}' of {describe}")
        arm.delete(str(rid), PRIVATE_DNS_API, what=f"deleting {describe}")
    diff.add("state", "present", "absent")
    diff.add("tags", dict(zone_model.get("tags") or {}), ABSENT)
    diff.add("links", {link.name: link.view_before() for link in links}, ABSENT)
    module.exit(changed=True, diff=diff, links=[link.returned(None) for link in links])


if __name__ == "__main__":
    main()
