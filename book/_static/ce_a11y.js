// Accessible names that contain the visible text (WCAG 2.5.3 "Label in Name", axe-core's
// label-content-name-mismatch). The theme gives some controls an aria-label that differs from
// what they show: the search button ("Search" while it shows "Search Ctrl+K"), the colour-mode
// button, and the "Show code cell source" toggles of hidden inputs. Where an element shows text,
// its name now comes from that text; the old label stays available as a tooltip (title).
(function () {
  "use strict";
  const SELECTOR = "button[aria-label], summary[aria-label], a[aria-label], [role='button'][aria-label]";

  function visibleText(el) {
    return (el.innerText || "").replace(/\s+/g, " ").trim();
  }

  function fix(el) {
    const label = el.getAttribute("aria-label") || "";
    const text = visibleText(el);
    if (!text || label.toLowerCase().includes(text.toLowerCase())) return;
    if (!el.hasAttribute("title") && label) el.setAttribute("title", label);
    el.removeAttribute("aria-label");
  }

  // The colour-mode button shows only an icon whose <title> ("Light", "Dark", ...) is its
  // visible text; the titles now say what the button is, and they name it.
  function fixThemeSwitch() {
    document.querySelectorAll(".theme-switch-button").forEach((button) => {
      button.querySelectorAll("svg title").forEach((title) => {
        if (title.dataset.ceFixed) return;
        title.textContent = "Color mode: " + title.textContent.toLowerCase();
        title.dataset.ceFixed = "1";
      });
      if (button.querySelector("svg title")) button.removeAttribute("aria-label");
    });
  }

  function fixAll(root) {
    (root || document).querySelectorAll(SELECTOR).forEach(fix);
    fixThemeSwitch();
  }

  function start() {
    fixAll(document);
    // Scripts of the theme set labels again when the colour mode or a toggle changes.
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === "attributes" && r.target.matches && r.target.matches(SELECTOR)) fix(r.target);
        if (r.type === "childList") r.addedNodes.forEach((n) => n.querySelectorAll && fixAll(n));
      }
      fixThemeSwitch();
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"] });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
