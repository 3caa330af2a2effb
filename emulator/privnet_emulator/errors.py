"""ARM error envelope: {"error": {"code", "message", "target"?, "details": []}}."""


class ArmError(Exception):
    def __init__(self, status, code, message, target=None, details=None, headers=None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.details = details or []
        self.headers = headers or {}

    def error_body(self):
        error = {"code": self.code, "message": self.message}
        if self.target:
            error["target"] = self.target
        error["details"] = self.details
        return error

    def body(self):
        return {"error": self.error_body()}


def bad_request(code, message, target=None, details=None):
    return ArmError(400, code, message, target=target, details=details)


def conflict(code, message):
    return ArmError(409, code, message)


def not_found_child(resource_id):
    return ArmError(404, "NotFound", f"Resource {resource_id} not found.")


def not_found_top(arm_type, name, resource_group):
    return ArmError(
        404, "ResourceNotFound",
        f"The Resource '{arm_type}/{name}' under resource group '{resource_group}' was not found. "
        "For more details please go to https://aka.ms/ARMResourceNotFoundFix",
        headers={"x-ms-failure-cause": "gateway"})


def resource_group_not_found(resource_group):
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{resource_group}' could not be found.",
                    headers={"x-ms-failure-cause": "gateway"})


def invalid_reference(ref_id, by_id, details=None):
    """NRP's answer to a reference it cannot resolve in the referencing resource's region: 400
    InvalidResourceReference. Wording as quoted from real responses in azure-cli #8569 and #9354 (subnet -> NSG),
    MicrosoftDocs/azure-docs #81734 (NIC -> subnet, details []); the same answer for a reference in another
    region (microsoft/CromwellOnAzure #231, NIC -> subnet of a VNet in another region)."""
    return bad_request(
        "InvalidResourceReference",
        f"Resource {ref_id} referenced by resource {by_id} was not found. Please make sure that the "
        "referenced resource exists, and that both resources are in the same region.", details=details)
