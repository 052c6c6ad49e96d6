"""CS231n's softmax_loss_naive: loops over examples, 0.5*reg convention, xrange shim."""

EXPECT = {
    "lose": {"linear_softmax_loss": "loops over the examples"},
    "mistakes": {"linear_softmax_loss": ["half-convention", "loop"]},
}

import numpy as np

try:
    xrange
except NameError:
    xrange = range


def linear_softmax_loss(W, X, y, reg):
    loss = 0.0
    dW = np.zeros_like(W)
    num_train = X.shape[0]
    num_classes = W.shape[1]
    for i in xrange(num_train):
        scores = X[i].dot(W)
        scores -= np.max(scores)
        correct_class_score = scores[y[i]]
        sum_exp = np.sum(np.exp(scores))
        loss += -correct_class_score + np.log(sum_exp)
        for j in xrange(num_classes):
            p = np.exp(scores[j]) / sum_exp
            dW[:, j] += (p - (j == y[i])) * X[i]
    loss /= num_train
    dW /= num_train
    loss += 0.5 * reg * np.sum(W * W)
    dW += reg * W
    return loss, dW
