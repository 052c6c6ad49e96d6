"""ce_course: reference implementations for the softmax cross-entropy course.

Numerics (:mod:`ce_course.softmax`, :mod:`ce_course.losses`, :mod:`ce_course.linear_ce`), the gradient checker
(:mod:`ce_course.gradcheck`), the models and data of chapters 8 and 9 (:mod:`ce_course.models`,
:mod:`ce_course.data`). The autograder lives in :mod:`ce_course.grading` and is not imported here:
nothing numeric depends on it.
"""

from .data import make_spiral
from .gradcheck import (
    GradientCheckError,
    GradientCheckResult,
    check_gradient,
    numerical_gradient,
    relative_error,
)
from .linear_ce import linear_cross_entropy
from .losses import (
    cross_entropy,
    cross_entropy_from_probs,
    cross_entropy_grad,
    one_hot,
    softmax_cross_entropy,
)
from .models import (
    TwoLayerNet,
    linear_softmax_loss,
    linear_softmax_loss_naive,
    train_linear_softmax,
    two_layer_loss,
)
from .softmax import (
    log_softmax,
    logsumexp,
    softmax,
    softmax_jacobian,
    softmax_naive,
    softmax_vjp,
)

__version__ = "0.1.0"

__all__ = [
    "GradientCheckError",
    "GradientCheckResult",
    "TwoLayerNet",
    "__version__",
    "check_gradient",
    "cross_entropy",
    "cross_entropy_from_probs",
    "cross_entropy_grad",
    "linear_cross_entropy",
    "linear_softmax_loss",
    "linear_softmax_loss_naive",
    "log_softmax",
    "logsumexp",
    "make_spiral",
    "numerical_gradient",
    "one_hot",
    "relative_error",
    "softmax",
    "softmax_cross_entropy",
    "softmax_jacobian",
    "softmax_naive",
    "softmax_vjp",
    "train_linear_softmax",
    "two_layer_loss",
]
