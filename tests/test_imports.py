"""The shape of the package: a folder per stage with the base below them, and one-way
imports. No import cycle among its modules (imports inside functions and under
``TYPE_CHECKING`` included); beside the packages, only the entry points and the engine;
only the entry points import the command line; the base imports nothing above it and the
store only the base's periods, problems and registry; no stage imports the demo and
synthetic data; the collection and the checks (their reports included) import no later
stage; the case notices import only the base and the PII detector; the history imports
only the base, the checks and the PII gate, and no earlier stage imports it; the
aggregation and the privacy package (the PII detector and the suppression) import only
the base and the engine (which imports no stage) and no earlier stage imports the
aggregation; and only the build, the preview and the command line import the site stage
(which imports none of them).

The graph is read from the source with ``ast``, not by importing: an import inside a
function counts as much as one at the top. An edge goes to the module named, not to the
packages above it (``from pipeline.store import X`` is an edge to ``pipeline.store``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"

# Cycles tolerated for now, each as the set of modules that import one another, with why
# it could not be removed yet. None today; an entry that is no longer a cycle fails too.
ALLOWED_CYCLES: dict[frozenset[str], str] = {}

# The modules beside the packages: the entry points (the build, the preview, the command
# line and its words, ``python -m pipeline``) and the engine, base to the aggregation and
# the suppression. Anything else belongs in the base, a stage or the site.
TOP_MODULES = {
    "pipeline",
    "pipeline.__main__",
    "pipeline.build",
    "pipeline.serve",
    "pipeline.cli",
    "pipeline.clitext",
    "pipeline.engine",
}
# The only modules that may import the command line: it and ``python -m pipeline``.
CLI_IMPORTERS = {"pipeline.cli", "pipeline.__main__"}
# The base every stage may import; the store may import only the first three of it, the
# engine only the pool helpers (its share of the machine).
STORE_MAY_IMPORT = {"pipeline.base.periods", "pipeline.base.problems", "pipeline.base.registry"}
BASE = STORE_MAY_IMPORT | {"pipeline.base.readers", "pipeline.store"}
POOL = "pipeline.base.parallel"
# What the collection may import besides itself: the base, the pool helpers, and the
# package's version (in the User-Agent).
COLLECT_MAY_IMPORT = BASE | {"pipeline", POOL}
# What the checks may import: the base, the pool helpers and the PII detector (a file's
# name is screened).
CHECK_MAY_IMPORT = BASE | {POOL, "pipeline.privacy.pii"}
# What the case notices may import: the base and the PII detector.
CASES_MAY_IMPORT = BASE | {"pipeline.privacy.pii"}
# What the history may import: the base, the checks' rows, and the PII gate's labels and
# place names with the detector (a channel list is screened as a case notice is).
HISTORY_MAY_IMPORT = BASE | {"pipeline.check", "pipeline.cases", "pipeline.privacy.pii"}
# What the aggregation may import: the base and the engine its SQL runs in.
AGGREGATE_MAY_IMPORT = BASE | {"pipeline.engine"}
ENGINE_MAY_IMPORT = {POOL}
# What comes before the aggregation (the base, the engine and the pool helpers below
# every stage; the collection, the checks and their reports, the PII detector) or beside
# it (the case notices, the history): none of it may import the aggregation.
BEFORE_AGGREGATE = BASE | {
    "pipeline.base",
    "pipeline.engine",
    "pipeline.collect",
    "pipeline.check",
    "pipeline.privacy.pii",
    "pipeline.cases",
    "pipeline.history",
}
# What comes before the history: none of it may import the history.
BEFORE_HISTORY = {
    "pipeline.base",
    "pipeline.store",
    "pipeline.engine",
    "pipeline.collect",
    "pipeline.check",
    "pipeline.privacy",
    "pipeline.cases",
    "pipeline.aggregate",
}
# What the privacy package may import: the base and the engine (the suppression's SQL).
PRIVACY_MAY_IMPORT = BASE | {"pipeline.engine"}
# The only module outside pipeline.demo that may import it: ``portal demo``.
DEMO_IMPORTERS = {"pipeline.cli"}
# The only modules outside pipeline.site that may import it: the build, the preview and
# the command line; the site stage imports none of them.
SITE_IMPORTERS = {"pipeline.build", "pipeline.serve", "pipeline.cli"}


def within(package: str, names: Iterable[str]) -> set[str]:
    return {m for m in names if m == package or m.startswith(package + ".")}


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that module ``name`` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            for alias in node.names:
                # ``from pipeline.cases import ledger`` imports a module; ``from pipeline import
                # __version__`` imports from the package.
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else target)
    return {m for m in found if m.split(".")[0] == "pipeline" and m != name}


def imports_beyond(package: str, allowed: set[str]) -> list[tuple[str, str]]:
    """(module, import) for each import of ``package``'s modules that is neither inside it
    nor ``allowed``."""
    edges = graph()
    inside = within(package, edges)
    return sorted((m, t) for m in inside for t in edges[m] if t not in inside | allowed)


def imported_back(package: str, earlier: set[str]) -> list[tuple[str, str]]:
    """(module, import) for each import of ``package`` by a module of the ``earlier``
    packages; fails if one of those names no module (a name misspelt)."""
    edges = graph()
    inside = within(package, edges)
    assert all(within(name, edges) for name in earlier), "a package of no module"
    before = {m for name in earlier for m in within(name, edges)}
    return sorted((m, t) for m in before for t in edges[m] if t in inside)


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def path_within(edges: dict[str, set[str]], component: frozenset[str]) -> list[str]:
    """One cycle through ``component``, as a path of imports, for the failure message."""
    start = min(component)
    seen = {start: [start]}
    todo = [start]
    while todo:
        v = todo.pop(0)
        for w in sorted(edges[v] & component):
            if w == start:
                return [*seen[v], start]
            if w not in seen:
                seen[w] = [*seen[v], w]
                todo.append(w)
    return sorted(component)


def test_the_graph_sees_imports_at_the_top_inside_functions_and_relative():
    edges = graph()
    assert "pipeline.collect" in edges["pipeline.build"]  # at the top
    assert "pipeline.serve" in edges["pipeline.cli"]  # inside a function
    assert "pipeline.site.mkdocs_build" in edges["pipeline.build"]  # relative, inside a function
    assert "pipeline.store" in edges["pipeline.cases.pii_gate"]
    assert "pipeline.privacy.pii" in edges["pipeline.check.checks"]
    assert "pipeline.aggregate" in edges["pipeline.build"]  # the package, not its module
    assert "pipeline.base.registry" in edges["pipeline.check.layer"]  # a module of the base
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset("abc")]


def test_no_module_of_the_package_imports_another_that_imports_it_back():
    edges = graph()
    found = cycles(edges)
    unexpected = [c for c in found if c not in ALLOWED_CYCLES]
    assert not unexpected, "import cycles:\n" + "\n".join(
        " -> ".join(path_within(edges, c)) for c in unexpected
    )
    stale = [sorted(c) for c in ALLOWED_CYCLES if c not in found]
    assert not stale, f"no longer cycles, remove them from ALLOWED_CYCLES: {stale}"


def test_beside_the_packages_only_the_entry_points_and_the_engine():
    top = {m for m in modules() if m.count(".") <= 1 and not (PACKAGE / m.split(".")[-1]).is_dir()}
    assert top == TOP_MODULES, sorted(top ^ TOP_MODULES)


def test_the_base_imports_nothing_above_it():
    package = within("pipeline.base", graph())
    assert package >= {"pipeline.base", POOL, *STORE_MAY_IMPORT, "pipeline.base.readers"}
    assert not imports_beyond("pipeline.base", set())
    assert "pipeline.base.readers" in graph()["pipeline.base.registry"]  # inside: allowed


def test_only_the_entry_points_import_the_command_line():
    edges = graph()
    importers = {m for m, targets in edges.items() if "pipeline.cli" in targets}
    assert importers <= CLI_IMPORTERS, sorted(importers - CLI_IMPORTERS)


def test_the_store_imports_only_the_base():
    package = within("pipeline.store", graph())
    assert package >= {"pipeline.store", "pipeline.store.snapshots"}
    assert not imports_beyond("pipeline.store", STORE_MAY_IMPORT)


def test_no_stage_imports_the_demo_and_synthetic_data():
    edges = graph()
    demo = within("pipeline.demo", edges)
    assert demo >= {"pipeline.demo", "pipeline.demo.synthetic"}
    importers = {m for m, targets in edges.items() if targets & demo} - demo
    assert importers <= DEMO_IMPORTERS, sorted(importers - DEMO_IMPORTERS)


def test_only_the_build_the_preview_and_the_command_line_import_the_site_stage():
    edges = graph()
    site = within("pipeline.site", edges)
    assert site >= {"pipeline.site", "pipeline.site.render", "pipeline.site.mkdocs_hooks"}
    importers = {m for m, targets in edges.items() if targets & site} - site
    assert importers <= SITE_IMPORTERS, sorted(importers - SITE_IMPORTERS)
    assert "pipeline.build" in importers and "pipeline.serve" in importers
    back = {(m, t) for m in site for t in edges[m] if t in SITE_IMPORTERS}
    assert not back, sorted(back)


def test_the_collection_imports_no_later_stage():
    package = within("pipeline.collect", graph())
    assert package >= {"pipeline.collect", "pipeline.collect.fetch"}
    assert not imports_beyond("pipeline.collect", COLLECT_MAY_IMPORT)


def test_the_checks_import_no_later_stage():
    package = within("pipeline.check", graph())
    assert package >= {"pipeline.check", "pipeline.check.layer", "pipeline.check.template"}
    assert "pipeline.check.reports" in package
    assert not imports_beyond("pipeline.check", CHECK_MAY_IMPORT)


def test_the_case_notices_import_only_the_base_and_the_pii_detector():
    package = within("pipeline.cases", graph())
    assert package >= {"pipeline.cases", "pipeline.cases.pii_gate", "pipeline.cases.workflow"}
    assert not imports_beyond("pipeline.cases", CASES_MAY_IMPORT)


def test_the_history_imports_only_the_base_the_checks_and_the_pii_gate():
    package = within("pipeline.history", graph())
    assert package >= {"pipeline.history.punctuality", "pipeline.history.channels"}
    assert not imports_beyond("pipeline.history", HISTORY_MAY_IMPORT)


def test_nothing_before_the_history_imports_it():
    back = imported_back("pipeline.history", BEFORE_HISTORY)
    assert not back, back


def test_the_engine_imports_no_stage():
    edges = graph()
    assert "pipeline.engine" in edges["pipeline.privacy.suppression"]
    assert "pipeline.engine" in edges["pipeline.aggregate.rollup"]
    assert not imports_beyond("pipeline.engine", ENGINE_MAY_IMPORT)


def test_the_aggregation_imports_only_the_base_and_the_engine():
    package = within("pipeline.aggregate", graph())
    assert package >= {"pipeline.aggregate", "pipeline.aggregate.rollup"}
    assert not imports_beyond("pipeline.aggregate", AGGREGATE_MAY_IMPORT)


def test_the_privacy_package_imports_only_the_base_and_the_engine():
    package = within("pipeline.privacy", graph())
    assert package >= {"pipeline.privacy.pii", "pipeline.privacy.suppression"}
    assert not imports_beyond("pipeline.privacy", PRIVACY_MAY_IMPORT)


def test_nothing_before_the_aggregation_imports_it():
    back = imported_back("pipeline.aggregate", BEFORE_AGGREGATE)
    assert not back, back
