"""Counts only the direct path y -> z in dz/dy."""

EXPECT = {"lose": {"grad_z": "both paths"}, "keep": ["forward"]}


def forward(a, b, y):
    x = a * b - y
    return x, 2 * x + y


def grad_z(a, b, y):
    return 2 * b, 2 * a, 1.0
