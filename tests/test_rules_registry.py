"""The rule registry is the one place rules are defined: well-formed rules, problems that refuse
an unregistered code, and no check that words its own messages."""

from __future__ import annotations

import ast
import doctest
import re
import string
from pathlib import Path

import pytest

from jkdata import rules_registry
from jkdata.problems import Problem
from jkdata.rules_registry import RULES, STAGES, Rule, by_stage, message

SCRIPTS = Path(rules_registry.__file__).parent


def test_rules_are_well_formed():
    for code, rule in RULES.items():
        assert code == rule.code and re.fullmatch(r"[a-z][a-z0-9_]*", code), code
        assert rule.stage in STAGES
        assert rule.description.endswith("."), code
        for name, template in rule.templates.items():
            assert template and not template.endswith((" ", ".")), (code, name)
            list(string.Formatter().parse(template))  # a valid format string
            assert "{value}" not in template, "a problem's value is shown beside its message"
            assert "{variant" not in template, "`variant` names the wording, not a placeholder"


def test_every_stage_has_rules():
    assert {rule.stage for rule in RULES.values()} == set(STAGES)
    assert [r.code for r in by_stage("dates")] == [
        "date_invalid",
        "date_bounds",
        "date_precision",
        "date_order",
        "date_note",
        "date_incomplete",
    ]


def test_messages_render_from_templates():
    assert RULES["required"].message() == "is required but the cell is empty"
    assert RULES["type"].message("date") == "must be a real calendar date written YYYY-MM-DD"
    assert RULES["type"].message(variant="year") == "must be a four-digit year"
    assert message("enum", "did_you_mean", allowed="KOR, JPN", meant="JPN") == (
        "must be one of the allowed values: KOR, JPN; did you mean JPN?"
    )
    assert message("frictionless:sequential-value", note="not sequential") == "not sequential"
    with pytest.raises(KeyError):
        RULES["required"].message("no_such_variant")
    with pytest.raises(KeyError, match="undocumented rule"):
        message("no_such_rule")


def test_problem_of_a_rule():
    problem = Problem.of("header", "data/events.csv", 1, "title", "name", number=3, want="title")
    assert problem.message == "column 3 must be named 'title' as in the schema"
    assert problem.rule == "header" and problem.row == 1 and problem.column == "title"


def test_a_problem_refuses_an_unregistered_rule():
    with pytest.raises(ValueError, match="undocumented rule 'speling'"):
        Problem("data/events.csv", 2, "title", None, "speling", "whatever")
    Problem("data/events.csv", 2, "title", None, "frictionless:forbidden-value", "note")


def test_a_rule_refuses_an_unknown_stage():
    with pytest.raises(ValueError, match="unknown stage"):
        Rule("x", "elsewhere", "X.", "x")


def test_the_registry_example_runs():
    assert doctest.testmod(rules_registry).failed == 0


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return f"{_name(func.value)}.{func.attr}"
    return func.id if isinstance(func, ast.Name) else ""


def _is_text(node: ast.expr | None) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


@pytest.mark.parametrize("path", sorted(SCRIPTS.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_words_its_own_problems(path):
    """A `Problem(...)` built directly takes its message from the registry (through
    `schema.rule_message`), never from a string or f-string written at the call site; and the
    variant named in a `Problem.of(...)` call exists."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for call in _calls(tree):
        name = _name(call.func)
        if name == "Problem":
            args = call.args + [k.value for k in call.keywords if k.arg == "message"]
            assert not (len(args) >= 6 and _is_text(args[5])), (
                f"{path.name}:{call.lineno}: a message written at the call site"
            )
        elif name == "Problem.of":
            rule, variant = call.args[0], call.args[5] if len(call.args) > 5 else None
            named = isinstance(variant, ast.Constant) and variant.value is not None
            if isinstance(rule, ast.Constant) and named:
                assert variant.value in RULES[rule.value].variants, (
                    f"{path.name}:{call.lineno}: {rule.value} has no variant {variant.value!r}"
                )


def test_the_descriptor_checks_name_variants_that_exist():
    """`package._problem(column, value, variant, rule, ...)`: each literal variant is one of
    the rule's wordings."""
    tree = ast.parse((SCRIPTS / "model" / "load.py").read_text(encoding="utf-8"))
    checked = 0
    for call in _calls(tree):
        if _name(call.func) != "_problem" or len(call.args) < 3:
            continue
        variant = call.args[2]
        rule = call.args[3] if len(call.args) > 3 else ast.Constant("descriptor")
        if isinstance(variant, ast.Constant) and isinstance(rule, ast.Constant):
            assert variant.value is None or variant.value in RULES[rule.value].variants, (
                f"model/load.py:{call.lineno}: {rule.value} has no variant {variant.value!r}"
            )
            checked += 1
    assert checked > 30
