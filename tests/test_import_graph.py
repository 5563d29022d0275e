"""The package's import graph: one way only, and durable-rules behind the engine's fence.

Every import counts: at the top of a module, inside a function (a deferred import is still
an arrow), and under ``if TYPE_CHECKING:`` (an arrow for the type checker and the reader).
A package counts as its ``__init__``: importing ``pkg.mod`` from outside ``pkg`` runs
``pkg/__init__.py`` first, and ``from . import name`` that is not a submodule reads the
package's ``__init__``. A module's own parent packages are not arrows (Python imports them
before the module itself, whatever the module says).
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

PACKAGE = "rejection_diagnosis"
ROOT = Path(__file__).resolve().parent.parent / "src" / PACKAGE

#: Modules that may import the vendored engine: the engine adapter (and any module of its
#: fence that is named for it, ``_engine_*``).
ENGINE_FENCE = "_engine"
#: What "durable-rules" is to an import statement: the vendored build and the upstream name.
DURABLE = (f"{PACKAGE}._durable_engine", "durable")

Graph = dict[str, dict[str, int]]  # module -> {imported module: line of the first import}


def modules(root: Path, package: str) -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (source file, is a package) for every ``.py`` file under ``root``."""
    found: dict[str, tuple[Path, bool]] = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, str | None, int]]:
    """(imported module, name imported from it or None, line) for every import statement,
    however deeply nested."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                yield target, alias.name, node.lineno


def import_graph(root: Path, package: str, extra: frozenset[str] = frozenset()) -> Graph:
    """The arrows between the modules under ``root`` (and ``extra``, compiled modules that
    have no source), as described in this file's docstring."""
    known = modules(root, package)
    names = set(known) | extra
    graph: Graph = {}
    for module, (path, is_package) in known.items():
        arrows = graph.setdefault(module, {})
        ancestors = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
        if is_package:
            ancestors.add(module)

        def arrow(target: str, line: int, *, arrows: dict[str, int] = arrows,
                  ancestors: set[str] = ancestors, module: str = module) -> None:
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                prefix = ".".join(parts[:i])
                if prefix in names and prefix != module and (
                        prefix == target or prefix not in ancestors):
                    arrows.setdefault(prefix, line)

        for target, name, line in _imports(ast.parse(path.read_text(), str(path)),
                                           module, is_package):
            if not (target == package or target.startswith(package + ".")):
                continue
            submodule = f"{target}.{name}" if name else None
            if submodule in names:
                assert submodule is not None
                arrow(submodule, line)
            else:
                arrow(target, line)
    return graph


def find_cycle(graph: Mapping[str, Mapping[str, int]]) -> list[str] | None:
    """One cycle of ``graph`` as a path that ends where it starts, or None (acyclic)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def _show(cycle: list[str], graph: Graph) -> str:
    return "\n".join(f"  {a} -> {b}  (line {graph[a][b]})" for a, b in itertools.pairwise(cycle))


def _compiled(root: Path, package: str) -> frozenset[str]:
    """Extension modules (and stubs of them) that have no ``.py`` source."""
    stems = {p.name.split(".")[0] for p in root.glob("*.so")} | {p.stem for p in root.glob("*.pyi")}
    return frozenset(f"{package}.{s}" for s in stems)


@pytest.fixture(scope="module")
def graph() -> Graph:
    return import_graph(ROOT, PACKAGE, _compiled(ROOT, PACKAGE))


# The package --------------------------------------------------------------------------------


def test_the_package_import_graph_has_no_cycle(graph: Graph) -> None:
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle:\n" + _show(cycle or [], graph)


def test_only_the_engine_adapter_imports_durable_rules() -> None:
    importers = set()
    for module, (path, is_package) in modules(ROOT, PACKAGE).items():
        for target, name, _ in _imports(ast.parse(path.read_text()), module, is_package):
            full = f"{target}.{name}" if name else target
            if any(t == d or t.startswith(d + ".") for t in (target, full) for d in DURABLE):
                importers.add(module.removeprefix(PACKAGE + "."))
    assert importers, "the engine adapter no longer imports the engine: update DURABLE"
    assert {m for m in importers if not m.startswith(ENGINE_FENCE)} == set()


def test_the_graph_sees_the_modules_and_arrows_it_must(graph: Graph) -> None:
    # A guard on the parser itself: a graph that missed the deferred and TYPE_CHECKING
    # imports (or every import) would be trivially acyclic.
    assert f"{PACKAGE}.consultation.session" in graph
    assert f"{PACKAGE}.consultation" in graph[f"{PACKAGE}.knowledge_base"]  # deferred
    assert f"{PACKAGE}._durable_engine" in graph[f"{PACKAGE}._engine"]


# The graph builder, on small packages ----------------------------------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Graph:
    for name, text in files.items():
        path = tmp_path / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return import_graph(tmp_path / "pkg", "pkg")


def test_a_deferred_import_closes_a_cycle(tmp_path: Path) -> None:
    graph = _package(tmp_path, {
        "__init__.py": "",
        "a.py": "from . import b\n",
        "b.py": "def f():\n    from .a import x\n",
    })
    assert ["pkg.a", "pkg.b", "pkg.a"] == find_cycle(graph)


def test_a_type_checking_import_closes_a_cycle(tmp_path: Path) -> None:
    graph = _package(tmp_path, {
        "__init__.py": "",
        "a.py": "from .b import y\n",
        "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import x\n",
    })
    assert ["pkg.a", "pkg.b", "pkg.a"] == find_cycle(graph)


def test_a_subpackage_init_that_imports_back_is_a_cycle(tmp_path: Path) -> None:
    graph = _package(tmp_path, {
        "__init__.py": "",
        "core.py": "def f():\n    from .sub.leaf import g\n",
        "sub/__init__.py": "from .other import h\n",
        "sub/leaf.py": "",
        "sub/other.py": "from ..core import f\n",
    })
    # core -> sub (its __init__ runs first) -> sub.other -> core
    assert ["pkg.core", "pkg.sub", "pkg.sub.other", "pkg.core"] == find_cycle(graph)


def test_a_name_read_from_the_own_package_init_is_an_arrow(tmp_path: Path) -> None:
    graph = _package(tmp_path, {
        "__init__.py": "from .a import VALUE\nLIMIT = 1\n",
        "a.py": "from . import LIMIT\nVALUE = LIMIT\n",
    })
    assert ["pkg", "pkg.a", "pkg"] == find_cycle(graph)


def test_a_submodule_of_its_own_package_is_no_arrow_to_the_init(tmp_path: Path) -> None:
    graph = _package(tmp_path, {
        "__init__.py": "from .a import VALUE\n",
        "a.py": "from . import b\nfrom .b import LIMIT\nVALUE = LIMIT\n",
        "b.py": "LIMIT = 1\n",
    })
    assert {"pkg.b": 1} == graph["pkg.a"]
    assert None is find_cycle(graph)
