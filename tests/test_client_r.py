"""R researchers: R's frictionless package reads every resource with no warning, typed as the
schemas say, and the README's R snippet runs.

Needs `Rscript` and R's frictionless (1.2.1, which reads a resource only when it declares
`"profile": "tabular-data-resource"`). `make test` installs the vendored source
(../shared/vendor/frictionless-r-1.2.1.tar.gz) into .venv/R-library when both are there
(`make r-library`), and `.ci/run` installs Debian's R first, so CI runs these tests for real;
elsewhere they skip and say why.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT
from jkdata.model.load import load_package

R_LIBRARY = ROOT / ".venv" / "R-library"
RSCRIPT = shutil.which("Rscript")
# How R's frictionless types a column: by the field's Table Schema type, a vocabulary (an enum) as
# a factor whatever its type. This is the client's behaviour, not a fact of our schemas.
R_CLASSES = {
    "string": "character",
    "date": "Date",
    "integer": "numeric",
    "number": "numeric",
    "boolean": "logical",
    "year": "numeric",
}


def r_env() -> dict[str, str]:
    libraries = [str(R_LIBRARY), *filter(None, [os.environ.get("R_LIBS")])]
    return os.environ | {"R_LIBS": os.pathsep.join(libraries), "LANG": "C.UTF-8"}


def run_r(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    script = tmp_path / "script.R"
    script.write_text(code, encoding="utf-8")
    return subprocess.run(
        [RSCRIPT, "--vanilla", str(script)],
        cwd=ROOT,
        env=r_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def r_ready(tmp_path_factory):
    if RSCRIPT is None:
        pytest.skip("no Rscript: install Debian's r-base-core (.ci/run does)")
    probe = run_r(
        'cat(as.character(packageVersion("frictionless")))', tmp_path_factory.mktemp("probe")
    )
    if probe.returncode != 0:
        pytest.skip(
            f"R's frictionless is not installed in {R_LIBRARY} or R's own libraries: run "
            "`make r-library` (it needs ../shared/vendor/frictionless-r-1.2.1.tar.gz and "
            "Debian's r-cran-{cli,dplyr,httr,jsonlite,purrr,readr,rlang,yaml})"
        )
    return probe.stdout.strip()


# Runs `body` with every warning and message collected, then prints them and `result` as JSON.
HARNESS = """
suppressPackageStartupMessages(library(jsonlite))
caught <- list(warnings = character(), messages = character())
result <- withCallingHandlers(
  {{
{body}
  }},
  warning = function(w) {{
    caught$warnings <<- c(caught$warnings, conditionMessage(w))
    invokeRestart("muffleWarning")
  }},
  message = function(m) {{
    caught$messages <<- c(caught$messages, conditionMessage(m))
    invokeRestart("muffleMessage")
  }}
)
cat(toJSON(list(result = result, warnings = caught$warnings, messages = caught$messages),
           auto_unbox = TRUE, na = "null", digits = NA))
"""

READ_ALL = """
    library(frictionless)
    package <- read_package("datapackage.json")
    tables <- list()
    for (name in resources(package)) {
      frame <- read_resource(package, name)
      tables[[name]] <- list(
        classes = lapply(frame, function(column) class(column)[1]),
        levels = lapply(Filter(is.factor, frame), levels),
        cells = lapply(frame, as.character)
      )
    }
    tables
"""


def run_harness(body: str, tmp_path: Path) -> dict:
    result = run_r(HARNESS.format(body=body), tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def csv_columns(path: Path) -> dict[str, list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {name: [row[name] for row in rows] for name in rows[0]} if rows else {}


def test_r_reads_every_resource_typed_with_no_warning(r_ready, tmp_path):
    output = run_harness(READ_ALL, tmp_path)
    assert output["warnings"] == [], output["warnings"]
    assert output["messages"] == [], output["messages"]
    tables = output["result"]
    package, problems = load_package(ROOT)
    assert package is not None and not problems
    assert sorted(tables) == sorted(r.name for r in package.resources)
    for resource in package.resources:
        table = tables[resource.name]
        assert list(table["classes"]) == resource.field_names, resource.name
        text = csv_columns(resource.file)
        for field in resource.fields:
            where = f"{resource.name}.{field.name}"
            expected = "factor" if field.is_vocabulary else R_CLASSES[field.type]
            assert table["classes"][field.name] == expected, where
            if field.is_vocabulary:  # the whole vocabulary, in schema order
                assert table["levels"][field.name] == list(field.vocabulary), where
            cells = [None if v is None else str(v) for v in table["cells"][field.name]]
            written = [v or None for v in text[field.name]]
            if expected == "numeric":
                cells = [None if v is None else float(v) for v in cells]
                written = [None if v is None else float(v) for v in written]
            assert cells == written, where  # every cell as written: "04" stays "04"
    # The checks above hold for the kinds of column the README promises.
    events = tables["events"]["classes"]
    assert events["event_id"] == "character"
    assert events["date_start"] == events["date_end"] == "Date"
    assert events["event_type"] == events["cameo_code"] == "factor"
    assert "04" in tables["events"]["cells"]["cameo_code"]


def readme_r_snippet() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    body = readme.split("\n## Use it from R\n", 1)[1]
    body = re.split(r"\n#{2,6} ", body, maxsplit=1)[0]  # to the next heading
    (snippet,) = re.findall(r"```r\n(.*?)```", body, re.S)
    return snippet


def test_readme_r_snippet_runs(r_ready, tmp_path):
    """The README's "Use it from R" snippet, run from the package's directory as a user would."""
    snippet = "\n".join("    " + line for line in readme_r_snippet().splitlines())
    body = (
        snippet
        + """
    list(
      summits = nrow(summits),
      summit_types = unique(as.character(events$event_type[events$event_type == "summit"])),
      classes = lapply(summits, function(column) class(column)[1]),
      event_type = class(events$event_type)[1],
      cameo = sort(unique(na.omit(as.character(events$cameo_code))))
    )
"""
    )
    output = run_harness(body, tmp_path)
    assert output["warnings"] == [] and output["messages"] == [], output
    result = output["result"]
    rows = list(csv.DictReader((ROOT / "data/events.csv").open(encoding="utf-8", newline="")))
    assert result["summits"] == sum(row["event_type"] == "summit" for row in rows) > 0
    assert result["classes"] == {
        "event_id": "character",
        "date_start": "Date",
        "title": "character",
    }
    assert result["event_type"] == "factor"
    assert "04" in result["cameo"]


def test_every_resource_declares_the_profile_r_needs():
    """R's frictionless 1.2.1 refuses a resource without `profile: tabular-data-resource`."""
    package, problems = load_package(ROOT)
    assert package is not None and not problems
    for resource in package.resources:
        entry = package.descriptor["resources"][resource.index]
        assert entry.get("profile") == "tabular-data-resource", resource.name
