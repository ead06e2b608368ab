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


def test_codebook_is_current():
    assert docs.refresh(ROOT, check=True) == [], "run: jkdata docs"


def test_codebook_lists_every_table_field_and_vocabulary_value():
    from jkdata.package import load_package

    codebook = (ROOT / "docs/codebook.md").read_text(encoding="utf-8")
    package, _ = load_package(ROOT)
    for resource in package.resources:
        assert f"## {resource.name}\n" in codebook
        for field in resource.fields:
            assert f"| `{field['name']}` |" in codebook
            for category in field.get("categories", []):
                assert f"| `{category['value']}` | {category['label']} |" in codebook
