"""Correct: CS231n's softmax_loss_vectorized in this course's convention."""

import numpy as np


def linear_softmax_loss(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    sum_exp = np.sum(exp_scores, axis=1, keepdims=True)
    correct_logprobs = np.log(sum_exp[:, 0]) - scores[np.arange(num_train), y]
    loss = np.sum(correct_logprobs) / num_train + reg * np.sum(W * W)
    dscores = exp_scores / sum_exp
    dscores[np.arange(num_train), y] -= 1
    dW = X.T.dot(dscores) / num_train + 2 * reg * W
    return loss, dW


# Derivation answers (issue 11): module-level strings, graded as formulas.
### BEGIN SOLUTION
answer_linear_dW = "sum_n(x_{n,d}*(p_{n,c} - y_{n,c}))/N"
### END SOLUTION
### BEGIN SOLUTION
answer_linear_dW_reg = "sum_n(x_{n,d}*(p_{n,c} - y_{n,c}))/N + 2*reg*W_{d,c}"
### END SOLUTION
### BEGIN SOLUTION
answer_linear_db = "sum_n(p_{n,c} - y_{n,c})/N"
### END SOLUTION
