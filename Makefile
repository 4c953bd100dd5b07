# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
OUT ?= demo-out
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_LEVEL := WARNING

.PHONY: install chromium demo test bench lock clean

install: $(VENV)/.installed

# The lock file pins every version; uv installs from it (pip would too: `pip install -r requirements.lock`).
# Bytecode is compiled at install time: where PYTHONDONTWRITEBYTECODE is set (as on CI machines),
# Python would otherwise compile Prefect and Polars from source on every command (~2 s each time).
$(VENV)/.installed: pyproject.toml requirements.lock Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q uv==0.13.9
	$(UV) pip install -q --compile-bytecode --python $(PY) -r requirements.lock
	$(UV) pip install -q --python $(PY) --no-deps -e .
	$(PY) -m compileall -q flows targeting messaging campaigns
	touch $@

demo: install
	$(VENV)/bin/outbound demo --out $(OUT)

# The report page's test renders report.html in headless Chromium; installed once, where apt-get is.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

test: install chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -n 2 --dist loadfile

bench: install
	$(PY) bench/targeting_bench.py
	$(PY) bench/drafting_bench.py
	$(PY) bench/startup_bench.py

# Re-resolve the lock after editing pyproject.toml's dependencies.
lock:
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) $(OUT) build dist
