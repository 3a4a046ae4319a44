"""A llama.cpp server on 127.0.0.1, for the real-server test tier and the benchmarks.

Two programs serve a GGUF over the OpenAI protocol: llama.cpp's own `llama-server`, which decodes
concurrent requests together in parallel slots (continuous batching), and llama-cpp-python's
`python -m llama_cpp.server`, which answers one request at a time (one model behind a lock).
`make llama-cpp` installs both into the venv. Each runs as a child process and is stopped by its PID.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from simulator.ports import free_port

KINDS = ("llama-server", "python")
INSTALL_HINT = "run `make llama-cpp` (builds it once, about 30 minutes on 2 cores, then cached)"


class LlamaCppMissing(RuntimeError):
    """The server program is not installed; the message says how to install it."""


def llama_server_binary() -> Path | None:
    """`llama-server` from the venv (where `make llama-cpp` puts it), else from PATH."""
    beside = Path(sys.executable).parent / "llama-server"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("llama-server")
    return Path(found) if found else None


def check_installed(kind: str) -> None:
    """Raise LlamaCppMissing unless the `kind` of server can be started here."""
    if kind == "llama-server" and llama_server_binary() is None:
        raise LlamaCppMissing(f"llama.cpp's `llama-server` is not installed: {INSTALL_HINT}")
    if kind == "python":
        import importlib.util

        if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("uvicorn") is None:
            raise LlamaCppMissing(f"llama-cpp-python[server] is not installed: {INSTALL_HINT}")


@dataclass
class LlamaCppServer:
    """One server process serving `gguf`; `parallel` slots of `ctx_per_slot` tokens each."""

    gguf: Path
    kind: str = "llama-server"
    parallel: int = 1
    threads: int | None = None
    ctx_per_slot: int = 2048
    extra_args: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    load_seconds: float | None = None  # from starting the process to the model answering
    log: IO[bytes] | None = field(default=None, repr=False)  # the process's output, for error messages

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if self.kind == "python" and self.parallel != 1:
            raise ValueError("llama-cpp-python's server answers one request at a time: use llama-server")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        if self.kind == "llama-server":
            command = [str(llama_server_binary()), "--model", str(self.gguf), "--host", "127.0.0.1",
                       "--port", str(self.port), "--parallel", str(self.parallel), "--cont-batching",
                       "--ctx-size", str(self.ctx_per_slot * self.parallel)]
            threads = ["--threads", str(self.threads)] if self.threads else []
        else:
            command = [sys.executable, "-m", "llama_cpp.server", "--model", str(self.gguf), "--host",
                       "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.ctx_per_slot)]
            threads = ["--n_threads", str(self.threads)] if self.threads else []
        return [*command, *threads, *self.extra_args]

    def start(self, timeout_s: float = 120.0) -> LlamaCppServer:
        """Start the process and wait until the model answers; raise with the log's end if it does not."""
        check_installed(self.kind)
        self._close_log()  # a restart after kill() starts a new log
        self.log = tempfile.TemporaryFile()
        started = time.perf_counter()
        self.process = subprocess.Popen(self.command(), stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        ready = "/health" if self.kind == "llama-server" else "/v1/models"  # 503 while llama-server loads
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}{ready}", timeout=2).status_code == 200:
                    self.load_seconds = time.perf_counter() - started
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        tail = self.log_tail()
        self.stop()
        raise RuntimeError(f"{self.kind} did not answer within {timeout_s:.0f} s:\n{tail}")

    def log_tail(self, chars: int = 3000) -> str:
        if self.log is None:
            return ""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-chars:]

    def _close_log(self) -> None:
        if self.log is not None:
            self.log.close()
            self.log = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a crash would: the server gets no chance to finish a reply or close connections."""
        if self.alive:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.alive:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()

    def __enter__(self) -> LlamaCppServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
