"""Generated documentation is current: the README's command help and rule table come from the code."""

from __future__ import annotations

from conftest import ROOT
from jkdata import docs


def test_readme_generated_blocks_are_current():
    assert docs.update(ROOT / "README.md", docs.README_BLOCKS, check=True), (
        "run: .venv/bin/python -m jkdata.docs"
    )


def test_hand_edits_inside_a_generated_block_are_caught(tmp_path):
    readme = tmp_path / "README.md"
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    readme.write_text(text.replace("| `enum` |", "| `enumeration` |"), encoding="utf-8")
    assert not docs.update(readme, docs.README_BLOCKS, check=True)
    assert readme.read_text(encoding="utf-8") != text  # check mode leaves the file alone
    assert docs.update(readme, docs.README_BLOCKS, check=False) is False
    assert readme.read_text(encoding="utf-8") == text
