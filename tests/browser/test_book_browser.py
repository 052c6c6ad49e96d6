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

REPO_ROOT = Path(__file__).resolve().parents[2]

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
#: colour mode is stored yet (it then uses "auto").
KNOWN_CONSOLE_ERRORS = (
    "Identifier 'THEBE_JS_URL' has already been declared",
    "Got invalid theme mode: . Resetting to auto.",
)

#: CSS selector of MathJax 3 output (one container per formula, CHTML or SVG).
RENDERED_MATH = "mjx-container"

# One pass over the page, after MathJax's queue is idle and every <img> has settled.
# arguments: [mathjax_wait_ms, image_wait_ms, rendered_math_selector, callback]
COLLECT_JS = r"""
const [mathWaitMs, imageWaitMs, renderedSel] = arguments;
const done = arguments[arguments.length - 1];

function timeout(ms, value) { return new Promise((r) => setTimeout(() => r(value), ms)); }

// MathJax 3 reports a component it could not load by rejecting startup.promise; the network
// test sees the failed request itself.
let mathjaxFailure = null;
function mathjaxLoadErrors() {
  return mathjaxFailure ? [mathjaxFailure] : [];
}

function waitMathJax() {
  if (!document.querySelector('script[src*="mathjax/tex-chtml"]')) return Promise.resolve("not on page");
  const deadline = Date.now() + mathWaitMs;
  return new Promise((resolve) => {
    (function poll() {
      const mj = window.MathJax;
      if (mj && mj.startup && mj.startup.promise) {
        // startup.promise settles after the first typeset; later typesets chain onto it.
        mj.startup.promise
          .then(() => resolve("idle"))
          .catch((err) => {
            mathjaxFailure = String(err && err.message ? err.message : err);
            resolve("MathJax failed: " + mathjaxFailure);
          });
      } else if (Date.now() > deadline) {
        resolve("MathJax did not start within " + mathWaitMs + " ms");
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

const TEX_DELIMS = /\\\(|\\\[|\$\$|\\begin\{|\\frac\b|\\sum\b|\\partial\b|\\mathrm\b/;
const MATH_ERRORS = "mjx-merror, [data-mjx-error], .MathJax_Error";

function mathReport() {
  const problems = [];
  // Sphinx marks math with class "math"; MathJax 3 puts an <mjx-container> inside.
  const elements = Array.from(document.querySelectorAll(".math"))
    .filter((el) => !el.closest(renderedSel));
  for (const el of elements) {
    const frames = Array.from(el.querySelectorAll(renderedSel));
    if (frames.length === 0) {
      problems.push("not typeset: " + snippet(el.textContent));
      continue;
    }
    for (const frame of frames) {
      if (frame.getBoundingClientRect().width === 0 && frame.offsetParent !== null) {
        problems.push("rendered with zero width: " + snippet(el.textContent));
      }
    }
    const leftover = proseText(el);
    if (TEX_DELIMS.test(leftover)) problems.push("TeX source left in the page: " + snippet(leftover));
  }
  for (const err of document.querySelectorAll(MATH_ERRORS)) {
    problems.push("MathJax error: " + snippet(err.getAttribute("data-mjx-error") || err.textContent));
  }
  // The noundefined extension draws an undefined macro as red text instead of failing.
  for (const frame of document.querySelectorAll(renderedSel)) {
    for (const span of frame.querySelectorAll("[style*='color']")) {
      const color = span.style.color.replace(/\s/g, "");
      if ((color === "red" || color === "rgb(255,0,0)")) {
        problems.push("undefined TeX macro: " + snippet(span.textContent));
      }
    }
  }
  const article = document.querySelector("article") || document.body;
  const prose = proseText(article);
  const stray = prose.match(/(\\\(|\\\[|\$\$|\\frac\b|\\begin\{|\\sum\b|\\partial\b)[^]{0,60}/);
  if (stray && !elements.some((el) => TEX_DELIMS.test(proseText(el)))) {
    problems.push("raw TeX left in the text: " + snippet(stray[0]));
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


#: Viewport widths of the two readings of the book: a desktop window and a phone.
WIDE = 1300
NARROW = 400
VIEWPORT_HEIGHT = 1000

#: axe-core from npm (``npm ci`` at the repository root); its WCAG 2.1 A and AA rules run.
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

#: An alt text says what a figure shows: at least this many characters, and not a file name.
MIN_ALT_CHARS = 25

#: The interactive figures the book must have (book/_ext/ce_interactive.py): at least this many.
MIN_INTERACTIVE_FIGURES = 3

# Layout pass. arguments: [wide]. Returns what is clipped or wider than its column, images
# without a useful alt text, and figures without a caption. "Clipped": an element of the article
# whose content is wider than its box (scrollWidth > clientWidth) although it is not a scroll
# container (overflow-x auto/scroll). At the wide width, code blocks and display equations must
# fit their column outright, scroll bar or not.
LAYOUT_JS = r"""
const wide = arguments[0];
const article = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
const visible = (el) => el.offsetParent !== null || getComputedStyle(el).position === "fixed";
const describe = (el) => {
  let s = el.tagName.toLowerCase();
  if (el.id) s += "#" + el.id;
  if (el.classList.length) s += "." + Array.from(el.classList).slice(0, 3).join(".");
  const text = (el.textContent || "").replace(/\s+/g, " ").trim();
  return s + ' "' + Array.from(text).slice(0, 60).join("") + '"';
};
const scrolls = (el) => /(auto|scroll)/.test(getComputedStyle(el).overflowX);
const clipped = [];
for (const el of article.querySelectorAll("*")) {
  // Inside a formula MathJax's own boxes overhang by design (overflow visible); whether a
  // formula fits is judged on its paragraph, and display formulas below.
  if (!visible(el) || el.closest(".ce-plot, mjx-container")) continue;
  const style = getComputedStyle(el);
  if (style.display.startsWith("inline") && style.display !== "inline-block") continue;
  if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && !scrolls(el)) {
    clipped.push(describe(el) + ": content " + el.scrollWidth + " px in a " + el.clientWidth + " px box");
  }
}
const doc = document.documentElement;
if (doc.scrollWidth > window.innerWidth + 1) {
  clipped.push("the page scrolls sideways: " + doc.scrollWidth + " px wide in a " + window.innerWidth + " px window");
}
const tooWide = [];
if (wide) {
  const column = article.clientWidth;
  for (const el of article.querySelectorAll("div.highlight pre, div.cell_output pre, mjx-container[display='true']")) {
    if (!visible(el)) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      tooWide.push(describe(el) + ": " + el.scrollWidth + " px of content in " + el.clientWidth + " px (column " + column + " px)");
    }
  }
}
const badAlt = [];
for (const img of article.querySelectorAll("img")) {
  const alt = (img.getAttribute("alt") || "").trim();
  const file = (img.getAttribute("src") || "").split("/").pop();
  if (alt.length < arguments[1] || alt === file || /^[0-9a-f]{16,}/.test(alt) || /\.(png|svg|jpe?g)$/i.test(alt)) {
    badAlt.push(file + ": alt=" + JSON.stringify(alt));
  }
}
const uncaptioned = [];
for (const el of article.querySelectorAll(".cell_output img, .ce-interactive")) {
  const fig = el.closest("figure");
  const caption = fig && fig.querySelector("figcaption");
  const text = caption ? caption.textContent.replace(/\s+/g, " ").trim() : "";
  if (!/^Figure \d+(\.\d+)?/.test(text)) {
    uncaptioned.push(describe(el) + (caption ? ": caption without a number: " + JSON.stringify(text.slice(0, 60)) : ": no <figure> with a <figcaption>"));
  }
}
// Matplotlib figures: shown at this fraction of their drawn size (legend text is 11 pt at
// 100 dpi, 15.3 px, in book/matplotlibrc; 10 px on screen needs a scale of at least 0.655).
const scales = [];
for (const img of article.querySelectorAll(".cell_output img")) {
  if (img.naturalWidth > 0 && visible(img)) scales.push([img.getAttribute("src").split("/").pop(), img.clientWidth / img.naturalWidth]);
}
return {clipped, tooWide, badAlt, uncaptioned, scales, column: article.clientWidth,
        interactive: document.querySelectorAll(".ce-interactive").length,
        interactiveState: document.documentElement.dataset.ceInteractive || null};
"""

# Move every control of every interactive figure and report whether the figure changed.
# Returns one record per figure: its id, and per control whether the frame and the drawn data
# changed. arguments: [callback]
INTERACT_JS = r"""
const done = arguments[arguments.length - 1];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitRendered(root, before) {
  for (let i = 0; i < 100; i++) {
    if (Number(root.dataset.rendered || 0) > before) return true;
    await sleep(50);
  }
  return false;
}
const drawn = (root) => {
  const gd = root.querySelector(".ce-plot");
  return JSON.stringify((gd.data || []).map((tr) => [tr.x, tr.y, tr.z]));
};
(async () => {
  const out = [];
  for (const root of document.querySelectorAll(".ce-interactive")) {
    const record = {id: root.id, ready: Number(root.dataset.rendered || 0) > 0, controls: []};
    const seen = new Set();
    for (const input of root.querySelectorAll("[data-control]")) {
      const name = input.dataset.control;
      if (seen.has(name)) continue;
      seen.add(name);
      const beforeFrame = root.dataset.frame;
      const beforeData = drawn(root);
      const beforeCount = Number(root.dataset.rendered || 0);
      if (input.type === "range") {
        input.value = String(Number(input.value) === Number(input.min) ? input.max : input.min);
        input.dispatchEvent(new Event("input", {bubbles: true}));
      } else {
        const other = Array.from(root.querySelectorAll(`[data-control="${name}"]`)).find((r) => !r.checked);
        other.click();
      }
      const redrawn = await waitRendered(root, beforeCount);
      record.controls.push({name, redrawn, frameChanged: root.dataset.frame !== beforeFrame,
                            dataChanged: drawn(root) !== beforeData,
                            status: (root.querySelector(".ce-frame-caption") || {}).textContent || ""});
    }
    out.push(record);
  }
  done(out);
})().catch((e) => done({error: String(e)}));
"""


def _set_viewport(driver: Any, width: int) -> None:
    """Make the page's layout viewport exactly ``width`` CSS pixels wide."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": VIEWPORT_HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )


def _wait_for_interactive(driver: Any) -> None:
    """Wait until the page's interactive figures are drawn (no-op on pages without one)."""
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "const t0 = Date.now();"
        "(function poll() {"
        "  const n = document.querySelectorAll('.ce-interactive').length;"
        "  const state = document.documentElement.dataset.ceInteractive;"
        "  if (!n || state || Date.now() - t0 > 20000) done(); else setTimeout(poll, 50);"
        "})();"
    )


def _run_axe(driver: Any) -> dict[str, Any]:
    """Run axe-core's WCAG 2.1 A/AA rules on the current page."""
    if not AXE_JS.is_file():
        return {"error": f"{AXE_JS} is missing: run `npm ci` at the repository root"}
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then((r) => done({violations: r.violations.map((v) => ({id: v.id, impact: v.impact,"
        " help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' | '"
        " + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200)),"
        " count: v.nodes.length}))}))"
        ".catch((e) => done({error: String(e)}));",
        list(AXE_TAGS),
    )
    return result


@dataclass
class PageReport:
    """What one page shows in the browser, plus the network and console activity it caused."""

    page: str
    data: dict[str, Any]
    requests: list[dict[str, Any]] = field(default_factory=list)
    console: list[dict[str, Any]] = field(default_factory=list)
    #: LAYOUT_JS's record (clipping, alt text, captions), at the width of the walk.
    layout: dict[str, Any] = field(default_factory=dict)
    #: axe-core's violations (WCAG 2.1 A/AA), or {"error": ...} when axe could not run.
    axe: dict[str, Any] = field(default_factory=dict)

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
        "setTimeout(done, 20000);"
        "(function poll() {"
        "  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {"
        "    MathJax.startup.promise.then(() => done(), () => done());"
        "  } else { setTimeout(poll, 50); }"
        "})();"
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


def _collect(driver: Any, page: str, width: int = WIDE) -> PageReport:
    """Report on the page the browser shows now; the logs hold what happened since the last call.

    Besides ``COLLECT_JS`` this runs ``LAYOUT_JS`` (clipping, alt text, captions; code and
    display math must fit their column when ``width`` is ``WIDE``) and axe-core.
    """
    from selenium.common.exceptions import WebDriverException

    layout: dict[str, Any] = {}
    axe: dict[str, Any] = {}
    try:
        _wait_until_loaded(driver, page)
        data = driver.execute_async_script(
            COLLECT_JS, MATHJAX_WAIT_MS, IMAGE_WAIT_MS, RENDERED_MATH
        )
        _wait_for_interactive(driver)
        layout = driver.execute_script(LAYOUT_JS, width >= WIDE, MIN_ALT_CHARS)
        axe = _run_axe(driver)
    except WebDriverException as exc:
        data = {"scriptError": f"{type(exc).__name__}: {exc.msg}"}
    return PageReport(
        page=page,
        data=data,
        requests=_network_events(driver.get_log("performance")),
        console=driver.get_log("browser"),
        layout=layout,
        axe=axe,
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
    _set_viewport(driver, WIDE)
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
            "const m = document.querySelector('mjx-container[display=\"true\"]') "
            "|| document.querySelector('mjx-container');"
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


# --------------------------------------------------------------------------- layout, a11y, figures


@pytest.fixture(scope="session")
def narrow_reports(driver: Any, book_server: Any, pages: list[str], book_walk: BookWalk):
    """Every page opened again at phone width (``NARROW``), after the wide walk."""
    reports: dict[str, PageReport] = {}
    _set_viewport(driver, NARROW)
    try:
        driver.get_log("performance")
        driver.get_log("browser")
        for page in pages:
            driver.get(book_server.url(page))
            reports[page] = _collect(driver, page, width=NARROW)
    finally:
        _set_viewport(driver, WIDE)
    return reports


def _report_at(width: int, page: str, page_report: Any, request: Any) -> PageReport:
    if width == WIDE:
        return page_report(page)
    report = request.getfixturevalue("narrow_reports")[page]
    assert "scriptError" not in report.data, (
        f"{page} at {width} px: could not inspect the page: {report.data['scriptError']}"
    )
    return report


@pytest.mark.parametrize("width", [WIDE, NARROW], ids=[f"{WIDE}px", f"{NARROW}px"])
def test_nothing_clipped(page: str, width: int, page_report: Any, request: Any) -> None:
    """Nothing is cut or pushed out of its column; at 1300 px code and equations fit outright.

    A wide display equation may scroll inside its own box at phone width, never be cut.
    """
    layout = _report_at(width, page, page_report, request).layout
    problems = [f"clipped or overflowing: {c}" for c in layout["clipped"]]
    problems += [f"wider than the column: {c}" for c in layout["tooWide"]]
    assert not problems, f"{page} at {width} px: {len(problems)} problem(s):\n  " + "\n  ".join(
        problems[:25]
    )


@pytest.mark.parametrize("width", [WIDE, NARROW], ids=[f"{WIDE}px", f"{NARROW}px"])
def test_axe_reports_no_violations(page: str, width: int, page_report: Any, request: Any) -> None:
    """axe-core (WCAG 2.1 A and AA rules) finds no violation on the page."""
    axe = _report_at(width, page, page_report, request).axe
    if "error" in axe:
        if os.environ.get("CE_REQUIRE_BROWSER", "") not in ("", "0") or AXE_JS.is_file():
            pytest.fail(f"{page}: axe-core could not run: {axe['error']}")
        pytest.skip(axe["error"])
    lines = [
        f"{v['id']} ({v['impact']}, {v['count']} node(s)): {v['help']}\n      "
        + "\n      ".join(v["nodes"])
        for v in axe["violations"]
    ]
    assert not lines, f"{page} at {width} px: {len(lines)} axe violation(s):\n  " + "\n  ".join(
        lines
    )


def test_math_is_rendered_at_phone_width(page: str, request: Any) -> None:
    """At 400 px MathJax still typesets everything and no raw TeX is left."""
    data = _report_at(NARROW, page, None, request).data
    assert not data["math"]["problems"], f"{page} at {NARROW} px:\n  " + "\n  ".join(
        data["math"]["problems"][:20]
    )


def test_images_have_alt_text(page: str, page_report: Any) -> None:
    """Every image in the article has an alt text that describes it (not a hashed file name)."""
    bad = page_report(page).layout["badAlt"]
    assert not bad, f"{page}: {len(bad)} image(s) without a useful alt text:\n  " + "\n  ".join(bad)


def test_figures_have_numbered_captions(page: str, page_report: Any) -> None:
    """Every figure (cell output image, interactive figure) has a caption "Figure N.k ..."."""
    bad = page_report(page).layout["uncaptioned"]
    assert not bad, f"{page}: {len(bad)} figure(s) without a numbered caption:\n  " + "\n  ".join(
        bad
    )


def test_figure_text_is_large_enough(page: str, page_report: Any) -> None:
    """Matplotlib figures are not shrunk so much that 11 pt legends fall below 10 px at 1300 px."""
    small = [
        f"{name}: shown at {scale:.2f} of its size"
        for name, scale in page_report(page).layout["scales"]
        if scale < 10 / (11 * 100 / 72)
    ]
    assert not small, f"{page}: legend text below 10 px in:\n  " + "\n  ".join(small)


def test_interactive_figures_respond(
    all_reports: list[PageReport], driver: Any, book_server: Any
) -> None:
    """The interactive figures draw, and moving any of their controls redraws different data."""
    pages = [r.page for r in all_reports if r.layout.get("interactive")]
    total = sum(r.layout["interactive"] for r in all_reports)
    assert total >= MIN_INTERACTIVE_FIGURES, (
        f"only {total} interactive figure(s) in the book, expected at least "
        f"{MIN_INTERACTIVE_FIGURES}: {pages}"
    )
    problems = []
    for page in pages:
        driver.get(book_server.url(page))
        _wait_until_loaded(driver, page)
        _wait_for_interactive(driver)
        problems += _interaction_problems(driver, page)
    assert not problems, "\n  ".join(["interactive figures:", *problems])


def _interaction_problems(driver: Any, where: str) -> list[str]:
    state = driver.execute_script("return document.documentElement.dataset.ceInteractive || null")
    if state != "ready":
        return [f"{where}: interactive figures not ready (state {state!r})"]
    records = driver.execute_async_script(INTERACT_JS)
    if isinstance(records, dict):
        return [f"{where}: {records.get('error')}"]
    problems = []
    for record in records:
        if not record["ready"]:
            problems.append(f"{where} {record['id']}: never drawn")
        if not record["controls"]:
            problems.append(f"{where} {record['id']}: has no control")
        for control in record["controls"]:
            if not (control["redrawn"] and control["frameChanged"] and control["dataChanged"]):
                problems.append(
                    f"{where} {record['id']}: moving {control['name']!r} gave {control}"
                )
    return problems


def test_interactive_figures_work_from_file_urls(
    all_reports: list[PageReport], driver: Any, book_server: Any
) -> None:
    """Opened as a local file (no server, no network), the interactive pages still work."""
    pages = [r.page for r in all_reports if r.layout.get("interactive")]
    assert pages, "no page with an interactive figure"
    problems = []
    driver.get_log("performance")
    for page in pages:
        url = (book_server.root / f"{page}.html").as_uri()
        driver.get(url)
        _wait_until_loaded(driver, page)
        _wait_for_mathjax(driver)
        _wait_for_interactive(driver)
        problems += _interaction_problems(driver, url)
        typeset = driver.execute_script("return document.querySelectorAll('mjx-container').length")
        if not typeset:
            problems.append(f"{url}: no typeset math from file://")
    for record in _network_events(driver.get_log("performance")):
        scheme = urlparse(record.get("url", "")).scheme
        if scheme not in {"file", *LOCAL_SCHEMES}:
            problems.append(f"request to {record.get('url')} from a file:// page")
        elif record.get("failed") and not record.get("canceled"):
            problems.append(f"failed to load {record.get('url')}: {record['failed']}")
    assert not problems, "\n  ".join(["from file://:", *problems])


def test_chapters_offer_their_notebook(pages: list[str], book_server: Any) -> None:
    """Every page with code offers an .ipynb download that is a notebook without build cells."""
    import nbformat

    checked = 0
    for page in pages:
        source = REPO_ROOT / f"{page}.md"
        if not source.is_file() or not _has_reader_code(source):
            continue
        html_text = (book_server.root / f"{page}.html").read_text(encoding="utf-8")
        name = f"{page.split('/')[-1]}.ipynb"
        assert f"_sources/{page}.ipynb" in html_text or name in html_text, (
            f"{page}: the download menu has no .ipynb link"
        )
        notebook = book_server.root / "_sources" / f"{page}.ipynb"
        assert notebook.is_file(), f"{page}: {notebook} was not written"
        nb = nbformat.read(notebook, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code, f"{page}: the downloadable notebook has no code cell"
        assert not any("myst_nb" in c.source or "glue(" in c.source for c in code), (
            f"{page}: the downloadable notebook still contains build-only cells"
        )
        checked += 1
    assert checked >= 9, f"only {checked} page(s) with code offer a notebook"


def _has_reader_code(source: Path) -> bool:
    """Whether a MyST page has a code cell that is not build-only (``remove-cell``)."""
    import jupytext

    if "```{code-cell}" not in source.read_text(encoding="utf-8"):
        return False
    nb = jupytext.read(source)
    return any(
        cell.cell_type == "code" and "remove-cell" not in cell.get("metadata", {}).get("tags", [])
        for cell in nb.cells
    )
