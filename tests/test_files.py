"""files.write_all: every file or none, permission bits kept, no temporary file left behind."""

from __future__ import annotations

import stat

import pytest

from jkdata import files


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writes_every_file_keeping_modes(tmp_path):
    kept = tmp_path / "kept.csv"
    kept.write_text("old\n")
    kept.chmod(0o640)
    new = tmp_path / "docs" / "new.md"
    files.write_all({kept: "새 값\n", new: b"bytes\n"})
    assert kept.read_text(encoding="utf-8") == "새 값\n" and _mode(kept) == 0o640
    assert new.read_bytes() == b"bytes\n" and _mode(new) == files.NEW_FILE_MODE
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["kept.csv", "new.md"]


def test_a_failure_before_the_renames_changes_nothing(tmp_path, monkeypatch):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("a\n")
    second.write_text("b\n")
    real = files.Path.write_text

    def refuse_b(self, *args, **kwargs):
        if self.name.startswith(".b.txt."):
            raise OSError(28, "No space left on device", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(files.Path, "write_text", refuse_b)
    with pytest.raises(OSError):
        files.write_all({first: "A\n", second: "B\n"})
    assert (first.read_text(), second.read_text()) == ("a\n", "b\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]
