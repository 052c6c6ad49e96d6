"""Interactive figures of the book: every number computed by ``ce_course`` at build time.

Each builder returns an :class:`InteractiveFigure`, whose HTML holds a Plotly figure (as JSON),
native HTML controls (a range slider, radio buttons) and every frame the controls can select,
precomputed. ``book/_static/ce_interactive.js`` draws the figure with the local
``_static/plotly/plotly.min.js`` (copied there by the ``ce_book`` extension) and swaps frames when
a control moves: no kernel, no network, works from ``file://``.

The chapters call these from build-only cells (tagged ``remove-cell``) and paste the result with
``{glue:figure}``, so that the figure gets a number and a caption; readers never need Plotly.
"""

from __future__ import annotations

import html
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ce_course import TwoLayerNet, cross_entropy, cross_entropy_grad, softmax
from ce_course.data import make_spiral

__all__ = [
    "InteractiveFigure",
    "decision_boundary_figure",
    "logit_gradient_figure",
    "temperature_figure",
]

#: Colours of classes 1, 2, 3, ... (matplotlib's default cycle, as in the static figures).
CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 14}


@dataclass
class InteractiveFigure:
    """A Plotly figure with controls and precomputed frames, rendered as self-contained HTML.

    Parameters
    ----------
    key : str
        Identifier, unique on its page (used for element ids).
    description : str
        What the figure shows, for screen readers (``aria-label`` of the plot).
    layout : dict
        Plotly layout shared by every frame.
    controls : list of dict
        Each ``{"name", "label", "kind": "range" | "radio", "values": [str, ...],
        "initial": int}``; frames are indexed by the controls' positions, row-major.
    frames : list of dict
        One ``{"data": [traces], "layout": {...}, "caption": str}`` per combination of
        control positions; ``layout`` entries override the shared layout.
    """

    key: str
    description: str
    layout: dict[str, Any]
    controls: list[dict[str, Any]]
    frames: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        expected = int(np.prod([len(c["values"]) for c in self.controls]))
        if len(self.frames) != expected:
            raise ValueError(
                f"InteractiveFigure: {len(self.frames)} frames for controls with "
                f"{expected} combinations (key={self.key!r})"
            )

    def to_html(self) -> str:
        """The figure's HTML: controls, an empty plot div and the frames as JSON."""
        fid = f"ce-fig-{self.key}"
        parts = [f'<div class="ce-interactive" id="{fid}">', '<div class="ce-controls">']
        for control in self.controls:
            cid = f"{fid}-{control['name']}"
            initial = control["initial"]
            if control["kind"] == "range":
                parts.append(
                    f'<label for="{cid}">{html.escape(control["label"])}</label> '
                    f'<input type="range" id="{cid}" data-control="{control["name"]}" '
                    f'min="0" max="{len(control["values"]) - 1}" step="1" value="{initial}"> '
                    f'<output for="{cid}" id="{cid}-value">'
                    f"{html.escape(control['values'][initial])}</output>"
                )
            else:
                parts.append(f"<fieldset><legend>{html.escape(control['label'])}</legend>")
                for i, value in enumerate(control["values"]):
                    checked = " checked" if i == initial else ""
                    parts.append(
                        f'<label><input type="radio" name="{cid}" value="{i}" '
                        f'data-control="{control["name"]}"{checked}> '
                        f"{html.escape(value)}</label>"
                    )
                parts.append("</fieldset>")
        parts.append("</div>")
        parts.append(
            f'<div class="ce-plot" id="{fid}-plot" role="img" '
            f'aria-label="{html.escape(self.description)}"></div>'
        )
        parts.append(f'<p class="ce-frame-caption" id="{fid}-status" aria-live="polite"></p>')
        payload = {"layout": self.layout, "controls": self.controls, "frames": self.frames}
        # "</" cannot end the script element early once escaped.
        data = json.dumps(_plain(payload), separators=(",", ":")).replace("</", "<\\/")
        parts.append(f'<script type="application/json" class="ce-data">{data}</script>')
        parts.append("</div>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()


def _plain(value: Any) -> Any:
    """NumPy scalars and arrays as JSON-ready Python values, rounded to 6 significant digits."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (np.floating, float)):
        return float(f"{float(value):.6g}")
    if isinstance(value, np.integer):
        return int(value)
    return value


def _base_layout(**extra: Any) -> dict[str, Any]:
    layout = {
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 55},
        "height": 380,
        "showlegend": False,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
    }
    layout.update(extra)
    return layout


def temperature_figure(
    logits: Any = (2.0, 1.0, 0.1, -1.0), *, temperatures: Any = None
) -> InteractiveFigure:
    """Softmax of fixed logits, one frame per temperature (a slider).

    Parameters
    ----------
    logits : array_like, shape (C,)
        The logits ``z``.
    temperatures : array_like, optional
        Temperatures of the slider; 33 values from 0.1 to 10 (log spaced) by default.

    Returns
    -------
    InteractiveFigure
        Bars of ``softmax(z, temperature=T)`` with the uniform ``1/C`` as a dashed line.
    """
    z = np.asarray(logits, dtype=float)
    temps = np.geomspace(0.1, 10.0, 33) if temperatures is None else np.asarray(temperatures)
    labels = [f"class {k}<br>z = {v:g}" for k, v in enumerate(z)]
    frames = []
    for T in temps:
        p = softmax(z, temperature=float(T))
        frames.append(
            {
                "data": [
                    {
                        "type": "bar",
                        "x": labels,
                        "y": p,
                        "text": [f"{v:.3f}" for v in p],
                        "textposition": "outside",
                        "marker": {"color": list(CLASS_COLORS[: len(z)])},
                        "hovertemplate": "%{x}: p = %{y:.4f}<extra></extra>",
                    }
                ],
                "layout": {"title": {"text": f"softmax(z, temperature={T:.3g})"}},
                "caption": f"T = {T:.3g}: probabilities " + ", ".join(f"{v:.3f}" for v in p),
            }
        )
    uniform = 1.0 / len(z)
    layout = _base_layout(
        yaxis={"title": {"text": "probability"}, "range": [0, 1.12], "gridcolor": "#ddd"},
        shapes=[
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": uniform,
                "y1": uniform,
                "line": {"dash": "dash", "color": "#444", "width": 1},
            }
        ],
    )
    initial = int(np.argmin(np.abs(np.log(temps))))  # T = 1
    controls = [
        {
            "name": "T",
            "label": "Temperature T",
            "kind": "range",
            "values": [f"{T:.3g}" for T in temps],
            "initial": initial,
        }
    ]
    return InteractiveFigure(
        "temperature",
        "Bar chart of the softmax probabilities of four logits; the slider sets the "
        "temperature, and the bars sharpen towards class 1 as it falls and flatten towards "
        "the dashed uniform line as it rises.",
        layout,
        controls,
        frames,
    )


def logit_gradient_figure(
    logits: Any = (2.0, 1.0, 0.1), *, moved: int = 0, values: Any = None
) -> InteractiveFigure:
    """Logits to probabilities to loss and gradient, for a chosen true class.

    One control moves logit ``moved`` over ``values``; another chooses the true class. Each
    frame shows the logits, ``softmax(z)``, the gradient ``cross_entropy_grad(z, y)`` (which is
    ``p - onehot(y)``) as bars, and the loss ``cross_entropy(z, y)`` as a curve over the moved
    logit with the current point marked.

    Parameters
    ----------
    logits : array_like, shape (C,)
        Starting logits; entry ``moved`` is replaced by each of ``values``.
    moved : int
        Index of the logit the slider moves.
    values : array_like, optional
        Values of the moved logit; 41 values from -4 to 6 by default.

    Returns
    -------
    InteractiveFigure
    """
    z0 = np.asarray(logits, dtype=float)
    C = z0.size
    grid = np.linspace(-4.0, 6.0, 41) if values is None else np.asarray(values, dtype=float)
    names = [f"z{k}" for k in range(C)]
    classes = [f"class {k}" for k in range(C)]
    loss_curves = []
    for y in range(C):
        curve = []
        for v in grid:
            z = z0.copy()
            z[moved] = v
            curve.append(float(cross_entropy(z, y)))
        loss_curves.append(curve)
    frames = []
    for y, v in itertools.product(range(C), grid):
        z = z0.copy()
        z[moved] = v
        p = softmax(z)
        g = cross_entropy_grad(z, y)
        loss = float(cross_entropy(z, y))
        colors = [CLASS_COLORS[k] for k in range(C)]
        frames.append(
            {
                "data": [
                    _bar(names, z, colors, "x", "y", "z = %{y:.2f}"),
                    _bar(classes, p, colors, "x2", "y2", "p = %{y:.4f}"),
                    _bar(classes, g, colors, "x3", "y3", "dL/dz = %{y:.4f}"),
                    {
                        "type": "scatter",
                        "x": grid,
                        "y": loss_curves[y],
                        "mode": "lines",
                        "line": {"color": "#444"},
                        "xaxis": "x4",
                        "yaxis": "y4",
                        "hoverinfo": "skip",
                    },
                    {
                        "type": "scatter",
                        "x": [v],
                        "y": [loss],
                        "mode": "markers",
                        "marker": {"size": 11, "color": "#d62728"},
                        "xaxis": "x4",
                        "yaxis": "y4",
                        "hovertemplate": "L = %{y:.4f}<extra></extra>",
                    },
                ],
                "layout": {
                    "title": {"text": f"true class {y}, z{moved} = {v:.2f}: loss L = {loss:.3f}"}
                },
                "caption": f"True class {y}, logits "
                + ", ".join(f"{t:.2f}" for t in z)
                + ": probabilities "
                + ", ".join(f"{t:.3f}" for t in p)
                + f", loss {loss:.3f}, gradient "
                + ", ".join(f"{t:.3f}" for t in g),
            }
        )
    axis = {"gridcolor": "#ddd", "zerolinecolor": "#888"}
    layout = _base_layout(
        height=460,
        margin={"l": 40, "r": 10, "t": 90, "b": 50},
        grid={"rows": 1, "columns": 4, "pattern": "independent"},
        xaxis={"domain": [0.0, 0.21]},
        xaxis2={"domain": [0.27, 0.48]},
        xaxis3={"domain": [0.54, 0.75]},
        xaxis4={"domain": [0.81, 1.0], "title": {"text": f"z{moved}"}, **axis},
        yaxis={"range": [-4.5, 6.5], **axis},
        yaxis2={"range": [0, 1.05], **axis},
        yaxis3={"range": [-1.05, 1.05], **axis},
        yaxis4={"rangemode": "tozero", **axis},
        annotations=[
            _panel_title("logits z", 0.105),
            _panel_title("softmax p", 0.375),
            _panel_title("gradient p − y", 0.645),
            _panel_title(f"loss L against z{moved}", 0.905),
        ],
    )
    start = int(np.argmin(np.abs(grid - z0[moved])))
    controls = [
        {
            "name": "y",
            "label": "True class",
            "kind": "radio",
            "values": classes,
            "initial": 0,
        },
        {
            "name": "z",
            "label": f"Logit z{moved}",
            "kind": "range",
            "values": [f"{v:.2f}" for v in grid],
            "initial": start,
        },
    ]
    return InteractiveFigure(
        "logit-gradient",
        f"Four panels: bars of the {C} logits, of their softmax probabilities and of the "
        "gradient p minus y, and the loss as a function of the moved logit with the current "
        "value marked. The slider moves one logit; the radio buttons choose the true class.",
        layout,
        controls,
        frames,
    )


def _bar(x: list[str], y: Any, colors: list[str], xa: str, ya: str, hover: str) -> dict:
    return {
        "type": "bar",
        "x": x,
        "y": y,
        "marker": {"color": colors},
        "xaxis": xa,
        "yaxis": ya,
        "text": [f"{v:.2f}" for v in y],
        "textposition": "outside",
        "cliponaxis": False,
        "hovertemplate": f"%{{x}}: {hover}<extra></extra>",
    }


def _panel_title(text: str, x: float) -> dict[str, Any]:
    return {
        "text": f"<b>{text}</b>",
        "x": x,
        "y": 1.02,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "center",
        "yanchor": "bottom",
        "showarrow": False,
    }


def decision_boundary_figure(
    *,
    hidden_size: int = 100,
    checkpoints: Any = (0, 10, 25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000),
    resolution: int = 80,
    learning_rate: float = 1.0,
    reg: float = 1e-4,
) -> InteractiveFigure:
    """Decision regions of ``TwoLayerNet`` on the spiral, one frame per training checkpoint.

    The network of chapter 9 (``TwoLayerNet(2, hidden_size, 3, std=1e-2, seed=0)``, full-batch
    gradient descent) is trained once; after each number of iterations in ``checkpoints`` its
    predictions on a ``resolution`` x ``resolution`` grid are stored.

    Returns
    -------
    InteractiveFigure
        A heat map of the predicted class under the training points, and the accuracy and
        loss of each checkpoint in its title.
    """
    X, y = make_spiral()
    C = int(y.max()) + 1
    net = TwoLayerNet(2, hidden_size, C, std=1e-2, seed=0)
    grid = np.linspace(-1.1, 1.1, resolution)
    gx, gy = np.meshgrid(grid, grid)
    points = np.c_[gx.ravel(), gy.ravel()]
    done = 0
    frames = []
    for stop in checkpoints:
        if stop > done:
            net.train(
                X,
                y,
                learning_rate=learning_rate,
                learning_rate_decay=1.0,
                reg=reg,
                num_iters=stop - done,
                batch_size=None,
            )
            done = stop
        loss, _ = net.loss(X, y, reg)
        accuracy = float(np.mean(net.predict(X) == y))
        regions = net.predict(points).reshape(gx.shape)
        scale = [[k / (C - 1), CLASS_COLORS[k]] for k in range(C)]
        traces = [
            {
                "type": "heatmap",
                "x": grid,
                "y": grid,
                "z": regions,
                "zmin": 0,
                "zmax": C - 1,
                "colorscale": _stepped(scale),
                "opacity": 0.35,
                "showscale": False,
                "hoverinfo": "skip",
            }
        ]
        for k in range(C):
            traces.append(
                {
                    "type": "scatter",
                    "x": X[y == k, 0],
                    "y": X[y == k, 1],
                    "mode": "markers",
                    "name": f"class {k}",
                    "marker": {
                        "color": CLASS_COLORS[k],
                        "size": 6,
                        "line": {"color": "black", "width": 0.5},
                    },
                    "hoverinfo": "skip",
                }
            )
        frames.append(
            {
                "data": traces,
                "layout": {
                    "title": {
                        "text": f"after {stop} iterations: loss {float(loss):.3f}, "
                        f"accuracy {accuracy:.0%}"
                    }
                },
                "caption": f"After {stop} iterations the loss is {float(loss):.3f} and "
                f"{accuracy:.0%} of the training points are classified correctly.",
            }
        )
    layout = _base_layout(
        height=520,
        width=None,
        showlegend=True,
        legend={"orientation": "h", "y": -0.12},
        xaxis={"range": [-1.1, 1.1], "constrain": "domain"},
        yaxis={"range": [-1.1, 1.1], "scaleanchor": "x", "constrain": "domain"},
    )
    controls = [
        {
            "name": "it",
            "label": "Training iterations",
            "kind": "range",
            "values": [str(c) for c in checkpoints],
            "initial": len(checkpoints) - 1,
        }
    ]
    return InteractiveFigure(
        "decision-boundary",
        "Decision regions of the two-layer network on the spiral data, coloured by predicted "
        "class, with the training points on top. The slider chooses how many iterations of "
        "gradient descent have been run: the regions start as one colour, then curve until "
        "they follow the three spiral arms.",
        layout,
        controls,
        frames,
    )


def _stepped(scale: list[list[Any]]) -> list[list[Any]]:
    """A colour scale that is constant on each class's third of [0, 1] (no blending)."""
    C = len(scale)
    out = []
    for k, (_, color) in enumerate(scale):
        out.append([k / C, color])
        out.append([(k + 1) / C, color])
    return out
