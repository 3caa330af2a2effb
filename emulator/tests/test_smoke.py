"""The basics every other test stands on: token, resource group, a VNet LRO, the request log."""


def test_vnet_lro_and_write_log(clients):
    clients.resource.resource_groups.create_or_update("rg1", {"location": "westeurope"})
    vnet = clients.network.virtual_networks.begin_create_or_update("rg1", "v1", {
        "location": "westeurope",
        "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                       "subnets": [{"name": "s1", "properties": {"addressPrefix": "10.0.1.0/24"}}]},
    }).result()
    assert vnet.provisioning_state == "Succeeded"
    assert [s.name for s in vnet.subnets] == ["s1"]
    assert vnet.etag.startswith('W/"')
    writes = clients.control.writes()
    assert [(w["method"], w["path"].rsplit("/", 1)[-1]) for w in writes] == [("PUT", "rg1"), ("PUT", "v1")]
