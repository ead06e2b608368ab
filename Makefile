# Two commands for users: `make build` and `make test`. Everything else is a helper.
# Only python3 and make are needed: the first run creates .venv from the hashed lock.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test validate lint format fmt docs lock clean help bench r-library site release-assets

help:
	@echo "make build   - set up .venv (first run), validate the package, build outputs"
	@echo "make test    - set up .venv (first run), lint, validate, run the whole test suite"
	@echo "make site    - build, then check the website in dist/site/ (GitHub Pages publishes it)"
	@echo "make release-assets - after make build: dist/release-assets/ with SHA256SUMS (TAG=vX.Y.Z)"
	@echo "make lock    - re-resolve requirements.lock from pyproject.toml (needs network)"
	@echo "make bench   - benchmark validation at 10k, 100k and 1M events -> docs/benchmarks.md"

# The stamp is rebuilt whenever the lock or the project metadata changes.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --editable .
	touch $(STAMP)

validate: $(STAMP)
	$(BIN)/jkdata validate

# jkdata build validates again before it writes anything, so it is safe to run on its own too.
build: validate
	$(BIN)/jkdata build

lint: $(STAMP)
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests

test: $(STAMP) lint r-library
	$(BIN)/frictionless validate datapackage.json
	$(BIN)/jkdata validate
	$(BIN)/jkdata fmt --check
	$(BIN)/jkdata docs --check
	$(BIN)/pytest

# R's frictionless package (not in Debian; CRAN may be out of reach) from its vendored source, into
# .venv/R-library, where tests/test_client_r.py looks for it. Done only when Rscript and the
# tarball are both there; otherwise the R test skips and says why. Under CI a failed install fails.
R_TARBALL ?= ../shared/vendor/frictionless-r-1.2.1.tar.gz
R_LIBRARY := $(VENV)/R-library
r-library: $(STAMP)
	@if ! command -v Rscript >/dev/null 2>&1; then \
	  echo "r-library: no Rscript, the R test will skip"; \
	elif [ ! -f "$(R_TARBALL)" ]; then \
	  echo "r-library: no $(R_TARBALL), the R test will skip"; \
	elif [ "$(R_LIBRARY)/.installed" -nt "$(R_TARBALL)" ]; then :; \
	else \
	  rm -rf "$(R_LIBRARY).tmp" && mkdir -p "$(R_LIBRARY).tmp" && \
	  if R CMD INSTALL --no-docs --no-html -l "$(R_LIBRARY).tmp" "$(R_TARBALL)" >"$(R_LIBRARY).log" 2>&1; then \
	    rm -rf "$(R_LIBRARY)" && mv "$(R_LIBRARY).tmp" "$(R_LIBRARY)" && touch "$(R_LIBRARY)/.installed"; \
	  else \
	    rm -rf "$(R_LIBRARY).tmp"; tail -n 20 "$(R_LIBRARY).log" >&2; \
	    echo "r-library: R CMD INSTALL $(R_TARBALL) failed (log: $(R_LIBRARY).log)" >&2; \
	    if [ -n "$${CI:-}" ]; then exit 1; fi; \
	  fi; \
	fi

# Publishing (.github/workflows/release.yml and pages.yml run these; tests/test_publish.py runs them
# too). `make site`: build, then check dist/site/ (every local link resolves, downloads match
# their SHA256SUMS). `make release-assets`: after `make build`, dist/release-assets/ holds the files
# to attach to the GitHub release and their SHA256SUMS; TAG=vX.Y.Z refuses another version's tag.
site: build
	$(BIN)/python -m jkdata.tools.publish check-site dist/site

release-assets: $(STAMP)
	$(BIN)/python -m jkdata.tools.publish release-assets dist $(if $(TAG),--tag $(TAG))

format: $(STAMP)
	$(BIN)/ruff format scripts tests

# Data is rewritten only on request: canonical CSV form, then the generated docs.
fmt: $(STAMP)
	$(BIN)/jkdata fmt

docs: $(STAMP)
	$(BIN)/jkdata docs

lock: $(STAMP)
	$(BIN)/python -m pip install --quiet uv==0.13.9
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes --no-header --quiet -o requirements.lock

# Generates synthetic packages in .bench/ (about 0.6 GB at 1M events); frictionless takes minutes there.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py --sizes 10000 100000 1000000 --output docs/benchmarks.md

clean:
	rm -rf $(VENV) dist .pytest_cache .ruff_cache .bench
