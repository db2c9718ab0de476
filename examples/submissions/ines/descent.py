import numpy as np


def gradient_descent(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    history = [x]
    for _ in range(steps):
        x -= lr * grad(x)          # in-place update saves memory
        history.append(x)
    return np.array(history)


def minibatches(X, y, batch_size, rng):
    perm = rng.permutation(len(X))
    X, y = X[perm], y[perm]
    batches = []
    for k in range(len(X) // batch_size + 1):
        batches.append((X[k * batch_size:(k + 1) * batch_size], y[k * batch_size:(k + 1) * batch_size]))
    return batches


def momentum_step(w, v, grad, lr, momentum):
    v_new = momentum * v - lr * grad
    w_new = w + v_new
    return w_new, v_new


def fit_linear_regression(X, y, lr, epochs):
    n, d = X.shape
    w = np.zeros(d)
    b = 0.0
    for _ in range(epochs):
        err = X @ w + b - y
        w, b = w - lr * 2 * X.T @ err, b - lr * 2 * err.sum()
    return np.concatenate([[b], w])
