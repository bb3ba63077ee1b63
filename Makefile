# Two commands do all the set-up on a fresh Debian machine: `make run` and `make test`.
PY := .venv/bin/python

.PHONY: install run test lint clean

install:
	bash scripts/install.sh

run: install
	$(PY) -m riscv_soc.cli run-default

test: install
	$(PY) -m pytest -n 2 -q -p no:cacheprovider

lint: install
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

clean:
	rm -rf build .venv
