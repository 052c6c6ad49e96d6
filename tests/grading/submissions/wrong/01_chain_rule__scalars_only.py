"""Converts a, b, y to Python floats: right for numbers, but arrays no longer work entry by entry."""

EXPECT = {"lose": {"forward": "NumPy arrays"}, "keep": ["grad_z"], "min_share": 0.7}


def forward(a, b, y):
    a, b, y = float(a), float(b), float(y)
    x = a * b - y
    return x, 2 * x + y


def grad_z(a, b, y):
    return 2 * b, 2 * a, -1.0
