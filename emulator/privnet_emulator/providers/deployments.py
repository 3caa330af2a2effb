"""Microsoft.Resources/deployments at resource-group scope: just enough of ARM template deployments for the Azure
CLI commands that deploy a template instead of calling the resource provider (`az network vpn-connection create`:
azure-cli command_modules/network/custom.py create_vpn_connection and _template_builder.py
build_vpn_connection_resource, Azure CLI 2.91).

Wire shape (azure-cli recording test_network_active_active_cross_premise_connection.yaml): the PUT is answered with
Azure-AsyncOperation {deployment}/operationStatuses/{id}; the status polls answer {"status": ...} until Succeeded;
the GET of the deployment holds properties.provisioningState, parameters (secure ones as {"type": "SecureString"}),
outputs ({name: {type, value}}) and outputResources [{id}].

Template language (Emulator convention: this subset only): resources [{type, name, apiVersion, location, tags,
properties}] written in order through the emulator's own handlers; string values "[parameters('x')]" replaced by the
parameter's value; outputs "[reference('name')]" answered with the named resource's properties. Anything else in a
template (functions, copy loops, conditions, nested deployments, validate, what-if) is not modelled: README."""

import copy
import re

from ..arm import ACR, Request, ResourceType
from ..errors import bad_request
from ..ids import ResourceId

PARAM = re.compile(r"^\[parameters\('([^']+)'\)\]$")
REFERENCE = re.compile(r"^\[reference\('([^']+)'\)\]$")


def substitute(value, params):
    if isinstance(value, str):
        m = PARAM.match(value)
        if m:
            if m.group(1) not in params:
                raise bad_request("InvalidTemplate", f"Deployment template validation failed: the parameter "
                                                     f"'{m.group(1)}' is not defined.")
            return params[m.group(1)]
        return value
    if isinstance(value, list):
        return [substitute(v, params) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, params) for k, v in value.items()}
    return value


class Deployment(ResourceType):
    namespace = "Microsoft.Resources"
    types = ("deployments",)
    lro_style = ACR               # Azure-AsyncOperation {rid}/operationStatuses/{id}, as recorded
    has_location = False
    etag_style = None
    list_by_subscription = False
    create_state = update_state = "Running"
    duration = 5.0

    def validate(self, req, rid, body, existing):
        props = copy.deepcopy((body or {}).get("properties") or {})
        template = props.get("template") or {}
        given = props.get("parameters") or {}
        params = {}
        for name, spec in (template.get("parameters") or {}).items():
            if name in given:
                params[name] = (given[name] or {}).get("value")
            elif "defaultValue" in spec:
                params[name] = spec["defaultValue"]
        written = []
        for resource in template.get("resources") or []:
            resource = substitute(resource, params)
            namespace, _, rtype = (resource.get("type") or "").partition("/")
            segments = [rtype, resource.get("name")]
            inner = {k: resource[k] for k in ("location", "tags", "properties", "sku", "zones", "kind")
                     if resource.get(k) is not None}
            target = ResourceId(rid.subscription, rid.resource_group, namespace, [(rtype, resource.get("name"))])
            put = Request("PUT", str(target), {"api-version": resource.get("apiVersion") or req.api_version}, {},
                          inner, req.base_url, req.client_ip)
            self.emu.engine.handle(put, rid.subscription, rid.resource_group, namespace, segments)
            written.append(target)
        secure = {name: {"type": "SecureString"} for name, spec in (template.get("parameters") or {}).items()
                  if str(spec.get("type", "")).lower() == "securestring"}
        plain = {name: {"type": spec.get("type", "String"), "value": params.get(name)}
                 for name, spec in (template.get("parameters") or {}).items() if name not in secure}
        return {"properties": {"mode": props.get("mode") or "Incremental", "parameters": dict(plain, **secure),
                               "template_outputs": template.get("outputs") or {},
                               "outputResources": [{"id": str(t)} for t in written]}}

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        outputs = {}
        for name, spec in props.pop("template_outputs", {}).items():
            value = spec.get("value")
            m = REFERENCE.match(value) if isinstance(value, str) else None
            if m:
                found = next((self.store.get(o["id"]) for o in props["outputResources"]
                              if o["id"].rsplit("/", 1)[-1] == m.group(1)), None)
                value = found.handler.render(found)["properties"] if found is not None else None
            outputs[name] = {"type": "Object" if isinstance(value, dict) else "String", "value": value}
        props["outputs"] = outputs
        return props


def register(engine):
    engine.register(Deployment)
