# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
OUT ?= demo-out
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_LEVEL := WARNING

.PHONY: install demo test bench lock clean

install: $(VENV)/.installed

# The lock file pins every version; uv installs from it (pip would too: `pip install -r requirements.lock`).
$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q uv==0.13.9
	$(UV) pip install -q --python $(PY) -r requirements.lock
	$(UV) pip install -q --python $(PY) --no-deps -e .
	touch $@

demo: install
	$(VENV)/bin/outbound demo --out $(OUT)

test: install
	$(PY) -m pytest -n 2 --dist loadfile

bench: install
	$(PY) bench/targeting.py
	$(PY) bench/drafting.py
	$(PY) bench/startup.py

# Re-resolve the lock after editing pyproject.toml's dependencies.
lock:
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) $(OUT) build dist
