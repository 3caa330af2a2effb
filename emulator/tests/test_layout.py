"""The providers' layout (issue 13): no provider imports another inside a function.

Every cross-provider dependency is an import at the top of the module, one-way; where two providers need each other,
one answers through the engine's hooks (providers/hooks.py) or a registry (endpoints.register_target). Parsed with
`ast`, so nothing is imported or run.
"""

import ast
import pathlib

import pytest

PROVIDERS = pathlib.Path(__file__).resolve().parents[1] / "privnet_emulator" / "providers"
FILES = sorted(PROVIDERS.glob("*.py"))
SIBLINGS = {path.stem for path in FILES}


def sibling_import(node):
    """The sibling module a function-level import statement names, or None.
    Catches `from . import x`, `from .x import y`, `from ..providers[.x] import y` and
    `import privnet_emulator.providers.x` / `from privnet_emulator.providers[.x] import y`."""
    if isinstance(node, ast.ImportFrom):
        if node.level == 1:
            return node.module or ", ".join(alias.name for alias in node.names)
        module = node.module or ""
        if node.level == 2 and (module == "providers" or module.startswith("providers.")):
            return module
        if node.level == 0 and (module == "privnet_emulator.providers" or
                                module.startswith("privnet_emulator.providers.")):
            return module
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.startswith("privnet_emulator.providers"):
                return alias.name
    return None


def function_level_imports(path):
    """[(line, function, module)] of the sibling imports inside any function or method body."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        for node in ast.walk(func):
            name = sibling_import(node)
            if name is not None:
                found.append((node.lineno, getattr(func, "name", "<lambda>"), name))
    return sorted(set(found))


def test_the_providers_are_all_found():
    assert {"acr", "endpoints", "gateways", "network", "peering", "hooks"} <= SIBLINGS


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_no_provider_imports_a_sibling_inside_a_function(path):
    found = function_level_imports(path)
    assert not found, (f"{path.name} imports sibling providers inside functions (move the import to the top, or "
                       f"break the cycle with hooks.py / endpoints.register_target): "
                       + "; ".join(f"line {line} in {func}(): {name}" for line, func, name in found))


def test_the_check_sees_a_function_level_import(tmp_path):
    """The rule itself: a sibling import inside a function (or method) is found, a top-level one is not."""
    sample = tmp_path / "sample.py"
    sample.write_text("from . import hooks\n"
                      "def f():\n    from . import acr\n"
                      "class C:\n    def m(self):\n        from .peering import all_peerings\n"
                      "def g():\n    import json\n    from .. import generic\n")
    assert [(line, func) for line, func, _ in function_level_imports(sample)] == [(3, "f"), (6, "m")]


def test_the_providers_import_each_other_without_cycles():
    """The top-level imports between providers form no cycle (so each module can be imported first)."""
    graph = {}
    for path in FILES:
        deps = set()
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    deps.add(node.module.split(".")[0])
                else:
                    deps.update(alias.name for alias in node.names)
        graph[path.stem] = deps & SIBLINGS
    graph["__init__"] = set()   # the package imports every provider to list them; none imports the package back

    def visit(name, trail):
        assert name not in trail, "import cycle: " + " -> ".join(trail + [name])
        for dep in sorted(graph.get(name, ())):
            visit(dep, trail + [name])

    for name in graph:
        visit(name, [])
