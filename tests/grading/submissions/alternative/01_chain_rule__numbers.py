"""Correct, written with intermediate local gradients and a dict."""


def forward(a, b, y):
    ab = a * b
    x = ab - y
    return (x, x + x + y)


def grad_z(a, b, y):
    local = {"dz_dx": 2.0, "dx_da": b, "dx_db": a, "dx_dy": -1.0, "dz_dy_direct": 1.0}
    return [
        local["dz_dx"] * local["dx_da"],
        local["dz_dx"] * local["dx_db"],
        local["dz_dx"] * local["dx_dy"] + local["dz_dy_direct"],
    ]


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_chain_dz_db = "a*2"
### END SOLUTION
### BEGIN SOLUTION
answer_chain_dz_dy = "2*(-1) + 1"
### END SOLUTION
