"""ARM template deployments at resource-group scope (providers/deployments.py names the sources), over the wire as
azure-mgmt-resource sends them (azure-mgmt-resource 26 has no deployments client: the operations moved to
azure-mgmt-resource-deployments, so the requests are sent through the pipeline as they are): the template
`az network lb create` deploys, outputs with reference(), a resource the deployment cannot write, and the template
language the emulator does not evaluate (the Azure CLI runs it: tests/cli/test_private_link_service_cli.py)."""

import pytest
from azure.core.rest import HttpRequest

RG = "rg-deploy"
LB_VERSION = "2023-04-01"     # Azure CLI 2.91 _template_builder.LB_VERSION
API = "2024-11-01"            # Azure CLI 2.91's Microsoft.Resources api-version (core/profiles/_shared.py)


@pytest.fixture
def subnet(clients):
    clients.resource.resource_groups.create_or_update(RG, {"location": "westeurope"})
    vnet = clients.network.virtual_networks.begin_create_or_update(RG, "vnet-deploy", {
        "location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.70.0.0/16"]},
                                                 "subnets": [{"name": "snet-lb",
                                                              "properties": {"addressPrefix": "10.70.1.0/24"}}]}
    }).result()
    return vnet.subnets[0].id


def lb_template(subnet_id, name="lb-deploy", location="westeurope", **extra):
    """The shape of azure-cli's build_load_balancer_resource + ArmTemplateBuilder (an internal Standard LB)."""
    return {"$schema": "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0", "parameters": {}, "variables": {},
            "resources": [{"type": "Microsoft.Network/loadBalancers", "name": name, "location": location, "tags": {},
                           "apiVersion": LB_VERSION, "dependsOn": [], "sku": {"name": "Standard"}, "properties": {
                               "backendAddressPools": [{"name": "pool"}],
                               "frontendIPConfigurations": [{"name": "fe", "properties": {
                                   "subnet": {"id": subnet_id}, "privateIPAllocationMethod": "Dynamic"}}]}}],
            "outputs": {"loadBalancer": {"type": "object", "value": f"[reference('{name}')]"}}, **extra}


def send(clients, method, url, body=None):
    request = HttpRequest(method, url, json=body) if body is not None else HttpRequest(method, url)
    return clients.resource.send_request(request)


def deploy(clients, name, template, parameters=None):
    """PUT the deployment, poll its Azure-AsyncOperation to the end, GET it: (PUT answer, last status, deployment)."""
    url = f"/subscriptions/{clients.subscription}/resourcegroups/{RG}/providers/Microsoft.Resources/deployments/{name}"
    put = send(clients, "PUT", f"{url}?api-version={API}", {"properties": {
        "template": template, "parameters": parameters or {}, "mode": "Incremental"}})
    if put.status_code >= 400:
        return put, None, None
    status = send(clients, "GET", put.headers["Azure-AsyncOperation"]).json()
    return put, status, send(clients, "GET", f"{url}?api-version={API}").json()


def test_the_cli_load_balancer_template_deploys_and_outputs_its_properties(clients, subnet):
    put, status, result = deploy(clients, "lb_deploy_1", lb_template(subnet))
    # test_network_lb.yaml: 201, provisioningState Accepted, Azure-AsyncOperation {deployment}/operationStatuses/{id}
    assert put.status_code == 201 and put.json()["properties"]["provisioningState"] == "Accepted"
    assert "/providers/Microsoft.Resources/deployments/lb_deploy_1/operationStatuses/" in \
        put.headers["Azure-AsyncOperation"]
    assert status == {"status": "Succeeded"}
    assert result["type"] == "Microsoft.Resources/deployments" and "location" not in result
    props = result["properties"]
    assert props["provisioningState"] == "Succeeded" and props["mode"] == "Incremental"
    output = props["outputs"]["loadBalancer"]
    assert output["type"] == "Object"     # the declared type, capitalised (recording test_network_lb.yaml)
    frontend = output["value"]["frontendIPConfigurations"][0]
    assert frontend["name"] == "fe" and frontend["properties"]["privateIPAddress"].startswith("10.70.1.")
    assert output["value"]["provisioningState"] == "Succeeded" and "resourceGuid" in output["value"]
    lb = clients.network.load_balancers.get(RG, "lb-deploy")
    assert [r["id"] for r in props["outputResources"]] == [lb.id]
    assert props["providers"] == [{"namespace": "Microsoft.Network", "resourceTypes": [
        {"resourceType": "loadBalancers", "locations": ["westeurope"]}]}]
    assert lb.sku.name == "Standard"


def test_parameters_variables_and_dependencies(clients, subnet):
    template = lb_template("[parameters('subnetId')]", name="[variables('name')]")
    template["parameters"] = {"subnetId": {"type": "string"}, "tier": {"type": "string", "defaultValue": "x"}}
    template["variables"] = {"name": "lb-param"}
    template["outputs"] = {"name": {"type": "string", "value": "[variables('name')]"},
                           "literal": {"type": "string", "value": "[[not an expression]"}}
    _, status, result = deploy(clients, "d2", template, {"subnetId": {"value": subnet}})
    assert status == {"status": "Succeeded"}
    assert result["properties"]["outputs"] == {"name": {"type": "String", "value": "lb-param"},
                                               "literal": {"type": "String", "value": "[not an expression]"}}
    assert clients.network.load_balancers.get(RG, "lb-param").frontend_ip_configurations[0].subnet.id == subnet


def test_a_resource_the_deployment_cannot_write_fails_it(clients, subnet):
    """The load balancer's own answer (a subnet in another region: InvalidResourceReference) is the detail of
    DeploymentFailed (mspnp/aks-baseline #336)."""
    _, status, result = deploy(clients, "d3", lb_template(subnet, name="lb-far", location="eastus"))
    assert status["status"] == "Failed" and status["error"]["code"] == "DeploymentFailed"
    assert status["error"]["message"].startswith("At least one resource deployment operation failed.")
    assert status["error"]["details"][0]["code"] == "InvalidResourceReference"
    assert result["properties"]["provisioningState"] == "Failed"
    assert result["properties"]["error"]["code"] == "DeploymentFailed"


def test_template_language_the_emulator_does_not_evaluate_is_invalid_template(clients, subnet):
    for template in (lb_template("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]"),
                     dict(lb_template(subnet), parameters={"x": {"type": "string"}})):
        put, _, _ = deploy(clients, "d4", template)
        assert put.status_code == 400 and put.json()["error"]["code"] == "InvalidTemplate", put.text
    # two resources that depend on each other; a name whose segments do not fit the type (common-deployment-errors.md)
    looped = lb_template(subnet)
    second = dict(looped["resources"][0], name="lb-two", dependsOn=["Microsoft.Network/loadBalancers/lb-deploy"])
    looped["resources"][0]["dependsOn"] = ["Microsoft.Network/loadBalancers/lb-two"]
    looped["resources"].append(second)
    put, _, _ = deploy(clients, "d5", looped)
    assert put.status_code == 400 and put.json()["error"]["code"] == "InvalidTemplateCircularDependency", put.text
    put, _, _ = deploy(clients, "d6", lb_template(subnet, name="a/b"))
    assert put.status_code == 400 and put.json()["error"]["code"] == "MismatchingResourceSegments", put.text
