"""Issue 13, the structural step: one policy module (accounts.scoping) answers every "who
may"; the ground floor (core) asks it through core.policy and imports no domain app; the
querysets hold no scope rule of their own."""

import ast
import inspect
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_APPS = {
    "accounts",
    "schools",
    "curators",
    "events",
    "roadmaps",
    "assessment",
    "reports",
    "regional",
    "skills",
    "socialcontext",
}


def _imports(path: Path):
    """Every module an ``import`` / ``from … import`` anywhere in the file names."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module


def test_core_imports_no_domain_app():
    """No module of core — at module level or inside a function — imports a domain app."""
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in sorted((ROOT / "core").rglob("*.py"))
        if "migrations" not in path.parts
        for line, module in _imports(path)
        if module.split(".")[0] in DOMAIN_APPS
    ]
    assert offending == []
    assert {"accounts", *settings.OPORA_APPS} == DOMAIN_APPS


def test_the_policy_is_a_setting():
    from accounts import scoping
    from core import policy

    assert settings.OPORA_POLICY == "accounts.scoping"
    assert policy.policy() is scoping


def test_querysets_hold_no_scope_rule():
    """No model's queryset overrides ``restrict()``: the rules live in the policy's table."""
    from django.apps import apps

    from core.models import ScopedQuerySet

    for model in apps.get_models():
        qs_class = type(model._default_manager.all())
        restrict = getattr(qs_class, "restrict", None)
        if restrict is None:
            continue
        assert restrict is ScopedQuerySet.restrict, (model._meta.label, inspect.getsourcefile(restrict))


@pytest.mark.parametrize("label", ["assessment.importbatch", "events.material", "skills.skill"])
def test_rule_table_names_real_models(label):
    from django.apps import apps

    from accounts.scoping import RULES

    assert label in RULES
    assert apps.get_model(label) is not None
    for name in RULES:
        apps.get_model(name)
