"""The package's import graph: no cycle, not even inside a function, and a layering by concept.

Every module of ``python/skinremodel`` is parsed with ``ast`` (nothing is imported) and every
import of the package itself is collected, wherever it stands: at module level, inside a
function or method, or in an ``if TYPE_CHECKING:`` block; relative or absolute. An import of
``pkg.x`` goes to the module ``pkg.x`` (``from pkg import x`` too when ``x`` is a module, else
to ``pkg`` itself, its ``__init__``). Importing a module also runs its parents' ``__init__``;
those implicit imports are not edges (every module would depend on the root, which imports
everything).

The rules:

1. No cycle among the imports that run: module level and inside functions.
2. No import of the package inside a function: the graph is the one the module heads show, so a
   cycle cannot hide in a function body again.
3. Imports under ``if TYPE_CHECKING:`` never run. They may name a class of the same layer for
   annotations (``engine/xarray_io.py`` annotates with ``Result``, whose methods call it), so
   they are left out of rule 1, but they obey rule 4: a lower layer does not even name a
   higher one.
4. Layering: every unit (a top-level module or sub-package of ``skinremodel``) belongs to one
   layer of :data:`LAYERS`, and imports only its own layer and those below. A new unit must be
   placed in a layer here.

The checker itself is tested on small packages written to ``tmp_path`` (a planted cycle at
module level and in a function, an upward import, an unplaced unit).
"""

from __future__ import annotations

import ast
import importlib
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import skinremodel as sr

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "python" / "skinremodel"

#: The layers of the package, lowest first. Each holds units: top-level modules (``limits``)
#: or sub-packages (``model``) of ``skinremodel``; ``skinremodel`` itself is its ``__init__``
#: (the public API, ``sr.X``).
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "foundation: the compiled engine, bounds, checks, files, progress, HTML templates",
        frozenset({"_core", "_version", "limits", "_validation", "_files", "progress", "_html"}),
    ),
    (
        "the model: parameters, states and observables, clinical scales, names and units",
        frozenset({"model"}),
    ),
    (
        "plans and devices: sessions, schedules, their text and files, the plan library",
        frozenset({"plans"}),
    ),
    ("patients: covariates, medical history, screening", frozenset({"patients"})),
    (
        "the engine: simulate, results, sensitivities, batches, xarray files; their plots",
        frozenset({"engine", "plotting"}),
    ),
    ("virtual populations and prediction bands", frozenset({"populations"})),
    (
        "inference: fits, datasets, mixed effects, posteriors; calibration targets",
        frozenset({"inference", "calibration"}),
    ),
    ("the plan optimiser", frozenset({"optimize"})),
    ("the clinic: comparisons, reports, clinic files, the web app", frozenset({"clinic"})),
    ("the command line", frozenset({"cli"})),
    ("the public API (skinremodel/__init__.py)", frozenset({"skinremodel"})),
)


@dataclass(frozen=True)
class Import:
    """One import of the package by one of its modules."""

    source: str  # importing module, dotted
    target: str  # imported module, dotted
    where: str  # file:line
    in_function: bool
    type_checking: bool

    def __str__(self) -> str:
        how = (
            " (in a function)"
            if self.in_function
            else (" (TYPE_CHECKING)" if self.type_checking else "")
        )
        return f"{self.source} -> {self.target} at {self.where}{how}"


def modules(package: Path) -> dict[str, Path]:
    """Dotted name of every module of the package (``.py``, or ``.pyi`` of a compiled one)."""
    out: dict[str, Path] = {}
    for path in sorted(package.rglob("*.py*")):
        if path.suffix not in (".py", ".pyi") or "__pycache__" in path.parts:
            continue
        parts = path.relative_to(package.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if path.suffix == ".py" or name not in out:
            out[name] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(
    node: ast.Import | ast.ImportFrom, here: list[str], root: str, names: dict[str, Path]
) -> Iterator[str]:
    """The package's modules an import statement imports (``here``: the importer's package)."""
    if isinstance(node, ast.Import):
        yield from (a.name for a in node.names if a.name == root or a.name.startswith(root + "."))
        return
    if node.level:
        base = ".".join(here[: len(here) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    if base != root and not base.startswith(root + "."):
        return
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        yield sub if sub in names else base


def _module_imports(
    name: str, path: Path, root: str, names: dict[str, Path], where: Path
) -> list[Import]:
    here = name.split(".") if path.stem == "__init__" else name.split(".")[:-1]
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.extend(
                    Import(name, target, f"{where}:{child.lineno}", in_function, type_checking)
                    for target in _targets(child, here, root, names)
                )
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    visit(ast.Module(body=[stmt], type_ignores=[]), in_function, True)
                for stmt in child.orelse:
                    visit(ast.Module(body=[stmt], type_ignores=[]), in_function, type_checking)
            else:
                visit(
                    child,
                    in_function
                    or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)),
                    type_checking,
                )

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), False, False)
    return found


def imports(package: Path) -> list[Import]:
    """Every import of the package by its own modules, wherever it stands."""
    names = modules(package)
    return [
        e
        for name, path in names.items()
        for e in _module_imports(name, path, package.name, names, path.relative_to(package.parent))
    ]


def cycles(edges: list[Import]) -> list[list[Import]]:
    """One cycle through each strongly connected component of more than one module (or a
    module importing itself), as the list of imports that close it."""
    graph: dict[str, dict[str, Import]] = {}
    for e in edges:
        graph.setdefault(e.source, {}).setdefault(e.target, e)
        graph.setdefault(e.target, {})
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def strongconnect(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            components.append(component)

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    out = []
    for component in components:
        members = set(component)
        start = min(component)
        if len(component) == 1 and start not in graph[start]:
            continue
        # Shortest way back to the start inside the component (breadth first).
        previous: dict[str, Import] = {}
        frontier = [start]
        while frontier and start not in previous:
            nxt = []
            for v in frontier:
                for w, e in sorted(graph[v].items()):
                    if w in members and w not in previous:
                        previous[w] = e
                        nxt.append(w)
            frontier = nxt
        path = [previous[start]]
        while path[-1].source != start:
            path.append(previous[path[-1].source])
        out.append(path[::-1])
    return out


def unit(module: str) -> str:
    """The top-level module or sub-package of the package that a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def layer_of(layers: tuple[tuple[str, frozenset[str]], ...]) -> dict[str, int]:
    return {u: k for k, (_, units) in enumerate(layers) for u in units}


def layering_violations(
    edges: list[Import], layers: tuple[tuple[str, frozenset[str]], ...]
) -> list[str]:
    """Imports from a lower layer to a higher one (units in no layer are left to check)."""
    rank = layer_of(layers)
    problems = []
    for e in edges:
        if (
            unit(e.source) in rank
            and unit(e.target) in rank
            and rank[unit(e.source)] < rank[unit(e.target)]
        ):
            problems.append(
                f"{e}: layer {layers[rank[unit(e.source)]][0]!r} imports the "
                f"higher layer {layers[rank[unit(e.target)]][0]!r}"
            )
    return sorted(set(problems))


def check(package: Path, layers: tuple[tuple[str, frozenset[str]], ...]) -> list[str]:
    """Every broken rule, in words (empty when the package is clean)."""
    edges = imports(package)
    problems = [f"import inside a function: {e}" for e in edges if e.in_function]
    for cycle in cycles([e for e in edges if not e.type_checking]):
        problems.append("import cycle:\n    " + "\n    ".join(map(str, cycle)))
    problems += layering_violations(edges, layers)
    placed = layer_of(layers)
    problems += [
        f"{u!r} is in no layer; place it in LAYERS"
        for u in {unit(m) for m in modules(package)}
        if u not in placed
    ]
    return sorted(set(problems))


# ------------------------------------------------------------------------------- the package
def test_the_package_has_no_import_cycle_and_keeps_its_layering():
    problems = check(PACKAGE, LAYERS)
    assert not problems, "\n".join(problems)


def test_every_layer_and_unit_exists():
    units = {unit(m) for m in modules(PACKAGE)}
    declared = {u for _, us in LAYERS for u in us}
    assert declared == units, (sorted(declared - units), sorted(units - declared))


def test_the_graph_sees_imports_of_every_kind():
    # The checker reads the real package: relative imports at every depth, package __init__
    # targets, TYPE_CHECKING blocks (the graph is not trivially empty).
    edges = imports(PACKAGE)
    pairs = {(e.source, e.target) for e in edges}
    assert ("skinremodel.engine.simulate", "skinremodel.engine.result") in pairs
    assert ("skinremodel.clinic.compare", "skinremodel.plans") in pairs  # sr.plans, the library
    assert ("skinremodel.model.observables", "skinremodel._core") in pairs  # the compiled module
    assert any(e.type_checking for e in edges)


def test_the_public_api_survives_the_layout():
    # Everything of sr.__all__, the public modules and the console script, wherever the
    # modules behind them live.
    for name in sr.__all__:
        assert getattr(sr, name) is not None, name
    for name in ("plans", "plotting", "calibration", "inference", "progress"):
        assert isinstance(getattr(sr, name), types.ModuleType), name
    assert sr.plans.list() and callable(sr.plans.all) and callable(sr.plans.get)
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts["skinremodel"].partition(":")
    assert callable(getattr(importlib.import_module(module), function))


# ------------------------------------------------------------------------------- the checker
def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


_LAYERS = (("low", frozenset({"low"})), ("high", frozenset({"high"})), ("api", frozenset({"pkg"})))


def test_checker_finds_a_module_level_cycle_and_prints_it(tmp_path):
    pkg = _package(
        tmp_path,
        {
            "low/__init__.py": "",
            "low/a.py": "from .b import x\n",
            "low/b.py": "from pkg.low import a\nx = 1\n",
        },
    )
    problems = check(pkg, _LAYERS)
    assert problems == [
        "import cycle:\n    pkg.low.a -> pkg.low.b at pkg/low/a.py:1\n"
        "    pkg.low.b -> pkg.low.a at pkg/low/b.py:1"
    ]


def test_checker_finds_a_cycle_closed_inside_a_function(tmp_path):
    pkg = _package(
        tmp_path,
        {
            "low/__init__.py": "",
            "low/a.py": "from . import b\n",
            "low/b.py": "def f():\n    class C:\n        def g(self):\n"
            "            from .a import y\n    return C\n",
        },
    )
    problems = check(pkg, _LAYERS)
    assert (
        "import inside a function: pkg.low.b -> pkg.low.a at pkg/low/b.py:4 (in a function)"
        in problems
    )
    assert any(p.startswith("import cycle:") and "pkg.low.b -> pkg.low.a" in p for p in problems)


def test_checker_allows_a_type_checking_cycle_within_a_layer_but_not_upwards(tmp_path):
    within = _package(
        tmp_path / "within",
        {
            "low/__init__.py": "",
            "low/a.py": "from .b import f\n",
            "low/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import A\n"
            "def f(a: 'A') -> None: ...\n",
        },
    )
    assert check(within, _LAYERS) == []
    upward = _package(
        tmp_path / "upward",
        {
            "low/__init__.py": "",
            "high/__init__.py": "",
            "low/a.py": "import typing\nif typing.TYPE_CHECKING:\n    from ..high.h import H\n",
            "high/h.py": "from ..low import a\n",
        },
    )
    (problem,) = check(upward, _LAYERS)
    assert "pkg.low.a -> pkg.high.h at pkg/low/a.py:3 (TYPE_CHECKING)" in problem
    assert "layer 'low' imports the higher layer 'high'" in problem


def test_checker_refuses_upward_imports_and_unplaced_units(tmp_path):
    pkg = _package(
        tmp_path,
        {
            "low/__init__.py": "import pkg.high.h\n",
            "high/__init__.py": "",
            "high/h.py": "",
            "stray.py": "from . import low\n",
        },
    )
    problems = check(pkg, _LAYERS)
    assert any("pkg.low -> pkg.high.h" in p and "imports the higher layer" in p for p in problems)
    assert "'stray' is in no layer; place it in LAYERS" in problems


def test_checker_resolves_imports_of_the_package_root_and_of_names(tmp_path):
    pkg = _package(
        tmp_path,
        {
            "__init__.py": "from .low.a import A\n__version__ = '1'\n",
            "low/__init__.py": "",
            "low/a.py": "from .. import __version__\n",
        },
    )
    edges = imports(pkg)
    assert {(e.source, e.target) for e in edges} == {("pkg", "pkg.low.a"), ("pkg.low.a", "pkg")}
    problems = check(pkg, _LAYERS)
    assert any(p.startswith("import cycle:") for p in problems)
    assert any("pkg.low.a -> pkg at" in p and "higher layer 'api'" in p for p in problems)


def test_checker_catches_a_unit_missing_from_the_layers(tmp_path):
    pkg = _package(tmp_path, {"low/__init__.py": "", "low/a.py": ""})
    layers = tuple((n, u - {"low"}) for n, u in _LAYERS)
    assert check(pkg, layers) == ["'low' is in no layer; place it in LAYERS"]
