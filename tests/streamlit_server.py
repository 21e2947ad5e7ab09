"""Start `streamlit run` on a free port and drive it with Debian's headless Chromium.

Shared by the browser tests and the benchmarks.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out of a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(script: str | Path, port: int, cwd: Path = ROOT) -> subprocess.Popen:
    """`streamlit run SCRIPT` in the background, headless, on 127.0.0.1:PORT."""
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    return subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def wait_healthy(port: int, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/_stcore/health"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early: {process.stderr.read()[-2000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(f"streamlit did not answer on port {port} within {timeout} s")


@contextlib.contextmanager
def running_app(script: str | Path = "app.py", cwd: Path = ROOT) -> Iterator[str]:
    """The app served on a free port for the duration of the block; yields its base URL."""
    port = free_port()
    process = start_server(script, port, cwd)
    try:
        wait_healthy(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# While a script runs, Streamlit shows a running icon and a Stop button in its status widget.
# Lazily loaded elements (tables, charts, select boxes) show a skeleton until their code arrives.
IDLE_JS = """() => !document.querySelector(
  '[data-testid="stStatusWidgetRunningIcon"], [data-testid="stSkeleton"]')"""


def wait_idle(page, timeout_ms: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script for the current page."""
    page.wait_for_timeout(500)
    page.wait_for_function(IDLE_JS, timeout=timeout_ms)
    page.wait_for_timeout(300)
