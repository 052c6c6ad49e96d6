"""Fixtures for the real-browser tests of the built book.

The built HTML (``CE_BOOK_HTML``, default ``_build/html``) is served on 127.0.0.1 by a
``http.server`` thread and opened in headless Chromium through chromedriver (Selenium).
The pages under test are the ones listed in ``_toc.yml`` (``CE_BOOK_TOC`` overrides its path).

Every test here skips, with the reason, when Selenium, Chromium, chromedriver or the built
book is missing, except under ``CE_REQUIRE_BROWSER=1`` (set by ``.ci/run``), where a missing piece
fails the run instead: in CI the browser check must run, not quietly skip. ``CE_CHROMIUM`` and
``CE_CHROMEDRIVER`` override the executables.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
REQUIRE_BROWSER = os.environ.get("CE_REQUIRE_BROWSER", "") not in ("", "0")
BOOK_HTML = Path(os.environ.get("CE_BOOK_HTML", REPO / "_build" / "html")).resolve()
TOC_FILE = Path(os.environ.get("CE_BOOK_TOC", REPO / "_toc.yml")).resolve()

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMEDRIVER_NAMES = ("chromedriver",)

#: Flags for a quiet, offline, throw-away headless Chromium. The host resolver rule makes any
#: host other than 127.0.0.1 unresolvable, so a stray request fails locally instead of reaching
#: the network; the tests still see it in the performance log and report it.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-proxy-server",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--window-size=1280,1400",
)

#: Seconds a single page may take to load, and MathJax to typeset a page.
PAGE_LOAD_TIMEOUT = 30
SCRIPT_TIMEOUT = 45


def toc_pages(toc_file: Path = TOC_FILE) -> list[str]:
    """Return the pages of a Jupyter Book ``_toc.yml`` in reading order.

    Parameters
    ----------
    toc_file : Path
        The ``_toc.yml`` to parse (format ``jb-book``).

    Returns
    -------
    list of str
        Page names without extension, e.g. ``["book/index", "book/00_introduction", ...]``:
        the root first, then every ``file`` entry depth first, which is the order of the
        book's "next" links. Empty if ``toc_file`` does not exist.

    Raises
    ------
    ValueError
        If the TOC has no ``root`` or uses ``glob`` entries (their order is not in the file).
    """
    if not toc_file.is_file():
        return []
    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    if not isinstance(toc, dict) or "root" not in toc:
        raise ValueError(f"toc_pages: {toc_file} has no 'root' entry")
    pages = [_strip_suffix(toc["root"])]

    def walk(entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            if "glob" in entry:
                raise ValueError(f"toc_pages: glob entry {entry['glob']!r} in {toc_file}")
            if "file" in entry:
                pages.append(_strip_suffix(entry["file"]))
            for key in ("sections", "chapters", "parts"):
                walk(entry.get(key, []))

    walk(toc.get("parts", []))
    walk(toc.get("chapters", []))
    walk(toc.get("sections", []))
    return pages


def _strip_suffix(name: str) -> str:
    for suffix in (".md", ".ipynb", ".rst"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static file handler that does not print a line per request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class BookServer:
    """The local static server of the built book."""

    base_url: str
    root: Path

    def url(self, page: str) -> str:
        """Return the URL of a TOC page name such as ``book/03_stability``."""
        return f"{self.base_url}/{page}.html"


def _find_executable(env_var: str, names: tuple[str, ...]) -> str | None:
    if os.environ.get(env_var):
        return shutil.which(os.environ[env_var])
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def _skip(reason: str) -> None:
    """Skip, or fail when the environment requires the browser check to run."""
    if REQUIRE_BROWSER:
        pytest.fail(f"CE_REQUIRE_BROWSER is set but the browser check cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pages() -> list[str]:
    """The TOC pages in reading order (root first)."""
    return toc_pages()


@pytest.fixture(scope="session")
def book_server(pages: list[str]) -> Iterator[BookServer]:
    """Serve the built HTML on 127.0.0.1 (a free port) for the whole session."""
    if not pages:
        _skip(f"no table of contents at {TOC_FILE}")
    root_html = BOOK_HTML / f"{pages[0]}.html"
    if not root_html.is_file():
        _skip(f"built book not found ({root_html} is missing): run `make book` first")
    handler = functools.partial(_QuietHandler, directory=str(BOOK_HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="book-http", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield BookServer(base_url=f"http://{host}:{port}", root=BOOK_HTML)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def driver(book_server: BookServer) -> Iterator[Any]:
    """A headless Chromium driven through chromedriver, with performance and console logs."""
    try:
        from selenium import webdriver
    except ImportError:
        _skip("selenium is not installed (pip install -e '.[test]')")
    from selenium.webdriver.chrome.service import Service

    chromium = _find_executable("CE_CHROMIUM", CHROMIUM_NAMES)
    chromedriver = _find_executable("CE_CHROMEDRIVER", CHROMEDRIVER_NAMES)
    if chromium is None or chromedriver is None:
        _skip(
            "headless browser not available: "
            f"chromium={chromium or 'not found'}, chromedriver={chromedriver or 'not found'} "
            "(apt-get install chromium chromium-driver)"
        )
    profile = tempfile.mkdtemp(prefix="ce_course_chromium_")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    # driver.get returns at DOMContentLoaded; the tests wait for what they need themselves.
    options.page_load_strategy = "eager"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = Service(executable_path=chromedriver, log_output=os.devnull)
    try:
        browser = webdriver.Chrome(service=service, options=options)
    except Exception as exc:  # a broken install is reported, not a crash of the session
        shutil.rmtree(profile, ignore_errors=True)
        pytest.fail(f"could not start headless Chromium ({chromium}) via {chromedriver}: {exc}")
    browser.set_page_load_timeout(PAGE_LOAD_TIMEOUT)
    browser.set_script_timeout(SCRIPT_TIMEOUT)
    # Leave the start page (whose own requests fail by design, see CHROMIUM_FLAGS) and drop
    # its log entries, so that the logs only hold what the book's pages do.
    browser.get("about:blank")
    browser.get_log("performance")
    browser.get_log("browser")
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize every test that takes ``page`` over the TOC pages."""
    if "page" in metafunc.fixturenames:
        names = toc_pages()
        metafunc.parametrize("page", names, ids=names)
