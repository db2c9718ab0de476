"""Chloe -- gradient descent, with lists that become arrays at the very end."""
import numpy as np


class Trajectory:
    def __init__(self, start):
        self.points = [np.array(start, dtype=float)]

    def push(self, point):
        self.points.append(np.array(point, dtype=float))

    @property
    def last(self):
        return self.points[-1]

    def as_array(self):
        return np.asarray(self.points, dtype=float)


def gradient_descent(grad, x0, lr, steps):
    path = Trajectory(x0)
    for _ in range(steps):
        path.push(path.last - lr * np.asarray(grad(path.last.copy())))
    return path.as_array()


def minibatches(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    cuts = list(range(0, len(order), batch_size))
    return [(np.asarray(X)[order[c:c + batch_size]], np.asarray(y)[order[c:c + batch_size]]) for c in cuts]


def momentum_step(w, v, grad, lr, momentum):
    velocity = momentum * np.asarray(v, dtype=float) - lr * np.asarray(grad, dtype=float)
    return np.asarray(w, dtype=float) + velocity, velocity


def fit_linear_regression(X, y, lr, epochs):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = X.shape[0]
    design = np.hstack([np.ones((n, 1)), X])      # column of ones carries the bias
    theta = np.zeros(design.shape[1])             # [b, w_1, ..., w_d]
    for _ in range(epochs):
        theta = theta - lr * (2.0 / n) * design.T @ (design @ theta - y)
    return theta
