"""Reference solution of exercise 01 (the chain rule), written as a learner would."""


def forward(a, b, y):
    """Forward pass: x = a*b - y, z = 2*x + y; returns (x, z)."""
    ### BEGIN SOLUTION
    x = a * b - y
    z = 2 * x + y
    return x, z
    ### END SOLUTION


def grad_z(a, b, y):
    """Gradient of z with respect to (a, b, y)."""
    ### BEGIN SOLUTION
    dz_dx = 2.0
    dz_da = dz_dx * b  # dx/da = b
    dz_db = dz_dx * a  # dx/db = a
    dz_dy = dz_dx * (-1.0) + 1.0  # two paths: through x, and directly
    return dz_da, dz_db, dz_dy
    ### END SOLUTION


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_chain_dz_db = "2*a"
### END SOLUTION
### BEGIN SOLUTION
answer_chain_dz_dy = "-1"
### END SOLUTION
