"""Benchmark `jkdata validate` against plain `frictionless validate` and the read floors.

One run, on the same generated files: for each size, a synthetic package (`jkdata synth`) is
validated by (a) `frictionless validate`, (b) `jkdata validate` with every check (quotes
included), (c) the floors, `pyarrow.csv.read_csv` and `polars.read_csv` of the same CSVs, and
(d) `jkdata validate` on the same package with known errors injected (`--bad`). Each command runs in its own process;
wall time, rows per second and peak RSS (from `wait4`) are measured, and the machine's load is
recorded around every run, because other work on the machine skews timings.

    .venv/bin/python scripts/bench.py                      # 10k, 100k, 1M events -> docs/benchmarks.md
    .venv/bin/python scripts/bench.py --sizes 10000 --output /tmp/bench.md

Generated packages are kept in --workdir (default .bench/) and reused by later runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGETS = {
    "speedup": 20.0,  # frictionless / jkdata at the largest size, at least
    "floor": 2.5,  # jkdata / pyarrow read, at most (the polars read is reported beside it)
    "rss_mb": 1536.0,  # jkdata peak RSS at the largest size, at most
    "scaling": 12.0,  # jkdata time at 1M / at 100k events, at most
    "bad": 1.2,  # jkdata on the package with errors / on the valid one, at most
    "startup": 1.4,  # jkdata on the real package / importing pandas, pandera, frictionless
}
FLOOR_CODE = (
    "import sys, pyarrow.csv as c\n"
    "rows = sum(c.read_csv(f).num_rows for f in sys.argv[1:])\n"
    "print(rows)\n"
)
# The faster reader, every cell as text: the honest physical limit, reported for information.
POLARS_FLOOR_CODE = (
    "import sys, polars as pl\n"
    "rows = sum(pl.read_csv(f, infer_schema=False).height for f in sys.argv[1:])\n"
    "print(rows)\n"
)
# What a validate run imports: pandera's polars backend (with polars), pandas, frictionless.
IMPORTS_CODE = "import pandas, polars, pandera.polars, frictionless"


@dataclass
class Run:
    wall: float
    cpu: float  # user + system seconds, on every core
    rss_mb: float
    code: int
    load_before: float
    load_after: float


@dataclass
class Measure:
    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def rss_mb(self) -> float:
        return max(r.rss_mb for r in self.runs)

    @property
    def load(self) -> float:
        return max(max(r.load_before, r.load_after) for r in self.runs)


def run(command: list[str], expect: set[int] = frozenset({0}), env: dict | None = None) -> Run:
    """Run one command, returning its wall and CPU time and peak RSS (of that child only)."""
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=None if env is None else {**os.environ, **env},
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    process.stderr.close()
    if code not in expect:
        raise SystemExit(f"{' '.join(command)} exited {code}:\n{stderr[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, cpu, usage.ru_maxrss / 1024, code, load_before, os.getloadavg()[0])


def warm(directory: Path) -> None:
    """Read every file under a directory once, untimed, so that a run finds them in the page cache:
    a host may reclaim idle page cache within minutes (this one does), and a read from disk would
    then be charged to whichever command happens to come first."""
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            with path.open("rb") as handle:
                while handle.read(1 << 22):
                    pass


def measure(
    label: str, command: list[str], repeat: int, expect=frozenset({0}), files: Path | None = None
) -> Measure:
    return measure_together([(label, command, expect, None, files)], repeat)[0]


def measure_together(commands: list[tuple], repeat: int) -> list[Measure]:
    """Run the commands in turn, `repeat` rounds: commands compared with each other see the same
    changes in the machine's load, which a block of runs of one and then the other would not.
    Each command is (label, argv, exit codes expected, extra environment, directory it reads),
    the directory warmed into the page cache before each run."""
    results = [Measure(label) for label, *_ in commands]
    for _ in range(repeat):
        for result, (_, command, expect, env, files) in zip(results, commands, strict=True):
            if files is not None:
                warm(files)
            result.runs.append(run(command, expect, env))
    for result in results:
        print(
            f"  {result.label:<34} {result.wall:8.2f} s  {result.rss_mb:7.0f} MB  "
            f"(load {result.load:.2f})",
            flush=True,
        )
    return results


def package(workdir: Path, events: int, bad: bool) -> tuple[Path, int]:
    """Generate (or reuse) a synthetic package; returns its directory and row count."""
    target = workdir / f"events-{events}{'-bad' if bad else ''}"
    stamp = target / ".complete"
    if not stamp.exists():
        if target.exists():
            shutil.rmtree(target)
        command = [str(BIN / "jkdata"), "synth", str(target), "--events", str(events)]
        command += ["--template", str(ROOT)] + (["--bad"] if bad else [])
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        stamp.write_text("")
    rows = sum(
        max(0, sum(1 for _ in path.open("rb")) - 1) for path in (target / "data").glob("*.csv")
    )
    return target, rows


def machine() -> dict[str, str]:
    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    from importlib.metadata import version

    memory = first("/proc/meminfo", "MemTotal")
    if memory.endswith(" kB"):
        memory = f"{int(memory[:-3]) / 1024 / 1024:.1f} GiB"
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    libraries = ", ".join(
        f"{name} {version(name)}"
        for name in ("pandas", "pyarrow", "polars", "pandera", "frictionless", "numpy")
    )
    return {
        "CPU": first("/proc/cpuinfo", "model name"),
        "cores": f"{os.cpu_count()} logical ({len(os.sched_getaffinity(0))} usable)",
        "memory": memory,
        "system": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "libraries": libraries,
        "commit": commit or "unknown",
    }


def startup(repeat: int) -> tuple[Measure, Measure]:
    """jkdata validate on the real package against importing its heavy libraries."""
    python = str(BIN / "python")
    imports, jkdata = measure_together(
        [
            ("import pandas, pandera, frictionless", [python, "-c", IMPORTS_CODE], {0}, None, None),
            (
                "jkdata validate (real package)",
                [str(BIN / "jkdata"), "validate", str(ROOT)],
                {0},
                None,
                None,
            ),
        ],
        repeat,
    )
    return imports, jkdata


# The steps `JKDATA_TRACE=1` reports, by the start of their label, in the order a table meets
# them; "parse" and "scan" are parts of "read".
STEPS = {
    "frictionless metadata": "frictionless: descriptor and schemas",
    "parse": "parse the CSVs (pyarrow, every cell as text)",
    "scan": "scan the raw bytes (structure and hygiene, RE2)",
    "read": "rest of reading (mapping the files, BOM, header)",
    "hygiene": "hygiene of suspect rows",
    "dates": "dates (EDTF, order, precision)",
    "pandera": "pandera schema: types, constraints, primary and unique keys",
    "ID numbers": "IDs differing only in leading zeros",
    "foreign keys": "foreign keys (and the ID patterns their lookups leave to check)",
    "evidence": "evidence for every record",
    "links": "citations of the link tables",
    "quotes": "quotes verbatim in their sources, checksums",
    "consistency": "consistency rules: quote length, roles, unlinked actors",
}
NESTED = ("parse", "scan")  # inside "read"


def budget(package_dir: Path) -> tuple[float, dict[str, float]]:
    """One serial, traced run of jkdata validate: seconds per kind of step (see STEPS); the rest
    of the wall time is interpreter start-up, imports, the report and exit."""
    env = {**os.environ, "JKDATA_TRACE": "1", "JKDATA_THREADS": "1"}
    command = [str(BIN / "jkdata"), "validate", str(package_dir)]
    command += ["--sources-dir", str(package_dir / "sources")]
    warm(package_dir)
    start = time.perf_counter()
    process = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}")
    seconds = dict.fromkeys(STEPS, 0.0)
    for line in process.stderr.splitlines():
        fields = line.split(None, 5)
        if len(fields) < 6 or fields[0] != "trace":
            continue
        kind = next((k for k in STEPS if fields[5].startswith(k)), None)
        if kind is None:
            raise SystemExit(f"bench.STEPS lacks the traced step {fields[5]!r}")
        seconds[kind] += float(fields[4])
    for kind in NESTED:
        seconds["read"] -= seconds[kind]
    seconds["other"] = wall - sum(seconds.values())
    return wall, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--workdir", type=Path, default=ROOT / ".bench")
    parser.add_argument(
        "--repeat", type=int, default=7, help="runs per jkdata/pyarrow timing (median)"
    )
    parser.add_argument(
        "--frictionless-repeat", type=int, default=1, help="runs per frictionless timing"
    )
    parser.add_argument(
        "--no-frictionless-above",
        type=int,
        default=None,
        help="skip frictionless for sizes above this many events (it takes minutes at 1M)",
    )
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    python, jkdata, frictionless = (
        str(BIN / "python"),
        str(BIN / "jkdata"),
        str(BIN / "frictionless"),
    )

    print(f"load average before: {os.getloadavg()}")
    results = []
    for events in sorted(args.sizes):
        print(f"{events:,} events: generating …", flush=True)
        valid, rows = package(args.workdir, events, bad=False)
        bad, bad_rows = package(args.workdir, events, bad=True)
        expected = len(json.loads((bad / "expected-problems.json").read_text()))
        print(f"{events:,} events, {rows:,} rows", flush=True)
        files = sorted(str(p) for p in (valid / "data").glob("*.csv"))
        sources = ["--sources-dir", str(valid / "sources")]
        row = {"events": events, "rows": rows, "expected_problems": expected}
        measures = measure_together(
            [
                (
                    "pyarrow.csv.read_csv (floor)",
                    [python, "-c", FLOOR_CODE, *files],
                    {0},
                    None,
                    valid,
                ),
                (
                    "polars.read_csv (floor)",
                    [python, "-c", POLARS_FLOOR_CODE, *files],
                    {0},
                    None,
                    valid,
                ),
                (
                    "the same, jemalloc pool",
                    [python, "-c", FLOOR_CODE, *files],
                    {0},
                    {"ARROW_DEFAULT_MEMORY_POOL": "jemalloc"},
                    valid,
                ),
                ("jkdata validate", [jkdata, "validate", str(valid), *sources], {0}, None, valid),
                (
                    "jkdata validate (with errors)",
                    [jkdata, "validate", str(bad), "--sources-dir", str(bad / "sources")],
                    {1},
                    None,
                    bad,
                ),
            ],
            args.repeat,
        )
        keys = ("floor", "floor_polars", "floor_jemalloc", "jkdata", "bad")
        row.update(zip(keys, measures, strict=True))
        if args.no_frictionless_above is None or events <= args.no_frictionless_above:
            row["frictionless"] = measure(
                "frictionless validate",
                [frictionless, "validate", str(valid / "datapackage.json")],
                args.frictionless_repeat,
                files=valid,
            )
        results.append(row)
    # A run takes about two seconds, and one slow run moves a median of a few: take many.
    imports, real = startup(max(15, 3 * args.repeat))
    largest = max(args.sizes)
    steps = budget(package(args.workdir, largest, bad=False)[0])
    print(f"load average after: {os.getloadavg()}")

    text = report(results, imports, real, machine(), steps)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print()
    print(text)
    return 0


def report(
    results: list[dict],
    imports: Measure,
    real: Measure,
    about: dict,
    steps: tuple[float, dict[str, float]],
) -> str:
    lines = [
        "# Benchmarks: `jkdata validate` against `frictionless validate` and the read floors",
        "",
        "<!-- generated by scripts/bench.py; do not edit by hand: run `make bench` -->",
        "",
        f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `scripts/bench.py` (`make bench`).",
        "",
        "Each package is synthetic (`jkdata synth --events N`): N events with 2–4 actor links each",
        "(about 3), agreements, disputes, topics, every link table, sources and a citation for every",
        "record, about 5.4 rows in all per event. Every command runs in its own process, on the",
        "same files; the floors, jkdata and jkdata with errors take turns, round after round, so",
        "that they see the same load. Before each run the package's files are read once, untimed,",
        "so that every command finds them in the page cache (this host reclaims idle page cache",
        "within minutes; a cold read of the 1M package from disk takes about a second). Wall time",
        "is the median of the runs, peak RSS the largest; CPU time is user plus system time on all",
        "cores (median): the work done, whatever the number of cores.",
        "",
        "- **frictionless**: `frictionless validate datapackage.json` (row by row; foreign keys load",
        "  lookup tables whole).",
        "- **jkdata**: `jkdata validate PACKAGE --sources-dir PACKAGE/sources` with every check:",
        "  descriptor and schemas (frictionless), CSV structure, hygiene, types and constraints,",
        "  primary, unique and foreign keys (a pandera.polars schema per table, generated from its",
        "  Table Schema and run by pandera; foreign keys looked up with pyarrow), EDTF dates,",
        "  evidence for every record and link, checksums and every quote verbatim in its source",
        "  text.",
        "- **floor**: `pyarrow.csv.read_csv` of the same CSV files (default options), nothing else;",
        "  and the same with pyarrow's jemalloc memory pool (`ARROW_DEFAULT_MEMORY_POOL=jemalloc`),",
        "  the allocator `jkdata` uses: the default pool (mimalloc) hands memory back to the system at",
        "  once, and on some machines faulting it in again costs more than the reading itself.",
        "  The pyarrow read is the target's yardstick (`jkdata` reads with pyarrow).",
        "- **polars floor**: `polars.read_csv(path, infer_schema=False)` of the same files (every",
        "  cell as text): the faster reader and the honest physical limit, reported for information.",
        "- **with errors**: `jkdata validate` on the same package with known errors injected",
        "  (`jkdata synth --bad`, one per class of problem).",
        "",
        "| events | rows | tool | wall (s) | CPU (s) | rows/s | peak RSS (MB) | load |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results:
        for key, name in (
            ("frictionless", "frictionless validate"),
            ("jkdata", "jkdata validate"),
            ("bad", f"jkdata validate, {row['expected_problems']} errors"),
            ("floor", "pyarrow read (floor)"),
            ("floor_polars", "polars read (floor)"),
            ("floor_jemalloc", "pyarrow read, jemalloc pool"),
        ):
            m = row.get(key)
            if m is None:
                continue
            lines.append(
                f"| {row['events']:,} | {row['rows']:,} | {name} | {m.wall:.2f} | {m.cpu:.2f} | "
                f"{row['rows'] / m.wall:,.0f} | {m.rss_mb:,.0f} | {m.load:.2f} |"
            )
    target = max(row["events"] for row in results)
    by_size = {row["events"]: row for row in results}
    big = by_size[target]
    lines += [
        "",
        f"## Targets, at {target:,} events",
        "",
        "| target | measured | limit | met |",
        "| --- | ---: | ---: | --- |",
    ]

    def verdict(value: float, limit: float, at_least: bool) -> str:
        met = value >= limit if at_least else value <= limit
        return f"{value:.2f} | {'≥' if at_least else '≤'} {limit:g} | {'yes' if met else '**no**'}"

    if "frictionless" in big:
        speedup = big["frictionless"].wall / big["jkdata"].wall
        lines.append(
            f"| frictionless ÷ jkdata (wall) | {verdict(speedup, TARGETS['speedup'], True)} |"
        )
    floor = big["jkdata"].wall / big["floor"].wall
    lines.append(
        f"| jkdata ÷ pyarrow read floor (wall) | {verdict(floor, TARGETS['floor'], False)} |"
    )
    floor = big["jkdata"].wall / big["floor_jemalloc"].wall
    lines.append(
        f"| jkdata ÷ the floor with the jemalloc pool (wall) | "
        f"{verdict(floor, TARGETS['floor'], False)} |"
    )
    floor = big["jkdata"].wall / big["floor_polars"].wall
    lines.append(f"| jkdata ÷ polars read floor (wall) | {floor:.2f} | for information | — |")
    lines.append(
        f"| jkdata peak RSS (MB) | {verdict(big['jkdata'].rss_mb, TARGETS['rss_mb'], False)} |"
    )
    smaller = [n for n in by_size if n * 10 == target]
    if smaller:
        scale = big["jkdata"].wall / by_size[smaller[0]]["jkdata"].wall
        lines.append(
            f"| jkdata time, {target:,} ÷ {smaller[0]:,} events | "
            f"{verdict(scale, TARGETS['scaling'], False)} |"
        )
    bad = big["bad"].wall / big["jkdata"].wall
    lines.append(f"| with errors ÷ valid (wall) | {verdict(bad, TARGETS['bad'], False)} |")
    lines.append(
        f"| real package ({real.wall:.2f} s) ÷ `{IMPORTS_CODE}` ({imports.wall:.2f} s) | "
        f"{verdict(real.wall / imports.wall, TARGETS['startup'], False)} |"
    )
    rounds = ", ".join(
        f"{j.wall / f.wall:.2f}" for j, f in zip(big["jkdata"].runs, big["floor"].runs, strict=True)
    )
    rounds_jemalloc = ", ".join(
        f"{j.wall / f.wall:.2f}"
        for j, f in zip(big["jkdata"].runs, big["floor_jemalloc"].runs, strict=True)
    )
    lines += [
        "",
        "Round by round (each round runs the floor and jkdata one after the other), jkdata ÷ the",
        f"floor was {rounds}; ÷ the floor with the jemalloc pool, {rounds_jemalloc}. The spread",
        "is this machine's run-to-run noise; the table gives the medians.",
    ]
    lines += [
        "",
        "## Ratios at every size",
        "",
        "| events | frictionless ÷ jkdata | jkdata ÷ floor | jkdata ÷ floor (jemalloc) "
        "| jkdata ÷ polars floor | with errors ÷ valid |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results:
        speedup = (
            f"{row['frictionless'].wall / row['jkdata'].wall:.1f}" if "frictionless" in row else "—"
        )
        lines.append(
            f"| {row['events']:,} | {speedup} | {row['jkdata'].wall / row['floor'].wall:.2f} | "
            f"{row['jkdata'].wall / row['floor_jemalloc'].wall:.2f} | "
            f"{row['jkdata'].wall / row['floor_polars'].wall:.2f} | "
            f"{row['bad'].wall / row['jkdata'].wall:.2f} |"
        )
    wall, seconds = steps
    lines += [
        "",
        f"## Where jkdata's time goes, at {target:,} events",
        "",
        "One more run of `jkdata validate`, every step in one thread (`JKDATA_THREADS=1",
        "JKDATA_TRACE=1`; pyarrow's CSV reader and polars still use threads of their own):",
        f"{wall:.2f} s in all.",
        "",
        "| step | seconds | share |",
        "| --- | ---: | ---: |",
    ]
    for kind, name in [*STEPS.items(), ("other", "start-up, imports, the report, exit")]:
        lines.append(f"| {name} | {seconds[kind]:.2f} | {seconds[kind] / wall:.0%} |")
    lines += ["", "## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in about.items()]
    loads = [m.load for row in results for m in row.values() if isinstance(m, Measure)]
    lines += [
        f"- highest 1-minute load average seen during a timed run: {max(loads + [real.load]):.2f}",
        "",
        "The load column is the 1-minute load average around each run: above about 0.5 on this",
        "machine, other work was competing for the cores and the timings are pessimistic.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
