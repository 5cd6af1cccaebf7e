"""The architecture, enforced: where each kind of rule may live.

- ``eservice.domain`` is plain Python: it imports no blueprint, no web helper and nothing of Flask but
  Flask-Babel's lazy strings (no request, no flash, no session).
- A blueprint package never imports another blueprint package (they meet through ``url_for``).
- Only ``eservice/domain/workflow.py`` assigns ``Case.status``.
- Only ``eservice/domain/policy.py`` asks a user's roles (``has_role``); pages name a policy question.
- No status or role value is written as a literal outside the module that defines it
  (``statuses.py``, ``roles.py``, the action registry ``actions.py``), in the code or in the templates.

The checks read the source (``ast``), so they hold for code that no test happens to run.
"""

import ast
import pathlib
import re

import pytest

from eservice.domain.roles import Role
from eservice.domain.statuses import Status

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "eservice"
TEMPLATES = ROOT / "templates"
BLUEPRINTS = ("public", "staff", "admin", "statistics", "notifications", "line", "open311")
DEFINING = {"eservice/domain/statuses.py", "eservice/domain/roles.py", "eservice/domain/actions.py"}

# The same words naming other things, each with the reason it is not a status or a role.
NOT_A_STATUS_OR_ROLE = {
    # Mail kinds (the outbox's ``kind`` column and the templates/email/<kind> pair), not statuses.
    ("eservice/domain/notify.py", "acknowledged"),
    ("eservice/domain/notify.py", "resolved"),
    ("eservice/notifications/render.py", "acknowledged"),
    ("eservice/notifications/render.py", "resolved"),
    # Named figures of the measures report ("cases received", "cases still in progress").
    ("eservice/domain/stats.py", "received"),
    ("eservice/domain/stats.py", "in_progress"),
    ("eservice/domain/stats/figures.py", "received"),
    ("eservice/domain/stats/figures.py", "in_progress"),
    ("eservice/statistics/tables.py", "received"),  # the same names, as codes of the summary's rows
    ("eservice/statistics/tables.py", "in_progress"),
    # The public statistics' section of integrity reports, and the integrity-unit flag of a division.
    ("eservice/domain/stats.py", "integrity"),
    ("eservice/domain/stats/public.py", "integrity"),
    ("eservice/statistics/views.py", "integrity"),
    # The administration blueprint's name, and the staff menu's entry for it.
    ("eservice/admin/__init__.py", "admin"),
    ("eservice/domain/policy.py", "admin"),
    # Open311's own two request statuses ("open"/"closed", every finished status is "closed"), not ours.
    ("eservice/domain/open311/requests.py", "closed"),
    # The rating's answer "was it resolved?" (a form field and a column), not the status.
    ("eservice/domain/workflow.py", "resolved"),
    ("eservice/statistics/demo_data.py", "resolved"),
}


def _python_files():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative:
            continue
        yield relative, ast.parse(path.read_text(encoding="utf-8"), filename=relative)


def _imported_modules(relative: str, tree: ast.AST) -> set[str]:
    """Absolute module names imported by a file of the package."""
    package = relative[:-3].replace("/", ".")
    package = package.removesuffix(".__init__") if package.endswith(".__init__") else package.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


FILES = list(_python_files())


def test_the_checks_read_the_whole_package():
    names = {relative for relative, _ in FILES}
    assert "eservice/domain/workflow.py" in names and "eservice/domain/policy.py" in names
    assert len(names) > 60


def test_the_domain_is_plain_python():
    allowed_flask = {"flask_babel"}
    allowed = {"werkzeug.security"}  # password hashing, not the web
    wrong = []
    for relative, tree in FILES:
        if not relative.startswith("eservice/domain/"):
            continue
        for module in _imported_modules(relative, tree):
            top = module.split(".")[0]
            if module.startswith(tuple(allowed)):
                continue
            if top in ("flask", "flask_login", "flask_wtf", "werkzeug") or (
                top.startswith("flask") and top not in allowed_flask
            ):
                wrong.append((relative, module))
            if module.startswith("eservice.") and module.split(".")[1] in (*BLUEPRINTS, "web", "auth", "templating"):
                wrong.append((relative, module))
    assert wrong == []


def test_no_blueprint_imports_another():
    wrong = []
    for relative, tree in FILES:
        parts = relative.split("/")
        if len(parts) < 3 or parts[1] not in BLUEPRINTS:
            continue
        own = parts[1]
        for module in _imported_modules(relative, tree):
            pieces = module.split(".")
            if len(pieces) > 1 and pieces[0] == "eservice" and pieces[1] in BLUEPRINTS and pieces[1] != own:
                wrong.append((relative, module))
    assert wrong == []


def _status_assignments(tree: ast.AST):
    """``something.status = …`` where something names a case, and ``Case(status=…)``."""
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "status":
                owner = ast.unparse(target.value)
                if "case" in owner.lower() or owner in ("original", "duplicate"):
                    yield node.lineno, ast.unparse(target)
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("Case"):
            for keyword in node.keywords:
                if keyword.arg == "status":
                    yield node.lineno, "Case(status=...)"


def test_only_the_workflow_assigns_a_status():
    wrong = [(relative, line, what) for relative, tree in FILES if relative != "eservice/domain/workflow.py"
             for line, what in _status_assignments(tree)]
    assert wrong == []


def test_the_check_for_status_assignments_finds_one():
    tree = ast.parse("def f(case):\n    case.status = 'closed'\n")
    assert list(_status_assignments(tree)) == [(2, "case.status")]


def test_only_the_policy_asks_for_roles():
    wrong = []
    for relative, tree in FILES:
        if relative in ("eservice/domain/policy.py", "eservice/models/user.py"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("has_role", "role_set"):
                wrong.append((relative, node.lineno))
    for path in sorted(TEMPLATES.rglob("*.*")):
        text = path.read_text(encoding="utf-8")
        if "has_role" in text or "role_set" in text:
            wrong.append((path.relative_to(ROOT).as_posix(), "has_role"))
    assert wrong == []


VALUES = {s.value for s in Status} | {r.value for r in Role}


def _string_literals(tree: ast.AST):
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_status_or_role_literal_outside_its_module():
    wrong = []
    for relative, tree in FILES:
        if relative in DEFINING:
            continue
        for line, value in _string_literals(tree):
            if value in VALUES and (relative, value) not in NOT_A_STATUS_OR_ROLE:
                wrong.append((relative, line, value))
    quoted = re.compile("['\"](" + "|".join(sorted(VALUES)) + ")['\"]")
    for path in sorted(TEMPLATES.rglob("*.*")):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in quoted.finditer(text):
                wrong.append((path.relative_to(ROOT).as_posix(), number, match.group(1)))
    assert wrong == []


@pytest.mark.parametrize("source", ["x = 'awaiting_citizen'", "if role == 'integrity': pass"])
def test_the_literal_check_finds_one(source):
    assert [value for _, value in _string_literals(ast.parse(source)) if value in VALUES]
