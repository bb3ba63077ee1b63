# Two commands do all the set-up on a fresh Debian machine: `make run` and `make test`.
PY := .venv/bin/python

.PHONY: install run test lint typecheck clean

install:
	bash scripts/install.sh

# The pipeline on its embedded default (1 to 10 minutes on two cores once installed, most of it
# the RTL stage: docs/pipeline.md; a rerun resumes).
run: install
	$(PY) -m riscv_soc.cli pipeline --out out/pipeline
	@echo "make run: the report is out/pipeline/report.html (and out/pipeline/report.md)"

test: install
	$(PY) -m pytest -n 2 -q -p no:cacheprovider

lint: install
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

# mypy alone: riscv_soc, snn and snnsoc_common ([tool.mypy] in pyproject.toml); also part of `lint`
# and of `make test` (tests/test_types.py).
typecheck: install
	.venv/bin/mypy

clean:
	rm -rf build .venv
