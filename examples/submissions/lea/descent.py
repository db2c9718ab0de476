import numpy as np


def gradient_descent(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    path = [x.copy()]
    for _ in range(steps):
        x = x - lr * grad(x)
        path.append(x.copy())
    return np.stack(path)


def minibatches(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    out = []
    for start in range(0, len(X), batch_size):
        idx = order[start:start + batch_size]
        out.append((X[idx], y[idx]))
    return out


def momentum_step(w, v, grad, lr, momentum):
    v2 = momentum * v - lr * grad
    return w + v2, v2


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    for _ in range(epochs):
        r = X @ w + b - y
        w, b = w - lr * 2 * (X.T @ r) / n_samples, b - lr * 2 * r.sum() / n_samples
    return np.concatenate([[b], w])
