"""The layering of ARCHITECTURE.md, and the size limits, checked on the source (AST, nothing imported)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "plugin" / "imagevector"

# lowest first; a module imports only modules of its own layer or below (functions' imports included)
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("core", ("records", "_record_inits", "lazyre", "pyyaml", "semver", "model", "errors", "reference")),
    ("vector", ("vector", "coverage", "fleet", "mirror")),
    ("loading", ("yamlnodes", "scalars", "scan", "fields", "validation", "cabundle", "components", "inputs", "confine",
                 "writing", "log", "version", "vectorcache")),
    ("settings", ("settings",)),
    ("render", ("render",)),
    ("faces", ("commands", "cli", "__main__")),
]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
WHOLE_MODULES = {"imagevector.semver"}  # ports one library's rules; kept in one piece
# long on purpose; the function itself says why in a comment containing "long on purpose"
LONG_FUNCTIONS = {"imagevector.scan.scan_stream"}


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["imagevector", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The package's modules that `name` imports, wherever the import statement is."""
    is_package = path.name == "__init__.py"
    package = name.split(".") if is_package else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(name: str) -> int:
    parts = name.split(".")
    if len(parts) == 1:
        return 0  # the package itself
    for index, (_, members) in enumerate(LAYERS):
        if parts[1] in members:
            return index
    raise AssertionError(f"{name}: in no layer of tests/test_architecture.py (and ARCHITECTURE.md); add it")


def test_every_module_has_a_layer() -> None:
    for name in MODULES:
        _layer(name)


def test_imports_go_down_or_sideways_never_up() -> None:
    wrong = [
        f"{name} ({LAYERS[_layer(name)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
        for name, targets in GRAPH.items()
        for target in sorted(targets)
        if _layer(target) > _layer(name)
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle() -> None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for target in sorted(GRAPH[name]):
            if state.get(target) == 1:
                cycle = path[path.index(target):] + [target]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)


def _pyyaml_imports(path: Path) -> tuple[int | None, list[int]]:
    """The first line importing imagevector.pyyaml, and the lines of every import of PyYAML itself."""
    first, direct = None, []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level and (
                node.module == "pyyaml" or not node.module and any(a.name == "pyyaml" for a in node.names)):
            first = node.lineno if first is None else min(first, node.lineno)
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
        if any(n == "yaml" or n.startswith("yaml.") for n in names):
            direct.append(node.lineno)
    return first, direct


def test_pyyaml_is_imported_through_its_door_only() -> None:
    """PyYAML is imported by imagevector.pyyaml (its regexes compiled on first use, issue 15): another module may
    import from `yaml` only after it imported that one, so whichever module a process imports first, the door
    is passed."""
    wrong = []
    for name, path in MODULES.items():
        if name == "imagevector.pyyaml":
            continue
        first, direct = _pyyaml_imports(path)
        wrong += [f"{name}:{line} imports yaml before imagevector.pyyaml" for line in direct
                  if first is None or line < first]
    assert not wrong, "\n".join(wrong)
    assert _pyyaml_imports(MODULES["imagevector.scan"]) [0] is not None


def test_faces_do_not_import_cli_and_the_core_no_face() -> None:
    for name, targets in GRAPH.items():
        if name != "imagevector.__main__":
            assert "imagevector.cli" not in targets, name


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_and_function_sizes(name: str) -> None:
    source = MODULES[name].read_text(encoding="utf-8")
    lines = source.count("\n")
    if name not in WHOLE_MODULES:
        assert lines < MAX_MODULE_LINES, f"{name}: {lines} lines; split it (limit {MAX_MODULE_LINES})"
    text = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            qualified = f"{name}.{node.name}"
            if qualified in LONG_FUNCTIONS:
                body = "\n".join(text[node.lineno - 1 : node.end_lineno])
                assert "long on purpose" in body, f"{qualified}: say in a comment why it is long"
                continue
            assert length <= MAX_FUNCTION_LINES, f"{qualified}: {length} lines (limit {MAX_FUNCTION_LINES})"
