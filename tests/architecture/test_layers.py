"""The seams between packages, checked from the source: the package graph has no cycle, and no
module outside services and core commits a transaction (routes, adapters and queries never do:
a service commits through audit.record_and_commit, so no write can forget its audit entry)."""
from __future__ import annotations

import ast
import functools
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "server"
# Where a transaction may end: core (the unit of work, the audit writer), the services of each
# package (service.py, and the few service modules named for their job, listed here so that a
# new one is a deliberate choice), and entry points that are their own unit of work (a CLI
# command, a job of the queue, the demo loader, the backup commands).
SERVICES = {"accounts/signin.py", "accounts/credentials.py", "accounts/sessions.py", "accounts/phones.py",
            "forms/keys.py", "forms/sealed.py"}
ENTRY_POINTS = ("service.py", "cli.py", "tasks.py")
COMMITTING_PACKAGES = ("core", "demo", "ops", "jobs")


@functools.cache
def _modules() -> tuple[tuple[Path, ast.Module], ...]:
    """Every module of server/, parsed once for all the checks."""
    return tuple((path, ast.parse(path.read_text(), filename=str(path)))
                 for path in sorted(SERVER.rglob("*.py")))


def package_graph() -> dict[str, dict[str, set[str]]]:
    """package -> imported package -> the modules that import it."""
    graph: dict[str, dict[str, set[str]]] = {}
    for path, tree in _modules():
        parts = path.relative_to(SERVER).parts
        if len(parts) < 2:
            continue
        package = parts[0]
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            module = node.module or ""
            if node.level == 2:
                targets = [module.split(".")[0]] if module else [a.name for a in node.names]
            elif node.level == 0 and module.startswith("server."):
                targets = [module.split(".")[1]]
            else:
                continue
            for target in targets:
                if target != package and (SERVER / target).is_dir():
                    graph.setdefault(package, {}).setdefault(target, set()).add("/".join(parts))
    return graph


def cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one package (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_package_graph_has_no_cycle():
    graph = package_graph()
    problems = []
    for component in cycles(graph):
        edges = [f"{a} -> {b} ({', '.join(sorted(graph[a][b]))})"
                 for a in component for b in component if b in graph.get(a, {})]
        problems.append("cycle " + " / ".join(component) + ":\n  " + "\n  ".join(edges))
    assert not problems, "\n".join(problems)


def test_core_imports_no_feature():
    assert set(package_graph().get("core", {})) == set()


def test_only_services_and_core_commit():
    offenders = []
    for path, tree in _modules():
        relative = path.relative_to(SERVER)
        if (relative.parts[0] in COMMITTING_PACKAGES or relative.name in ENTRY_POINTS
                or relative.as_posix() in SERVICES):
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "commit"):
                offenders.append(f"{relative}:{node.lineno}")
    assert not offenders, "commits outside services and core: " + ", ".join(offenders)


def test_the_checks_can_fail():
    graph = {"a": {"b": {"a/x.py"}}, "b": {"a": {"b/y.py"}}, "c": {"a": {"c/z.py"}}}
    assert cycles(graph) == [["a", "b"]]


def test_nothing_imports_routes_but_the_app_factory():
    offenders = []
    for path, tree in _modules():
        relative = path.relative_to(SERVER)
        if relative.as_posix() == "__init__.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module or ''}.{a.name}" for a in node.names]
                if any(n.split(".")[-1] == "routes" or n.split(".")[-1].endswith("_routes")
                       for n in names):
                    offenders.append(f"{relative}:{node.lineno}")
    assert not offenders, "modules importing routes: " + ", ".join(offenders)


# The review state of a visit or an incident (its status, the reviewer's comment, the merge into
# another incident) belongs to the package of its model: review/ decides, and asks
# visits/service.py or incidents/service.py to make the change.
OWNED_FIELDS = {"review_status": {"visits"}, "verification_status": {"incidents"},
                "review_comment": {"visits", "incidents"}, "duplicate_of": {"incidents"}}
OWNED_MODELS = {"Visit": "visits", "Incident": "incidents"}


def field_writes(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) for each write of an owned field: an assignment to the attribute, a
    setattr() naming it (or with a name computed at run time, in a module that imports one of
    the owned models), keyword values of an ORM update(), or SQL setting the column."""
    imports_model = any(isinstance(node, ast.ImportFrom) and any(
        a.name in OWNED_MODELS for a in node.names) for node in ast.walk(tree))
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Attribute) and part.attr in OWNED_FIELDS:
                    found.append((node.lineno, f".{part.attr} ="))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "setattr" and len(node.args) >= 2:
            name = node.args[1]
            if isinstance(name, ast.Constant) and name.value in OWNED_FIELDS:
                found.append((node.lineno, f"setattr(..., {name.value!r})"))
            elif not isinstance(name, ast.Constant) and imports_model:
                found.append((node.lineno, "setattr(...) on a Visit or Incident"))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "values" and imports_model:
            found += [(node.lineno, f".values({k.arg}=...)") for k in node.keywords
                      if k.arg in OWNED_FIELDS]
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            sql = " ".join(node.value.split()).lower()
            for table in ("visits", "incidents"):
                if f"update {table}" in sql and any(
                        f"{column} =" in sql.split(" set ", 1)[-1] for column in OWNED_FIELDS):
                    found.append((node.lineno, f"UPDATE {table} SET <review state>"))
    return found


def test_only_visits_and_incidents_write_their_review_state():
    offenders = []
    for path, tree in _modules():
        relative = path.relative_to(SERVER)
        if relative.parts[0] in {"visits", "incidents"}:
            continue
        offenders += [f"{relative.as_posix()}:{line} {what}" for line, what in field_writes(tree)]
    assert not offenders, ("review state written outside visits/ and incidents/ (ask their "
                           "service instead): " + ", ".join(offenders))


def test_the_review_state_check_can_fail():
    source = '''
from ..visits.models import Visit
record.review_status = "verified"
incident.duplicate_of = None
setattr(record, field, value)
setattr(other, "review_comment", "x")
session.execute(update(Visit).values(review_status="rejected"))
SQL = """UPDATE incidents
         SET verification_status = 'verified' WHERE id = :id"""
'''
    assert sorted(line for line, _ in field_writes(ast.parse(source))) == [3, 4, 5, 6, 7, 8]
    assert field_writes(ast.parse("facility.name = 'x'\nsetattr(user, key, value)\n")) == []


def store_imports(relative: Path, tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) for each import of another package's `store` (its write SQL)."""
    package = relative.parts[0]
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level != 2 or not node.module:
            continue
        parts = node.module.split(".")
        if parts[0] == package:
            continue
        names = parts[1:2] or []
        names += [a.name for a in node.names] if len(parts) == 1 else []
        if "store" in names:
            found.append((node.lineno, f"{parts[0]}.store"))
    return found


def test_a_package_writes_its_tables_itself():
    """A package's store module (its tables' write SQL) is its own: others ask its service."""
    offenders = []
    for path, tree in _modules():
        relative = path.relative_to(SERVER)
        if len(relative.parts) < 2:
            continue
        offenders += [f"{relative.as_posix()}:{line} imports {what}"
                      for line, what in store_imports(relative, tree)]
    assert not offenders, "another package's store imported (use its service): " + ", ".join(offenders)


def test_the_store_check_can_fail():
    tree = ast.parse("from ..visits import store as s\nfrom ..cases.store import get\n"
                     "from . import store\nfrom ..visits import service\n")
    assert store_imports(Path("review/service.py"), tree) == [(1, "visits.store"), (2, "cases.store")]
    assert store_imports(Path("visits/x.py"), ast.parse("from ..visits import store\n")) == []
