// Interactive figures of the ce-course book (see book/_ext/ce_interactive.py).
// Each .ce-interactive element carries its Plotly layout, its controls and every frame as JSON;
// this script loads the local copy of plotly.js (never a CDN) only on pages that have such a
// figure, draws the selected frame, and redraws when a control moves. No kernel, no network.
(function () {
  "use strict";
  const here = document.currentScript ? document.currentScript.src : "";
  const plotlySrc = here.replace(/ce_interactive\.js(\?.*)?$/, "plotly/plotly.min.js");

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = plotlySrc;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => reject(new Error("could not load " + plotlySrc));
      document.head.appendChild(script);
    });
  }

  function frameIndex(spec, positions) {
    let index = 0;
    spec.controls.forEach((control, k) => {
      index = index * control.values.length + positions[k];
    });
    return index;
  }

  function setup(root, Plotly) {
    const spec = JSON.parse(root.querySelector("script.ce-data").textContent);
    const plot = root.querySelector(".ce-plot");
    const status = root.querySelector(".ce-frame-caption");
    const positions = spec.controls.map((c) => c.initial);
    const config = { displayModeBar: false, responsive: true, staticPlot: false };

    function draw() {
      const frame = spec.frames[frameIndex(spec, positions)];
      const layout = Object.assign({}, spec.layout, frame.layout || {});
      if (root.clientWidth < 560 && layout.height) layout.height = Math.round(layout.height * 0.85);
      root.dataset.frame = String(frameIndex(spec, positions));
      if (status) status.textContent = frame.caption || "";
      return Plotly.react(plot, frame.data, layout, config).then(() => {
        root.dataset.rendered = String(Number(root.dataset.rendered || 0) + 1);
      });
    }

    spec.controls.forEach((control, k) => {
      root.querySelectorAll(`[data-control="${control.name}"]`).forEach((input) => {
        const update = () => {
          if (input.type === "radio" && !input.checked) return;
          positions[k] = Number(input.value);
          const out = root.querySelector(`#${CSS.escape(input.id)}-value`);
          if (out) out.textContent = control.values[positions[k]];
          draw();
        };
        input.addEventListener("input", update);
        input.addEventListener("change", update);
      });
    });
    root.ceRedraw = draw;
    return draw();
  }

  function init() {
    const roots = Array.from(document.querySelectorAll(".ce-interactive"));
    if (!roots.length) return;
    loadPlotly()
      .then((Plotly) => Promise.all(roots.map((root) => setup(root, Plotly))))
      .then(() => {
        document.documentElement.dataset.ceInteractive = "ready";
      })
      .catch((err) => {
        document.documentElement.dataset.ceInteractive = "error: " + err.message;
        console.error(err);
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
