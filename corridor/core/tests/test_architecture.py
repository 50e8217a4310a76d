"""The shape of the code: no module imports one that (directly or not) imports it back, and
the low layers — shared code lists, consent, the job system, audit, core — never reach up
into the apps built on them. Imports inside functions count too; tests and migrations aside."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # corridor/

# app → the Corridor apps it may import (besides itself). A lower app tells the apps above
# it what happened through signals (consent_revoked) or registries (jobs' tasks modules).
ALLOWED = {
    "vocabularies": set(),
    "core": {
        "accounts",
        "audit",
        "people",
        "cases",
        "referrals",
        "incidents",
        "notifications",
        "vocabularies",
        "jobs",
        "consent",
        "screening",
        "crossborder",
        "intake",
    },
    "audit": {"core", "jobs", "accounts"},
    "jobs": {"core", "audit", "accounts", "api"},
    "consent": {"core", "audit", "accounts", "vocabularies", "people", "cases"},
}
LOW = {"vocabularies", "audit", "jobs", "consent"}
DOMAIN = {"cases", "referrals", "crossborder", "incidents", "screening", "intake", "demo"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        name = ".".join(parts)
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts) + (f".{base}" if base else "")
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.startswith("corridor"):
                resolved = _resolve(name)
                if resolved and resolved != module:
                    targets.add(resolved)
    return targets


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def _app(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_module_imports_itself_back():
    assert _cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_low_layers_never_reach_up_into_the_apps_built_on_them():
    reaching_up = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _app(module) in ALLOWED
        for target in targets
        if _app(target) not in ALLOWED[_app(module)] | {_app(module), ""}
    )
    assert reaching_up == []


def test_the_shared_code_lists_and_consent_import_no_domain_app():
    for module, targets in GRAPH.items():
        if _app(module) in {"vocabularies", "consent"}:
            assert not {_app(t) for t in targets} & (DOMAIN - {"cases"}), module
