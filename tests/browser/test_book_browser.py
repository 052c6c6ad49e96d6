"""Real-browser tests of the built book: every TOC page opened in headless Chromium.

Run with ``make browser`` (or ``pytest -q -m browser tests/browser``) after ``make book``.
``CE_BOOK_HTML`` points at another build, ``CE_BOOK_SCREENSHOT`` moves the screenshot.

The book is read the way a person reads it: the root page is opened, then the "next" link at
the bottom of every page is clicked, so each page is loaded once. On each page MathJax is
waited for and one JavaScript pass (``COLLECT_JS``) records what the page shows; the per-page
tests assert on that record, so a failure names the page and what is wrong. Chromium's
performance log shows every request, so the tests also check that nothing left 127.0.0.1 and
that no local request failed. The root page's sidebar links are then opened one by one.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlparse

import pytest

pytestmark = pytest.mark.browser

#: Pages that must show rendered math: the root page and chapters 1 to 9 all state formulas
#: (the build of 22 Nov 2026 has math on all 13 pages). Fewer means MathJax or a page broke;
#: lower it only when a page loses its math on purpose.
MIN_PAGES_WITH_MATH = 10
#: Pages that must show a matplotlib figure (an ``<img>`` in a cell output): chapters 1 to 9
#: each plot something (the build of 22 Nov 2026 has figures on exactly those 9 pages).
MIN_PAGES_WITH_FIGURES = 9

#: Where a screenshot of the most math-heavy page is written (for humans; not asserted).
SCREENSHOT = Path(os.environ.get("CE_BOOK_SCREENSHOT", "/tmp/book_screenshot.png"))

#: Milliseconds the page script waits for MathJax to go idle and for images to settle, and
#: seconds to wait for a page to finish loading.
MATHJAX_WAIT_MS = 30_000
IMAGE_WAIT_MS = 15_000
PAGE_LOAD_WAIT_S = 30

#: URL schemes that never touch the network.
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome", "chrome-extension", "devtools"})

#: Requests that browsers make on their own and that a static book need not answer.
IGNORED_PATHS = frozenset({"/favicon.ico"})

#: Console errors that are known, harmless and not ours: Jupyter Book 1.x writes sphinx-thebe's
#: inline ``const THEBE_JS_URL = ...`` script twice into every page, so the second copy throws a
#: SyntaxError and is skipped (thebe itself is off and never loaded; the requests test makes sure).
#: pydata-sphinx-theme logs an error on the first page a fresh profile opens, because no
#: colour mode is stored yet (it then uses "auto"). MathJax 2's HTML-CSS output declares a
#: ``MathJax_Blank`` font at ``url('about:blank')`` as its baseline for detecting web fonts;
#: Chromium refuses that URL and says so twice (it never leaves the browser).
KNOWN_CONSOLE_ERRORS = (
    "Identifier 'THEBE_JS_URL' has already been declared",
    "Got invalid theme mode: . Resetting to auto.",
    "Access to font at 'about:blank'",
    "about:blank - Failed to load resource: net::ERR_FAILED",
)

#: CSS selectors of MathJax 2 output (HTML-CSS, CommonHTML, SVG, PreviewHTML, NativeMML).
RENDERED_MATH = (
    ".MathJax, .MathJax_Display, .MathJax_CHTML, .MathJax_SVG, .MathJax_PHTML, .MathJax_MathML"
)

# One pass over the page, after MathJax's queue is idle and every <img> has settled.
# arguments: [mathjax_wait_ms, image_wait_ms, rendered_math_selector, callback]
COLLECT_JS = r"""
const [mathWaitMs, imageWaitMs, renderedSel] = arguments;
const done = arguments[arguments.length - 1];

function timeout(ms, value) { return new Promise((r) => setTimeout(() => r(value), ms)); }

// Files MathJax asked for and could not load (its config, an output jax, font data...).
// Ajax.loading holds files in flight, Ajax.loaded the final status of the others.
function mathjaxLoadErrors() {
  const ajax = window.MathJax && window.MathJax.Ajax;
  if (!ajax || !ajax.STATUS) return [];
  const failed = Object.keys(ajax.loading || {})
    .filter((file) => ajax.loading[file].status === ajax.STATUS.ERROR);
  for (const [file, status] of Object.entries(ajax.loaded || {})) {
    if (status === ajax.STATUS.ERROR) failed.push(file);
  }
  return failed;
}

function waitMathJax() {
  if (!document.querySelector('script[src*="MathJax.js"]')) return Promise.resolve("not on page");
  const deadline = Date.now() + mathWaitMs;
  return new Promise((resolve) => {
    let hooked = false;
    let settled = false;
    const finish = (state) => {
      settled = true;
      resolve(state);
    };
    (function poll() {
      if (settled) return;
      const mj = window.MathJax;
      if (mj && mj.Hub && mj.Hub.Register && mj.Hub.Queue && !hooked) {
        // "End" fires after the first typeset (at once if it already did); then drain the queue.
        hooked = true;
        // The hook must return nothing: MathJax waits on a callback that a hook returns.
        mj.Hub.Register.StartupHook("End", () => {
          mj.Hub.Queue(() => {
            finish("idle");
          });
        });
      }
      // A file MathJax needs (its config, an output jax, font data) that failed to load means
      // it never reaches "End": report that at once instead of waiting for the deadline.
      const failed = mathjaxLoadErrors();
      if (failed.length) {
        finish("MathJax could not load " + failed.join(", "));
      } else if (Date.now() > deadline) {
        finish(hooked ? "MathJax queue not idle after " + mathWaitMs + " ms" : "MathJax.js did not load");
      } else {
        setTimeout(poll, 50);
      }
    })();
  });
}

function waitImages() {
  const pending = Array.from(document.images).map((img) => {
    if (img.loading === "lazy") img.loading = "eager";
    if (img.complete) return null;
    return new Promise((r) => {
      img.addEventListener("load", r, { once: true });
      img.addEventListener("error", r, { once: true });
    });
  });
  return Promise.race([Promise.all(pending), timeout(imageWaitMs, null)]);
}

// Text of an element, leaving out <script> (MathJax keeps the TeX there) and code blocks.
function proseText(el) {
  let out = "";
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => n.parentElement.closest("script, style, pre, code, textarea")
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  while (walker.nextNode()) out += walker.currentNode.nodeValue;
  return out;
}

function snippet(text) {
  // Cut by code point: a lone surrogate (math italic letters are outside the BMP) cannot be
  // sent back to WebDriver.
  const chars = Array.from((text || "").replace(/\s+/g, " ").trim());
  return chars.length > 100 ? chars.slice(0, 100).join("") + "..." : chars.join("");
}

const TEX_DELIMS = /\\\(|\\\[|\$\$|\\begin\{/;
const MATH_ERRORS = ".MathJax_Error, .merror, .mjx-merror, .noError";

function mathReport() {
  const problems = [];
  // Sphinx marks math with class "math"; so does MathJax's own HTML-CSS output, leave that out.
  const elements = Array.from(document.querySelectorAll(".math"))
    .filter((el) => !el.closest(renderedSel));
  for (const el of elements) {
    const scripts = Array.from(el.querySelectorAll('script[type^="math/tex"]'));
    if (scripts.length === 0) {
      problems.push("not typeset: " + snippet(el.textContent));
      continue;
    }
    for (const s of scripts) {
      const frame = s.id ? document.getElementById(s.id + "-Frame") : null;
      if (!frame) {
        problems.push("no rendered output for: " + snippet(s.textContent));
      } else if (frame.getBoundingClientRect().width === 0 && frame.offsetParent !== null) {
        problems.push("rendered with zero width: " + snippet(s.textContent));
      }
    }
    const leftover = proseText(el);
    if (TEX_DELIMS.test(leftover)) problems.push("TeX source left in the page: " + snippet(leftover));
  }
  for (const err of document.querySelectorAll(MATH_ERRORS)) {
    problems.push("MathJax error: " + snippet(err.textContent));
  }
  // The noUndefined extension draws an undefined macro as red text instead of failing.
  for (const frame of document.querySelectorAll(renderedSel)) {
    for (const span of frame.querySelectorAll("[style*='color']")) {
      const color = span.style.color.replace(/\s/g, "");
      if ((color === "red" || color === "rgb(255,0,0)") && span.textContent.trim().startsWith("\\")) {
        problems.push("undefined TeX macro: " + snippet(span.textContent));
      }
    }
  }
  const article = document.querySelector("article") || document.body;
  const prose = proseText(article);
  const stray = prose.match(/(\\\(|\\\[|\$\$)[^]{0,60}/);
  if (stray && !elements.some((el) => TEX_DELIMS.test(proseText(el)))) {
    problems.push("TeX delimiters left in the text: " + snippet(stray[0]));
  }
  return {
    elements: elements.length,
    rendered: document.querySelectorAll(renderedSel).length,
    problems: problems,
  };
}

function imageReport() {
  return Array.from(document.images).map((img) => ({
    src: img.currentSrc || img.src,
    alt: img.alt,
    complete: img.complete,
    naturalWidth: img.naturalWidth,
    inOutput: !!img.closest(".cell_output, .output"),
  }));
}

function errorOutputReport() {
  // A cell tagged raises-exception shows its traceback on purpose.
  const deliberate = (el) => !!el.closest(".tag_raises-exception");
  const problems = [];
  for (const el of document.querySelectorAll(".output.traceback, .output.error")) {
    if (!deliberate(el)) problems.push("traceback output: " + snippet(el.textContent));
  }
  for (const out of document.querySelectorAll(".cell_output")) {
    if (deliberate(out)) continue;
    const text = out.textContent;
    if (text.includes("Traceback (most recent call last)")) {
      problems.push("'Traceback (most recent call last)' in a cell output: " + snippet(text));
    }
    for (const red of out.querySelectorAll("[class*='ansi-red']")) {
      problems.push("red (ansi-red) error text in a cell output: " + snippet(red.textContent));
    }
    for (const err of out.querySelectorAll(".output.stderr")) {
      if (err.textContent.includes("Error")) {
        problems.push("stderr output containing 'Error': " + snippet(err.textContent));
      }
    }
  }
  return Array.from(new Set(problems));
}

function resourceUrls() {
  const urls = [];
  document.querySelectorAll("script[src]").forEach((e) => urls.push(e.src));
  document.querySelectorAll("link[href]").forEach((e) => {
    if (/stylesheet|preload|modulepreload|prefetch|icon|manifest/i.test(e.rel)) urls.push(e.href);
  });
  document.querySelectorAll("img[src], iframe[src], source[src], video[src], audio[src], embed[src]")
    .forEach((e) => urls.push(e.src));
  performance.getEntriesByType("resource").forEach((e) => urls.push(e.name));
  return Array.from(new Set(urls));
}

function headingText() {
  const h1 = document.querySelector("article h1, main h1, h1");
  if (!h1) return null;
  const copy = h1.cloneNode(true);
  copy.querySelectorAll(".headerlink").forEach((e) => e.remove());
  return copy.textContent.replace(/\s+/g, " ").trim();
}

Promise.all([waitMathJax(), waitImages()]).then(([mathjaxState]) => {
  const next = document.querySelector("a.right-next");
  const prev = document.querySelector("a.left-prev");
  done({
    url: location.href,
    title: document.title,
    heading: headingText(),
    mathjaxState: mathjaxState,
    mathjaxLoadErrors: mathjaxLoadErrors(),
    math: mathReport(),
    images: imageReport(),
    errorOutputs: errorOutputReport(),
    resources: resourceUrls(),
    next: next ? next.href : null,
    prev: prev ? prev.href : null,
  });
}).catch((e) => done({ scriptError: String(e) }));
"""


@dataclass
class PageReport:
    """What one page shows in the browser, plus the network and console activity it caused."""

    page: str
    data: dict[str, Any]
    requests: list[dict[str, Any]] = field(default_factory=list)
    console: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rendered_math(self) -> int:
        return int(self.data["math"]["rendered"])

    @property
    def output_images(self) -> list[dict[str, Any]]:
        return [img for img in self.data["images"] if img["inOutput"]]


def _network_events(performance_log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fold Chromium's DevTools performance log into one record per request."""
    records: dict[str, dict[str, Any]] = {}
    for entry in performance_log:
        message = json.loads(entry["message"])["message"]
        method, params = message.get("method", ""), message.get("params", {})
        request_id = params.get("requestId")
        if method == "Network.requestWillBeSent":
            records.setdefault(request_id, {})["url"] = params["request"]["url"]
        elif method == "Network.responseReceived":
            record = records.setdefault(request_id, {"url": params["response"]["url"]})
            record["status"] = params["response"]["status"]
        elif method == "Network.loadingFailed":
            record = records.setdefault(request_id, {"url": "?"})
            record["failed"] = params.get("errorText", "failed")
            record["canceled"] = params.get("canceled", False)
    return list(records.values())


def _is_local(url: str, base_url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in LOCAL_SCHEMES:
        return True
    return f"{parsed.scheme}://{parsed.netloc}" == base_url


def _page_path(url: str) -> str:
    """``http://127.0.0.1:PORT/book/x.html#frag`` -> ``book/x``."""
    path = urlparse(urldefrag(url)[0]).path.lstrip("/")
    return path[: -len(".html")] if path.endswith(".html") else path


def _wait_for_mathjax(driver: Any) -> None:
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "if (!window.MathJax || !MathJax.Hub) { done(); return; }"
        "setTimeout(done, 20000);"
        "MathJax.Hub.Register.StartupHook('End', () => { MathJax.Hub.Queue(() => { done(); }); });"
    )


@dataclass
class BookWalk:
    """The result of reading the book front to back by clicking "next" on every page."""

    reports: dict[str, PageReport]
    #: page -> {"href": next link or None, "landed": page reached by clicking it, "error": ...}
    next_links: dict[str, dict[str, Any]]


def _wait_until_loaded(driver: Any, what: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, PAGE_LOAD_WAIT_S).until(
        lambda d: d.execute_script("return document.readyState") == "complete",
        f"{what}: page did not finish loading in {PAGE_LOAD_WAIT_S} s",
    )


def _collect(driver: Any, page: str) -> PageReport:
    """Report on the page the browser shows now; the logs hold what happened since the last call."""
    from selenium.common.exceptions import WebDriverException

    try:
        _wait_until_loaded(driver, page)
        data = driver.execute_async_script(
            COLLECT_JS, MATHJAX_WAIT_MS, IMAGE_WAIT_MS, RENDERED_MATH
        )
    except WebDriverException as exc:
        data = {"scriptError": f"{type(exc).__name__}: {exc.msg}"}
    return PageReport(
        page=page,
        data=data,
        requests=_network_events(driver.get_log("performance")),
        console=driver.get_log("browser"),
    )


def _click_next(driver: Any, page: str) -> dict[str, Any]:
    """Click the "next" link at the bottom of the current page and say where it led."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    links = driver.find_elements(By.CSS_SELECTOR, "a.right-next")
    if not links:
        return {"href": None}
    outcome: dict[str, Any] = {"href": links[0].get_attribute("href")}
    try:
        old_html = driver.find_element(By.TAG_NAME, "html")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", links[0])
        links[0].click()
        WebDriverWait(driver, PAGE_LOAD_WAIT_S).until(
            expected_conditions.staleness_of(old_html), "clicking it did not leave the page"
        )
        outcome["landed"] = _page_path(driver.current_url)
    except WebDriverException as exc:
        outcome["error"] = f"{type(exc).__name__}: {exc.msg}"
    return outcome


@pytest.fixture(scope="session")
def book_walk(driver: Any, book_server: Any, pages: list[str]) -> BookWalk:
    """Open the root page, then read the book by clicking "next", reporting on every page.

    Every page is loaded once. Where a "next" link is missing or leads elsewhere, the walk
    goes on by opening the next TOC page directly (the "next" test reports the broken link).
    """
    from selenium.webdriver.common.by import By

    reports: dict[str, PageReport] = {}
    next_links: dict[str, dict[str, Any]] = {}
    driver.get_log("performance")  # start both logs empty
    driver.get_log("browser")
    current = None
    for index, page in enumerate(pages):
        if current != page:
            driver.get(book_server.url(page))
        reports[page] = _collect(driver, page)
        if index == len(pages) - 1:  # clicking "next" here would leave the book
            links = driver.find_elements(By.CSS_SELECTOR, "a.right-next")
            next_links[page] = {"href": links[0].get_attribute("href") if links else None}
            break
        next_links[page] = _click_next(driver, page)
        current = next_links[page].get("landed")
    return BookWalk(reports=reports, next_links=next_links)


@pytest.fixture(scope="session")
def page_report(book_walk: BookWalk) -> Any:
    """Return a function ``page -> PageReport``; fails if the page script could not run."""

    def report(page: str) -> PageReport:
        result = book_walk.reports[page]
        assert "scriptError" not in result.data, (
            f"{page}: could not inspect the page: {result.data['scriptError']}"
        )
        return result

    return report


@pytest.fixture(scope="session")
def all_reports(page_report: Any, pages: list[str]) -> list[PageReport]:
    return [page_report(page) for page in pages]


# --------------------------------------------------------------------------- per page


def test_page_loads_with_title(page: str, page_report: Any, book_server: Any) -> None:
    """The page answers 200, stays at its own URL and has a <title> naming its heading."""
    report = page_report(page)
    data = report.data
    expected = book_server.url(page)
    documents = [r for r in report.requests if urldefrag(r.get("url", ""))[0] == expected]
    assert documents, f"{page}: the browser never requested {expected}"
    assert documents[0].get("status") == 200, (
        f"{page}: {expected} answered HTTP {documents[0].get('status')} "
        f"({documents[0].get('failed', 'no error text')})"
    )
    assert _page_path(data["url"]) == page, f"{page}: the browser ended up at {data['url']}"
    assert data["title"].strip(), f"{page}: the page has an empty <title>"
    assert data["heading"], f"{page}: the page has no <h1> heading"
    assert data["heading"] in data["title"], (
        f"{page}: <title> {data['title']!r} does not contain the heading {data['heading']!r}"
    )


def test_math_is_rendered(page: str, page_report: Any) -> None:
    """MathJax typeset every ``.math`` element; no raw TeX, no MathJax errors are left."""
    data = page_report(page).data
    math = data["math"]
    assert not data["mathjaxLoadErrors"], (
        f"{page}: MathJax could not load {', '.join(data['mathjaxLoadErrors'])}"
    )
    if math["elements"]:
        assert data["mathjaxState"] == "idle", (
            f"{page}: {math['elements']} math element(s) but MathJax is not done: "
            f"{data['mathjaxState']}"
        )
        assert math["rendered"] > 0, (
            f"{page}: {math['elements']} math element(s) and no rendered MathJax output"
        )
    problems = math["problems"]
    assert not problems, f"{page}: {len(problems)} math problem(s):\n  " + "\n  ".join(
        problems[:20]
    )


def test_images_are_loaded(page: str, page_report: Any) -> None:
    """Every ``<img>`` (figures in cell outputs included) loaded with a non-zero width."""
    images = page_report(page).data["images"]
    broken = [
        f"{img['src']} (alt={img['alt']!r}, complete={img['complete']}, "
        f"naturalWidth={img['naturalWidth']})"
        for img in images
        if not img["complete"] or img["naturalWidth"] <= 0
    ]
    assert not broken, f"{page}: {len(broken)} image(s) did not load:\n  " + "\n  ".join(broken)


def test_no_error_output(page: str, page_report: Any) -> None:
    """No cell output shows a traceback, red error text or an error on stderr."""
    problems = page_report(page).data["errorOutputs"]
    assert not problems, f"{page}: {len(problems)} error output(s):\n  " + "\n  ".join(
        problems[:20]
    )


def test_no_external_or_failed_requests(page: str, page_report: Any, book_server: Any) -> None:
    """Everything the page loads comes from 127.0.0.1 and arrives (no CDN, no 404)."""
    report = page_report(page)
    base = book_server.base_url
    problems = []
    for url in report.data["resources"]:
        if not _is_local(url, base):
            problems.append(f"page references a non-local resource: {url}")
    for record in report.requests:
        url = record.get("url", "?")
        if not _is_local(url, base):
            problems.append(f"request to a non-local host: {url} ({record.get('failed', 'sent')})")
            continue
        if urlparse(url).path in IGNORED_PATHS or urlparse(url).scheme in LOCAL_SCHEMES:
            continue
        status = record.get("status")
        if status is not None and status >= 400:
            problems.append(f"HTTP {status} for {url}")
        elif record.get("failed") and not record.get("canceled"):
            problems.append(f"request failed: {url} ({record['failed']})")
    assert not problems, f"{page}: {len(problems)} network problem(s):\n  " + "\n  ".join(
        sorted(set(problems))
    )


def test_no_console_errors(page: str, page_report: Any) -> None:
    """The browser console has no SEVERE entries (JavaScript errors, failed loads)."""
    errors = [
        entry["message"]
        for entry in page_report(page).console
        if entry.get("level") == "SEVERE"
        and not any(path in entry.get("message", "") for path in IGNORED_PATHS)
        and not any(known in entry.get("message", "") for known in KNOWN_CONSOLE_ERRORS)
    ]
    assert not errors, f"{page}: {len(errors)} console error(s):\n  " + "\n  ".join(errors)


def test_prev_link_points_to_previous_page(page: str, pages: list[str], page_report: Any) -> None:
    """The "previous" link at the bottom points to the previous page in TOC order."""
    index = pages.index(page)
    prev = page_report(page).data["prev"]
    if index == 0:
        assert prev is None or _page_path(prev) not in pages, (
            f"{page}: the root page has a 'previous' link to {prev}"
        )
        return
    assert prev is not None, f"{page}: no 'previous' link (expected one to {pages[index - 1]})"
    assert _page_path(prev) == pages[index - 1], (
        f"{page}: 'previous' link points to {prev}, expected {pages[index - 1]}"
    )


def test_next_link_leads_to_next_page(page: str, pages: list[str], book_walk: BookWalk) -> None:
    """Clicking the "next" link at the bottom lands on the next page in TOC order."""
    index = pages.index(page)
    outcome = book_walk.next_links[page]
    if index == len(pages) - 1:
        href = outcome["href"]
        assert href is None or _page_path(href) not in pages, (
            f"{page}: the last page has a 'next' link to {href}"
        )
        return
    expected = pages[index + 1]
    assert outcome["href"], (
        f"{page}: no 'next' link at the bottom of the page (expected one to {expected})"
    )
    assert "error" not in outcome, (
        f"{page}: clicking the 'next' link ({outcome['href']}) failed: {outcome['error']}"
    )
    assert outcome["landed"] == expected, (
        f"{page}: the 'next' link leads to {outcome['landed']}, expected {expected}"
    )


# --------------------------------------------------------------------------- book-wide


def test_site_root_redirects_to_root_page(driver: Any, book_server: Any, pages: list[str]) -> None:
    """Opening the site root (``index.html``) lands on the book's root page."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{book_server.base_url}/")
    WebDriverWait(driver, 15).until(
        lambda d: _page_path(d.current_url) == pages[0],
        f"the site root did not redirect to {pages[0]}",
    )


def test_root_sidebar_links_resolve(driver: Any, book_server: Any, pages: list[str]) -> None:
    """Every sidebar link of the root page answers 200 and opens the page it names."""
    root_url = book_server.url(pages[0])
    driver.get(root_url)
    links = driver.execute_script(
        "return Array.from(document.querySelectorAll('nav.bd-docs-nav a.reference'))"
        ".map((a) => [a.href, a.textContent.replace(/\\s+/g, ' ').trim()]);"
    )
    assert links, f"{pages[0]}: the sidebar has no links"
    targets = {_page_path(href) for href, _ in links}
    problems = [f"no sidebar link to TOC page {p}" for p in pages if p not in targets]
    problems += [
        f"sidebar link to {p}, which is not in the TOC" for p in sorted(targets - set(pages))
    ]
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    for href, text in links:
        url = urldefrag(href)[0]
        if url == root_url:
            continue
        try:
            with opener.open(url, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        if status != 200:
            problems.append(f"sidebar link {text!r} -> {url}: HTTP {status}")
            continue
        driver.get(url)
        if _page_path(driver.current_url) != _page_path(url):
            problems.append(f"sidebar link {text!r} -> {url} landed on {driver.current_url}")
        elif text not in driver.title:
            problems.append(f"sidebar link {text!r} -> {url}: page title is {driver.title!r}")
    assert not problems, f"{pages[0]}: broken sidebar link(s):\n  " + "\n  ".join(problems)


def test_root_page_has_rendered_math(page_report: Any, pages: list[str]) -> None:
    """The root page states the result, ``p - y``, in rendered math."""
    report = page_report(pages[0])
    assert report.rendered_math > 0, (
        f"{pages[0]}: the root page has no rendered math "
        f"({report.data['math']['elements']} .math element(s), MathJax: "
        f"{report.data['mathjaxState']})"
    )


def test_book_has_math_and_figures(all_reports: list[PageReport], driver: Any) -> None:
    """The book as a whole: enough pages with rendered math and with figures.

    Also saves a screenshot of the most math-heavy page to ``SCREENSHOT`` (not asserted).
    """
    by_math = sorted(all_reports, key=lambda r: r.rendered_math, reverse=True)
    if by_math and by_math[0].rendered_math > 0:
        driver.get(by_math[0].data["url"])
        _wait_until_loaded(driver, by_math[0].page)
        _wait_for_mathjax(driver)
        driver.execute_script(
            "const m = document.querySelector('.MathJax_Display') "
            "|| document.querySelector('.MathJax');"
            "if (m) m.scrollIntoView({block: 'center'});"
        )
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOT))

    with_math = [r.page for r in all_reports if r.rendered_math > 0]
    with_figures = [
        r.page for r in all_reports if any(img["naturalWidth"] > 0 for img in r.output_images)
    ]
    assert len(with_math) >= MIN_PAGES_WITH_MATH, (
        f"only {len(with_math)} page(s) have rendered math, expected at least "
        f"{MIN_PAGES_WITH_MATH}: {with_math}"
    )
    assert len(with_figures) >= MIN_PAGES_WITH_FIGURES, (
        f"only {len(with_figures)} page(s) have a figure in a cell output, expected at least "
        f"{MIN_PAGES_WITH_FIGURES}: {with_figures}"
    )
