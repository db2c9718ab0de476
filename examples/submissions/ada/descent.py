"""Assignment 6 (descent) -- Ada."""
import numpy as np


def gradient_descent(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    trajectory = np.zeros((steps + 1,) + x.shape)
    trajectory[0] = x
    for t in range(1, steps + 1):
        x = x - lr * np.asarray(grad(x), dtype=float)
        trajectory[t] = x
    return trajectory


def minibatches(X, y, batch_size, rng):
    X = np.asarray(X)
    y = np.asarray(y)
    order = rng.permutation(len(X))
    batches = []
    start = 0
    while start < len(order):
        chosen = order[start:start + batch_size]
        batches.append((X[chosen], y[chosen]))
        start += batch_size
    return batches


def momentum_step(w, v, grad, lr, momentum):
    w = np.asarray(w, dtype=float)
    v = np.asarray(v, dtype=float)
    g = np.asarray(grad, dtype=float)
    v_new = momentum * v - lr * g
    w_new = w + v_new
    return w_new, v_new


def fit_linear_regression(X, y, lr, epochs):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    for _ in range(epochs):
        residual = X @ w + b - y
        grad_w = (2.0 / n) * (X.T @ residual)
        grad_b = (2.0 / n) * float(np.sum(residual))
        w = w - lr * grad_w
        b = b - lr * grad_b
    params = np.zeros(d + 1)
    params[0] = b
    params[1:] = w
    return params
