"""Browser tests: real headless Chromium (Debian's `chromium`, never a downloaded
browser) driven by Playwright's Python package, against a real `openinno serve`
subprocess on 127.0.0.1 (free port, fresh data dir, SQLite; migrated and given a
signing key first with the real CLI; projections following in-process).

Locally, without /usr/bin/chromium or the playwright package, the tests skip;
under CI=true they fail instead (`.ci/run` and `make test` install both)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from openinno.application import OpenInno
from openinno.settings import Settings

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (browser tests never skip under CI=true)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    url: str
    settings: Settings
    app: OpenInno
    log: Path

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir = tmp_path_factory.mktemp("browser-data")
    env = {
        **os.environ,
        "OPENINNO_DATABASE_URL": f"sqlite:///{data_dir}/events.db",
        "OPENINNO_DATA_DIR": str(data_dir),
        "OPENINNO_ARGON2_TIME_COST": "1",
        "OPENINNO_ARGON2_MEMORY_KIB": "8",
        "PYTHONUNBUFFERED": "1",
    }
    cli = [sys.executable, "-m", "web.cli"]
    for step in (["migrate"], ["keys", "generate", "--if-missing"]):
        subprocess.run([*cli, *step], cwd=REPO, env=env, check=True, capture_output=True)
    port = _free_port()
    log = data_dir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*cli, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    settings = Settings(
        database_url=f"sqlite:///{data_dir}/events.db",  # type: ignore[arg-type]
        data_dir=data_dir,
        argon2_time_cost=1,
        argon2_memory_kib=8,
    )
    app = OpenInno(settings)
    served = Served(f"http://127.0.0.1:{port}", settings, app, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"openinno serve exited:\n{served.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{served.url}/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"openinno serve not ready:\n{served.log_tail()}")
            time.sleep(0.1)
        yield served
    finally:
        app.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope: Playwright's sync API keeps an event loop running in this thread
    # while it is open, which later tests that start their own loop must not inherit.
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        _missing("Debian's chromium is not installed (make chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


class Accessibility:
    """axe-core (npm, pinned in package.json) injected from node_modules into the page
    through the DevTools protocol (the page's CSP forbids inline scripts, rightly)."""

    def __init__(self) -> None:
        if not AXE.exists():
            _missing("axe-core is not installed (make assets: npm ci)")
        self.source = AXE.read_text()
        self.problems: list[str] = []
        self.checked: list[str] = []

    def check(self, page: Any, name: str) -> None:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(self.source)
        result = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
        )
        self.checked.append(name)
        for v in result:
            if v["impact"] in SERIOUS:
                self.problems.append(
                    f"{name}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}"
                )


@pytest.fixture
def axe() -> Accessibility:
    return Accessibility()


def shoot(page: Any, name: str) -> None:
    """A screenshot of a key page, kept locally (tests/browser/screenshots is git-ignored)."""
    if IN_CI:
        return
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
