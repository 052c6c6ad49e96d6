"""Forgets to multiply dx/db by dz/dx = 2."""

EXPECT = {"lose": {"grad_z": "dz/dx = 2"}, "keep": ["forward"]}


def forward(a, b, y):
    x = a * b - y
    return x, 2 * x + y


def grad_z(a, b, y):
    dz_da = 2 * b
    dz_db = a
    return dz_da, dz_db, -1.0
