"""Microsoft.Network parents whose children are both a property list and a child resource type.

NRP exposes some child collections twice: as a list inside the parent's `properties` (written by a PUT of the
parent, which replaces the whole list) and as a child resource type with its own GET/PUT/DELETE paths. The
virtual network does this with `subnets` (network.py); the same pattern serves network security groups
(`securityRules`, spec networkSecurityGroup.json: NetworkSecurityGroups_CreateOrUpdate and SecurityRules_*)
and route tables (`routes`, spec routeTable.json: RouteTables_CreateOrUpdate and Routes_*).

Each child is stored as its own resource (so the child paths work through the engine) and carries its
parent's etag, as NRP child resources do (arm.py `inherit_parent_etag`, the subnets convention).
"""

import copy

from ..arm import ResourceType
from ..errors import bad_request
from ..store import Resource


def parent_key_of(rid):
    return rid.parent().key


class ChildCollectionParent(ResourceType):
    """A top-level NRP resource whose `properties[prop_key]` is also the child type `child_type`."""

    child_type = None               # e.g. "securityRules"
    prop_key = None                 # e.g. "securityRules"
    read_only = ("provisioningState", "resourceGuid")

    def __init__(self, emulator):
        super().__init__(emulator)
        self._planned = {}

    @property
    def child_handler(self):
        return self.emu.engine.handler_for(self.namespace, self.types + (self.child_type,))

    def normalise_top(self, rid, props, existing):
        """Hook: defaults and checks of the parent's own properties (not the child list)."""

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        props = new["properties"]
        for key in self.read_only:
            props.pop(key, None)
        entries = props.pop(self.prop_key, None) or []   # a PUT replaces the whole list, as for a VNet's subnets
        self.normalise_top(rid, props, existing)
        names, planned = set(), []
        for entry in entries:
            name = (entry or {}).get("name")
            if not name:
                raise bad_request("InvalidRequestFormat",
                                  f"Cannot parse the request: an entry of {self.prop_key} has no name.")
            if name.lower() in names:
                # Same code and message as the VNet's duplicate subnets (network.py).
                raise bad_request("DuplicateResourceName",
                                  f"Resource {rid} has two child resources with the same name ({name}).")
            names.add(name.lower())
            cid = rid.child(self.child_type, name)
            planned.append((cid, self.child_handler.normalise(cid, entry.get("properties") or {}, new)))
        self.child_handler.check_siblings(planned)
        self._planned[rid.key] = planned
        return new

    def after_write(self, req, res, before):
        planned = self._planned.pop(res.key, None)
        if planned is None:   # a PATCH (tags only) did not run validate: the children stay as they are
            return
        keep = {cid.key for cid, _ in planned}
        for child in self.store.children(res.key, self.child_type):
            if child.key not in keep:
                self.store.remove(child.key)
        handler = self.child_handler
        for cid, props in planned:
            child = self.store.get(cid.key) or Resource(cid, handler, {})
            child.body = {"properties": props}
            self.store.put(child)

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        props["resourceGuid"] = res.guid
        handler = self.child_handler
        props[self.prop_key] = [handler.render(c) for c in self.store.children(res.key, self.child_type)]
        return props


class CollectionChild(ResourceType):
    """The child type of a ChildCollectionParent: written alone, it is checked against its siblings."""

    inherit_parent_etag = True
    has_location = False

    def locks(self, rid):
        return [parent_key_of(rid)]

    def normalise(self, cid, props, parent_body):
        """Return the properties to store for one child (raise ArmError when invalid)."""
        props = copy.deepcopy(props)
        props.pop("provisioningState", None)
        return props

    def check_siblings(self, planned):
        """Raise ArmError when the children [(rid, props)] cannot live together."""

    def validate(self, req, rid, body, existing):
        parent = self.store.get(parent_key_of(rid))
        props = self.normalise(rid, body.get("properties") or {}, parent.body)
        siblings = [(c.rid, c.properties) for c in self.store.children(parent.key, rid.types[-1])
                    if c.key != rid.key]
        self.check_siblings(siblings + [(rid, props)])
        return {"properties": props}
