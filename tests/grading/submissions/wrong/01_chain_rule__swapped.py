"""Swaps dz/da and dz/db."""

EXPECT = {"lose": {"grad_z": "swapped"}, "keep": ["forward"]}


def forward(a, b, y):
    x = a * b - y
    return x, 2 * x + y


def grad_z(a, b, y):
    return 2 * a, 2 * b, -1.0
