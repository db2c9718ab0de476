# dev -- descent
import numpy as np


def gradient_descent(grad, x0, lr, steps):
    start = np.asarray(x0, dtype=float)
    path = np.empty((steps + 1,) + start.shape)
    np.copyto(path[0, ...], start)
    for t in range(steps):
        np.copyto(path[t + 1, ...], path[t] - lr * np.asarray(grad(path[t, ...].copy()), dtype=float))
    return path


def minibatches(X, y, batch_size, rng):
    X, y = np.asarray(X), np.asarray(y)
    order = rng.permutation(len(X))
    return [(X[idx], y[idx]) for idx in np.split(order, np.arange(batch_size, len(order), batch_size))]


def momentum_step(w, v, grad, lr, momentum):
    v_new = np.multiply(momentum, v, dtype=float) - np.multiply(lr, grad, dtype=float)
    return np.add(w, v_new, dtype=float), v_new


def fit_linear_regression(X, y, lr, epochs):
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        r = X @ w + b - y
        gw = 2 * np.mean(X * r[:, None], axis=0)
        gb = 2 * np.mean(r)
        w, b = w - lr * gw, b - lr * gb
    return np.concatenate(([b], w))
