"""Bench-only shim for azure.azcollection: restore `get_cloud_from_metadata_endpoint`.

azure.azcollection 3.12.0 (bundled in ansible 12.3.0) resolves a URL in `cloud_environment` /
AZURE_CLOUD_ENVIRONMENT with `azure.cli.core.cloud.get_cloud_from_metadata_endpoint(url)`, a
function that only ever existed in msrestazure: azure-cli-core 2.75.0 (its pinned requirement)
has none, so every module fails with "'AttributeError' object has no attribute 'message'"
(upstream issue ansible-collections/azure#2157, fixed after 3.12.0 by PR #2158).

This file is put on PYTHONPATH for the azcollection side of the bench only, so that Python imports
it at start-up in ansible-playbook and in every module process. It adds the missing function to
`azure.cli.core.cloud` when that module is first imported, with msrestazure's semantics: the
argument is the ARM base URL, `/metadata/endpoints?api-version=2015-01-01` is appended, and
resource_manager/management are that URL. Nothing else in azcollection is changed.
"""

import importlib.abc
import importlib.util
import sys

TARGET = "azure.cli.core.cloud"


def get_cloud_from_metadata_endpoint(arm_endpoint, name=None, session=None):
    import requests  # noqa: PLC0415 - only in processes that resolve a cloud
    from azure.cli.core.cloud import Cloud, CloudEndpoints  # noqa: PLC0415

    url = arm_endpoint.rstrip("/") + "/metadata/endpoints?api-version=2015-01-01"
    response = (session or requests).get(url, timeout=30)  # TLS: REQUESTS_CA_BUNDLE
    response.raise_for_status()
    meta = response.json()
    return Cloud(name or arm_endpoint, endpoints=CloudEndpoints(
        management=arm_endpoint, resource_manager=arm_endpoint,
        active_directory=meta["authentication"]["loginEndpoint"],
        active_directory_resource_id=meta["authentication"]["audiences"][0],
        active_directory_graph_resource_id=meta.get("graphEndpoint"),
        gallery=meta.get("galleryEndpoint"), portal=meta.get("portalEndpoint")))


class _PatchOnImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != TARGET:
            return None
        sys.meta_path.remove(self)  # one module to patch: get out of the way of every other import
        spec = importlib.util.find_spec(name)
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            if not hasattr(module, "get_cloud_from_metadata_endpoint"):
                module.get_cloud_from_metadata_endpoint = get_cloud_from_metadata_endpoint

        spec.loader.exec_module = exec_and_patch
        return spec


sys.meta_path.insert(0, _PatchOnImport())
