"""Resource id parsing and building (case-insensitive, as ARM routes them)."""

import re
import uuid

_RG_RE = re.compile(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/([^/]+)/(.+)$", re.I)


class ResourceId:
    """/subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{child}/{name}]..."""

    def __init__(self, subscription, resource_group, namespace, pairs):
        self.subscription = subscription
        self.resource_group = resource_group
        self.namespace = namespace
        self.pairs = list(pairs)  # [(type, name), ...]

    @classmethod
    def parse(cls, text):
        m = _RG_RE.match(text.rstrip("/"))
        if not m:
            return None
        parts = m.group(4).split("/")
        if len(parts) % 2:
            return None
        pairs = [(parts[i], parts[i + 1]) for i in range(0, len(parts), 2)]
        return cls(m.group(1), m.group(2), m.group(3), pairs)

    @property
    def name(self):
        return self.pairs[-1][1]

    @property
    def types(self):
        return tuple(t for t, _ in self.pairs)

    def parent(self):
        if len(self.pairs) < 2:
            return None
        return ResourceId(self.subscription, self.resource_group, self.namespace, self.pairs[:-1])

    def child(self, type_name, name):
        return ResourceId(self.subscription, self.resource_group, self.namespace, self.pairs + [(type_name, name)])

    def __str__(self):
        tail = "/".join(f"{t}/{n}" for t, n in self.pairs)
        return f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}/providers/{self.namespace}/{tail}"

    @property
    def key(self):
        return str(self).lower()


def rg_id(subscription, resource_group):
    return f"/subscriptions/{subscription}/resourceGroups/{resource_group}"


def new_guid():
    return str(uuid.uuid4())


def same_id(a, b):
    return (a or "").rstrip("/").lower() == (b or "").rstrip("/").lower()
