"""Spec gaps: properties real Azure traffic shows that the published spec (Network 2026-03-01) does not declare.

The response audit (emulator/tests/test_contract.py) does not count these as deviations; each names a recording
(/work/shared/conformance/recordings/, see its SOURCES.md) that shows the property in a real answer.
(schema name, property) -> source.
"""

ZONE_CONFIG = ("ASO recording Test_Networking_PrivateEndpoint_CRUD.yaml and azure-sdk-for-python recording "
               "test_cli_mgmt_network_endpoint.pyTestMgmtNetworktest_network.json (privateDnsZoneConfigs[] of a zone "
               "group answer); the spec's PrivateDnsZoneConfig has name and properties only")

RESPONSE_ALLOWED = {
    ("network:PrivateDnsZoneConfig", "id"): ZONE_CONFIG,
    ("network:PrivateDnsZoneConfig", "etag"): ZONE_CONFIG,
    ("network:PrivateDnsZoneConfig", "type"): ZONE_CONFIG,
    ("network:PrivateDnsZonePropertiesFormat", "provisioningState"): ZONE_CONFIG,
    ("network:PrivateDnsZoneGroup", "type"): (
        "ASO recording Test_Networking_PrivateEndpoint_CRUD.yaml and azure-sdk-for-python recording "
        "test_cli_mgmt_network_endpoint.pyTestMgmtNetworktest_network.json (a zone group's answer has "
        "type Microsoft.Network/privateEndpoints/privateDnsZoneGroups; the spec's PrivateDnsZoneGroup is a "
        "SubResource with name, etag and properties)"),
    ("network:PrivateEndpointProperties", "resourceGuid"): (
        "ASO recording Test_Networking_PrivateEndpoint_CRUD.yaml, azure-cli recording "
        "test_private_endpoint_connection_acr.yaml, azure-sdk-for-python recording "
        "test_cli_mgmt_network_endpoint.pyTestMgmtNetworktest_network.json (a private endpoint's properties)"),
    ("network:VirtualNetworkPeeringPropertiesFormat", "remoteGateways"): (
        "azure-cli recording test_network_vnet_peering.yaml (a peering with useRemoteGateways)"),
    ("network:VirtualNetworkPeeringPropertiesFormat", "routeServiceVips"): (
        "azure-cli recording test_network_vnet_peering.yaml, ASO recording "
        "Test_Networking_VirtualNetworkPeering_CRUD.yaml"),
}

# Request bodies: NRP refuses members it does not know (InvalidRequestFormat); a client that sends back what a GET
# showed sends these, and real NRP takes its own answers back, so they are accepted too.
REQUEST_ALLOWED = dict(RESPONSE_ALLOWED)
