"""`JKDATA_TRACE=1`: one line a step, which the benchmark reads to say where the time goes."""

from __future__ import annotations

import importlib.util
import sys

from click.testing import CliRunner

from conftest import ROOT, SEEDS
from jkdata.cli import cli


def _bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _trace_lines(monkeypatch, threads: str) -> list[list[str]]:
    monkeypatch.setenv("JKDATA_TRACE", "1")
    monkeypatch.setenv("JKDATA_THREADS", threads)
    result = CliRunner().invoke(cli, ["validate", str(ROOT)])
    assert result.exit_code == 0, result.output
    return [line.split(None, 5) for line in result.stderr.splitlines() if line.startswith("trace ")]


def test_every_traced_step_is_one_the_benchmark_knows(monkeypatch):
    lines = _trace_lines(monkeypatch, "1")
    labels = [fields[5] for fields in lines]
    steps = _bench().STEPS
    unknown = [label for label in labels if not any(label.startswith(k) for k in steps)]
    assert not unknown
    # Every table is parsed and scanned, and the cross-table checks are traced too (the quotes
    # only when the source texts are there to check them against).
    assert {"parse events", "scan events", "read events"} <= set(labels)
    assert ("quotes" in labels) == SEEDS.is_dir()
    assert any(label.startswith("foreign keys to ") for label in labels)


def test_parse_and_scan_lie_within_their_read(monkeypatch):
    lines = _trace_lines(monkeypatch, "1")
    spans = {fields[5]: (float(fields[2]), float(fields[3])) for fields in lines}
    for label, (start, end) in spans.items():
        assert start <= end
        kind, _, table = label.partition(" ")
        if kind in ("parse", "scan"):
            read_start, read_end = spans[f"read {table}"]
            assert read_start <= start and end <= read_end, label


def test_no_trace_without_the_variable(monkeypatch):
    monkeypatch.delenv("JKDATA_TRACE", raising=False)
    result = CliRunner().invoke(cli, ["validate", str(ROOT)])
    assert result.exit_code == 0
    assert "trace " not in result.stderr
