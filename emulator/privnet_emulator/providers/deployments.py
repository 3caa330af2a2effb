"""Microsoft.Resources/deployments at resource-group scope: enough of an ARM template deployment for the Azure CLI
commands that deploy a template instead of writing the resource (`az network lb create`: azure-cli
command_modules/network/custom.py create_load_balancer builds one with _template_builder.build_load_balancer_resource
and deploys it, api-version of the template's load balancer LB_VERSION 2023-04-01).

Sources: azure-rest-api-specs specification/resources/resource-manager/Microsoft.Resources/deployments/stable/
2024-11-01/deployments.json (Deployments_CreateOrUpdate, Deployments_Get; Deployment, DeploymentProperties,
DeploymentExtended, DeploymentPropertiesExtended) for the names; the wire form from the azure-cli recording
src/azure-cli/azure/cli/command_modules/network/tests/latest/recordings/test_network_lb.yaml (`az network lb create`):
* PUT {rg}/providers/Microsoft.Resources/deployments/{name} with {properties: {template, parameters, mode}} answers
  201 with the deployment (type Microsoft.Resources/deployments, no location, properties templateHash, parameters,
  mode, provisioningState Accepted, timestamp, duration, correlationId, providers, dependencies) and
  Azure-AsyncOperation {deployment}/operationStatuses/{id}; the status polls answer {status} until Succeeded;
* the GET then shows provisioningState Succeeded, `outputs` {key: {type, value}} with the declared type capitalised
  ("object" -> "Object") and `reference('<name>')` evaluated to the resource's properties (provisioningState,
  resourceGuid, frontendIPConfigurations, ... of the load balancer), and `outputResources` [{id}];
* a resource the deployment cannot write fails the deployment: {status: Failed, error: {code DeploymentFailed,
  message "At least one resource deployment operation failed. Please list deployment operations for details. Please
  see https://aka.ms/DeployOperations for usage details.", details [...]}} (the answer quoted in mspnp/aks-baseline
  #336 and Azure/azure-cli #13896); the emulator puts the resource provider's own {code, message} in details.
* ARM writes each resource of the template with the caller's token (the resource provider sees the caller): the
  emulator sends each resource's PUT through its own engine with the deployment request's headers, at the template's
  apiVersion for that resource, so the api-version check and the strict contract apply as for a direct request.

Emulator conventions (the behaviour exists in Azure, its exact answer here is not sourced):
* Template language: literal values, "[parameters('x')]", "[variables('x')]" and, in outputs, "[reference('x')]"
  (a resource of the template by name, or a resource id; articles/azure-resource-manager/templates/
  template-functions-resource.md, reference: the resource's runtime state, its properties); "[[" escapes a literal
  "[". Any other function, a templateLink, a parametersLink or mode Complete is 400 InvalidTemplate (the code of a
  template ARM cannot use, articles/azure-resource-manager/troubleshooting/common-deployment-errors.md) naming what
  the emulator does not evaluate; a dependsOn cycle is 400 InvalidTemplateCircularDependency and a name whose
  segments do not fit the type 400 MismatchingResourceSegments (the codes of the same table; the wording is the
  emulator's).
* Resources deploy in template order after their dependsOn entries that name another resource of the template
  ("{type}/{name}"); the first resource that fails stops the deployment.
* A deployment's operation lasts longer than the resources' own writes (duration below), so its outputs read the
  resources finished; DELETE of a deployment is answered at once (200) and leaves the deployed resources in place.
* A deployment is the record of a deployment, not one of the group's resources: Resources_List and
  Resources_ListByResourceGroup (generic.py) leave it out; the deployment history has its own list,
  Deployments_ListByResourceGroup (articles/azure-resource-manager/templates/deployment-history.md; the engine's list).
* Output types other than object are capitalised the same way (string -> String, bool -> Bool, int -> Int, array
  -> Array).
"""

import copy
import hashlib
import json
import re

from ..arm import ACR, Request, ResourceType
from ..errors import ArmError, bad_request
from ..ids import ResourceId, new_guid
from ..store import utc_now_iso
from . import resources

NS = "Microsoft.Resources"
EXPRESSION = re.compile(r"^\[\s*(?P<fn>[A-Za-z]+)\(\s*'(?P<arg>(?:[^']|'')*)'\s*\)\s*\]$")
DEPLOYMENT_FAILED = ("At least one resource deployment operation failed. Please list deployment operations for "
                     "details. Please see https://aka.ms/DeployOperations for usage details.")
RESOURCE_KEYS = ("location", "tags", "properties", "sku", "zones", "extendedLocation", "identity", "kind")


def invalid_template(message):
    return bad_request("InvalidTemplate", f"Deployment template validation failed: '{message}'")


def output_type(declared):
    return {"securestring": "SecureString", "secureobject": "SecureObject"}.get(
        str(declared).lower(), str(declared)[:1].upper() + str(declared)[1:])


def answered_parameters(template, given):
    """The parameters as the deployment answers them: a secure one (secureString / secureObject) without its value,
    as {"type": "SecureString"} (azure-cli recording test_network_active_active_cross_premise_connection.yaml: the
    shared key of `az network vpn-connection create`)."""
    declared = {str(k).lower(): v for k, v in (template.get("parameters") or {}).items()}
    out = {}
    for name, value in (given or {}).items():
        kind = str((declared.get(str(name).lower()) or {}).get("type") or "")
        out[name] = {"type": output_type(kind)} if kind.lower() in ("securestring", "secureobject") else copy.deepcopy(value)
    return out


class Deployment(ResourceType):
    namespace = NS
    types = ("deployments",)
    lro_style = ACR              # Azure-AsyncOperation {deployment}/operationStatuses/{id}, create 201 (recording)
    etag_style = None
    has_location = False         # a resource-group deployment's answer carries no location (recording)
    list_by_subscription = False
    listed_as_resource = False   # generic.py: not among the group's resources (module docstring)
    create_state = update_state = "Accepted"   # the PUT's answer (recording)
    duration = 8.0               # longer than the resources it writes (module docstring)
    retry_after = 10

    def synchronous(self, req):
        return req.method == "DELETE"

    # ---- the template -------------------------------------------------------------------------------------------
    def validate(self, req, rid, body, existing):
        props = body.get("properties")
        if not isinstance(props, dict):
            raise bad_request("InvalidRequestContent", "The request content was invalid and could not be "
                                                       "deserialized: 'Required property 'properties' not found in "
                                                       "JSON. Path ''.'.")
        for key in ("templateLink", "parametersLink"):
            if props.get(key):
                raise invalid_template(f"The emulator deploys inline templates only ({key} is not served).")
        template = props.get("template")
        if not isinstance(template, dict):
            raise invalid_template("The template is missing.")
        mode = str(props.get("mode") or "")
        if mode.lower() != "incremental":
            raise invalid_template(f"The emulator deploys in Incremental mode only, not '{mode}'.")
        params = props.get("parameters") or {}
        values = {}
        for name, decl in (template.get("parameters") or {}).items():
            given = params.get(name)
            if isinstance(given, dict) and "value" in given:
                values[name.lower()] = given["value"]
            elif isinstance(decl, dict) and "defaultValue" in decl:
                values[name.lower()] = decl["defaultValue"]
            else:
                raise invalid_template(f"The value for the template parameter '{name}' is not provided.")
        scope = {"parameters": values, "variables": {}}
        for name, value in (template.get("variables") or {}).items():
            scope["variables"][name.lower()] = self.evaluate(value, scope)
        plan = []
        for entry in template.get("resources") or []:
            if not isinstance(entry, dict):
                raise invalid_template("A template resource must be an object.")
            entry = self.evaluate(entry, scope)
            kind, name, version = entry.get("type"), entry.get("name"), entry.get("apiVersion")
            if not (isinstance(kind, str) and "/" in kind and isinstance(name, str) and isinstance(version, str)):
                raise invalid_template("A template resource needs type, name and apiVersion.")
            plan.append({"type": kind, "name": name, "apiVersion": version,
                         "dependsOn": [str(d) for d in entry.get("dependsOn") or []],
                         "body": {k: copy.deepcopy(entry[k]) for k in RESOURCE_KEYS if entry.get(k) is not None}})
        plan = self.ordered(plan)
        for p in plan:
            self.resource_id(rid, p)
        outputs = template.get("outputs") or {}
        for name, decl in outputs.items():
            if not isinstance(decl, dict) or "value" not in decl:
                raise invalid_template(f"The template output '{name}' has no value.")
            self.check_output(decl["value"], scope, plan)
        text = json.dumps(template, sort_keys=True)
        new = {"properties": {
            "templateHash": str(int(hashlib.sha256(text.encode()).hexdigest()[:15], 16)),
            "parameters": answered_parameters(template, params), "mode": "Incremental", "timestamp": utc_now_iso(),
            "duration": "PT0S", "correlationId": new_guid(),
            "providers": self.providers(rid, plan), "dependencies": self.dependencies(rid, plan)},
            "internal": {"plan": plan, "outputs": copy.deepcopy(outputs), "scope": scope}}
        if body.get("tags") is not None:
            new["tags"] = body["tags"]
        return new

    def evaluate(self, value, scope):
        """Literal values and the functions the emulator evaluates before deploying (module docstring)."""
        if isinstance(value, dict):
            return {k: self.evaluate(v, scope) for k, v in value.items()}
        if isinstance(value, list):
            return [self.evaluate(v, scope) for v in value]
        if not isinstance(value, str) or not value.startswith("["):
            return value
        if value.startswith("[["):
            return value[1:]
        m = EXPRESSION.match(value)
        fn = (m.group("fn").lower() if m else None)
        if fn in ("parameters", "variables"):
            key = m.group("arg").replace("''", "'").lower()
            if key not in scope[fn]:
                raise invalid_template(f"The template {fn[:-1]} '{m.group('arg')}' is not found.")
            return copy.deepcopy(scope[fn][key])
        what = m.group("fn") if m else value
        raise invalid_template(f"The template expression '{what}' is not evaluated by the emulator.")

    def check_output(self, value, scope, plan):
        if isinstance(value, str) and value.startswith("[") and not value.startswith("[["):
            m = EXPRESSION.match(value)
            if m and m.group("fn").lower() == "reference":
                return
        self.evaluate(value, scope)

    @staticmethod
    def ordered(plan):
        """Template order, each resource after the ones its dependsOn names ('{type}/{name}')."""
        names = {f"{p['type']}/{p['name']}".lower(): p for p in plan}
        out, seen = [], set()

        def visit(p, path):
            key = f"{p['type']}/{p['name']}".lower()
            if key in seen:
                return
            if key in path:
                raise bad_request("InvalidTemplateCircularDependency", "Deployment template validation failed: "
                                  f"'Circular dependency detected on resource: '{p['type']}/{p['name']}'.'")
            for dep in p["dependsOn"]:
                if dep.lower() in names:
                    visit(names[dep.lower()], path | {key})
            seen.add(key)
            out.append(p)
        for p in plan:
            visit(p, set())
        return out

    @staticmethod
    def resource_id(rid, p):
        namespace, *types = p["type"].split("/")
        names = p["name"].split("/")
        if len(types) != len(names):
            raise bad_request("MismatchingResourceSegments", f"The resource name '{p['name']}' and type "
                                                             f"'{p['type']}' have different numbers of segments.")
        return ResourceId(rid.subscription, rid.resource_group, namespace, list(zip(types, names)))

    def providers(self, rid, plan):
        out = {}
        for p in plan:
            namespace, rest = p["type"].split("/", 1)
            types = out.setdefault(namespace, {})
            types.setdefault(rest, set()).add((p["body"].get("location") or "").replace(" ", "").lower())
        return [{"namespace": ns, "resourceTypes": [{"resourceType": t, "locations": sorted(x for x in locs if x)}
                                                    for t, locs in types.items()]} for ns, types in out.items()]

    def dependencies(self, rid, plan):
        names = {f"{p['type']}/{p['name']}".lower(): p for p in plan}
        out = []
        for p in plan:
            deps = [names[d.lower()] for d in p["dependsOn"] if d.lower() in names]
            if deps:
                out.append({"dependsOn": [{"id": str(self.resource_id(rid, d)), "resourceType": d["type"],
                                           "resourceName": d["name"]} for d in deps],
                            "id": str(self.resource_id(rid, p)), "resourceType": p["type"], "resourceName": p["name"]})
        return out

    # ---- the deployment -----------------------------------------------------------------------------------------
    def after_write(self, req, res, before):
        """Write each resource of the template through the engine, as the caller (module docstring)."""
        internal = res.body["internal"]
        internal["deployed"], internal["error"] = [], None
        for p in internal["plan"]:
            target = self.resource_id(res.rid, p)
            path = f"/subscriptions/{target.subscription}/resourceGroups/{target.resource_group}/providers/" \
                   f"{target.namespace}/" + "/".join(f"{t}/{n}" for t, n in target.pairs)
            inner = Request("PUT", path, {"api-version": p["apiVersion"]}, dict(req.headers), copy.deepcopy(p["body"]),
                            req.base_url, req.client_ip)
            segments = path.split("/providers/", 1)[1].split("/")[1:]
            try:
                resources.require_registered(self.emu, target.subscription, target.namespace, inner)
                self.emu.engine.handle(inner, target.subscription, target.resource_group, target.namespace, segments)
            except ArmError as err:
                internal["error"] = {"code": "DeploymentFailed", "message": DEPLOYMENT_FAILED,
                                     "details": [{"code": err.code, "message": err.message}]}
                break
            internal["deployed"].append(str(target))

    def put_finished(self, res, op):
        internal = res.body["internal"]
        props = res.body["properties"]
        props["duration"] = "PT%.1fS" % max(self.emu.scaled(self.duration), 0.1)
        props["outputResources"] = [{"id": i} for i in internal.get("deployed", [])]
        if internal.get("error"):
            op.error = internal["error"]
            res.provisioning_state = "Failed"
            props["error"] = internal["error"]
            return
        outputs = {}
        for name, decl in internal["outputs"].items():
            outputs[name] = {"type": output_type(decl.get("type", "string")),
                             "value": self.output_value(res, decl["value"], internal)}
        props["outputs"] = outputs

    def output_value(self, res, value, internal):
        if isinstance(value, str) and value.startswith("[") and not value.startswith("[["):
            m = EXPRESSION.match(value)
            if m and m.group("fn").lower() == "reference":
                return self.reference(res, m.group("arg").replace("''", "'"), internal)
        return self.evaluate(value, internal["scope"])

    def reference(self, res, name, internal):
        """reference('<name>' | '<resource id>'): the resource's properties (template-functions-resource.md)."""
        target = None
        for p in internal["plan"]:
            if p["name"].lower() == name.lower() or f"{p['type']}/{p['name']}".lower() == name.lower():
                target = self.resource_id(res.rid, p)
        if target is None:
            target = ResourceId.parse(name)
        found = self.store.get(target.key) if target is not None else None
        if found is None:
            return None
        return found.handler.render(found).get("properties")

    def render_properties(self, res):
        return copy.deepcopy(res.properties)


def register(engine):
    engine.register(Deployment)
