"""Writes x = a*b + y."""

EXPECT = {"lose": {"forward": "sign of y"}, "keep": ["grad_z"]}


def forward(a, b, y):
    x = a * b + y
    z = 2 * x + y
    return x, z


def grad_z(a, b, y):
    return 2 * b, 2 * a, -1.0
