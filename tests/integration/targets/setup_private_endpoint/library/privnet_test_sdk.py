#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test-only helper for integration targets: makes the Azure changes the collection has no
module for (yet), with the real SDKs and the credentials of the environment, so a target
can set up what it needs without mocks:

- action=private_endpoint: create a private endpoint with a MANUAL connection to a target
  (the registry side then shows it Pending), or read it back when it exists;
- action=private_endpoint_info: read a private endpoint's connection state;
- action=delete_private_endpoint: delete a private endpoint;
- action=replication: add a geo-replica to a container registry.

Not part of the collection's content; it only uses the collection's base for credentials,
cloud and TLS settings.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: privnet_test_sdk
short_description: Test-only Azure set-up steps for the integration targets
description: Test-only; see the module docstring.
author: privnet maintainers (!UNKNOWN)
options: {}
"""

from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id


def endpoint_result(pe):
    conns = list(pe.manual_private_link_service_connections or []) + list(pe.private_link_service_connections or [])
    state = conns[0].private_link_service_connection_state if conns else None
    return {
        "id": pe.id,
        "name": pe.name,
        "provisioning_state": str(getattr(pe.provisioning_state, "value", pe.provisioning_state)),
        "manual": bool(pe.manual_private_link_service_connections),
        "status": getattr(state, "status", None),
        "description": getattr(state, "description", None),
    }


def main():
    module = AzureModule(dict(
        action=dict(type="str", required=True,
                    choices=["private_endpoint", "private_endpoint_info", "delete_private_endpoint", "replication"]),
        name=dict(type="str"),
        resource_group=dict(type="str", required=True),
        location=dict(type="str"),
        subnet_id=dict(type="str"),
        target_id=dict(type="str"),
        group_id=dict(type="str", default="registry"),
        request_message=dict(type="str"),
        registry=dict(type="str"),
    ), lro=True)
    p = module.params
    action = p["action"]

    if action == "replication":
        from azure.mgmt.containerregistry.models import Replication
        client = module.client("containerregistry")
        existing = module.get_or_none(client.replications.get, p["resource_group"], p["registry"], p["location"])
        if existing is None and not module.check_mode:
            module.begin(client.replications.begin_create, p["resource_group"], p["registry"], p["location"],
                         Replication(location=p["location"]), what=f"adding replica {p['location']}")
        module.exit_json(changed=existing is None)

    from azure.mgmt.network.models import PrivateEndpoint, PrivateLinkServiceConnection, Subnet
    client = module.client("network")
    pe = module.get_or_none(client.private_endpoints.get, p["resource_group"], p["name"],
                            what=f"reading private endpoint {p['name']}")
    if action == "private_endpoint_info":
        if pe is None:
            module.fail_json(msg=f"private endpoint {p['name']} not found")
        module.exit_json(changed=False, private_endpoint=endpoint_result(pe))
    if action == "delete_private_endpoint":
        if pe is not None:
            module.begin(client.private_endpoints.begin_delete, p["resource_group"], p["name"],
                         what=f"deleting private endpoint {p['name']}")
        module.exit_json(changed=pe is not None)
    if pe is not None:
        module.exit_json(changed=False, private_endpoint=endpoint_result(pe))
    parse_resource_id(p["subnet_id"], "subnet_id")
    body = PrivateEndpoint(
        location=p["location"], subnet=Subnet(id=p["subnet_id"]),
        manual_private_link_service_connections=[PrivateLinkServiceConnection(
            name=f"{p['name']}-connection", private_link_service_id=p["target_id"], group_ids=[p["group_id"]],
            request_message=p["request_message"])])
    created = module.begin(client.private_endpoints.begin_create_or_update, p["resource_group"], p["name"], body,
                           what=f"creating private endpoint {p['name']}")
    module.exit_json(changed=True, private_endpoint=endpoint_result(created))


if __name__ == "__main__":
    main()
