"""The two row engines agree: frictionless (row by row) and ours (the pandera schema generated
from the model, and the foreign key lookups) report the same (file, row, column, rule) for every
corruption-corpus case about cells and keys, and for the synthetic package with injected errors.

frictionless 5 does not enforce `uniqueKeys`, so `unique_key` is the vectorised engine's alone.
This test is what lets `jkdata validate` leave row checks to the vectorised engine by default.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_corruptions import CASES, _resolve

from jkdata.model.load import load_package
from jkdata.rules_registry import by_stage
from jkdata.tools.synthetic import generate
from jkdata.validate import cells, frictionless_engine, keys
from jkdata.validate.structure import read_table

# Rules of the cells and keys stages that frictionless has no counterpart for, and why.
VECTORISED_ONLY = {
    "unique_key": "frictionless 5 does not enforce a schema's uniqueKeys",
    "id_number": "our own rule (IDs that differ only in leading zeros); frictionless has none",
}
CELL_AND_KEY_RULES = {r.code for r in by_stage("cells", "keys")} - set(VECTORISED_ONLY)


def _both_engines(root: Path) -> tuple[set, set]:
    package, _ = load_package(root)
    tables = {r.name: read_table(r) for r in package.resources}
    vectorised = []
    for table in tables.values():
        vectorised += cells.cell_problems(table)
    vectorised += keys.foreign_key_problems(package, tables)
    unreadable = {name for name, t in tables.items() if t.arrow is None}
    row_by_row = frictionless_engine.row_problems(package, skip=unreadable)
    return (
        {p.key for p in vectorised if p.rule not in VECTORISED_ONLY},
        {p.key for p in row_by_row},
    )


CELL_CASES = [case for case in CASES if case[2][3] in CELL_AND_KEY_RULES]


def test_the_corpus_has_cases_for_most_cell_and_key_rules():
    assert len({case[2][3] for case in CELL_CASES}) >= 9


def test_the_compared_rules_are_the_cell_and_key_rules_of_the_registry():
    assert set(VECTORISED_ONLY) <= {r.code for r in by_stage("cells", "keys")}
    assert {"type", "enum", "unique", "primary_key", "foreign_key"} <= CELL_AND_KEY_RULES


@pytest.mark.parametrize("case, corrupt, expected", CELL_CASES, ids=[c[0] for c in CELL_CASES])
def test_engines_agree_on_the_corruption_corpus(package, case, corrupt, expected):
    expected = _resolve(package, expected, before=True)
    corrupt(package)
    expected = _resolve(package, expected, before=False)
    vectorised, row_by_row = _both_engines(package)
    assert expected in vectorised
    assert vectorised == row_by_row


def test_engines_agree_on_the_real_package():
    vectorised, row_by_row = _both_engines(Path(__file__).resolve().parent.parent)
    assert vectorised == row_by_row == set()


def test_engines_agree_on_a_synthetic_package_with_errors(tmp_path):
    generated = generate(tmp_path / "bad", 300, seed=3, bad=True)
    vectorised, row_by_row = _both_engines(generated.root)
    expected = {key for key in generated.expected if key[3] in CELL_AND_KEY_RULES}
    assert vectorised == row_by_row == expected
