"""Reference solutions for the `descent` assignment: gradient descent and its variants."""
import numpy as np


def gradient_descent(grad, x0, lr, steps):
    """Run `steps` steps of x <- x - lr * grad(x) and return the whole trajectory, x0 first."""
    x = np.array(x0, dtype=float)  # a float copy: the caller's x0 is never touched
    path = [x]
    for _ in range(steps):
        # `x - ...` builds a new array, so the points already in `path` never change
        x = x - lr * np.asarray(grad(x), dtype=float)
        path.append(x)
    return np.stack(path)


def minibatches(X, y, batch_size, rng):
    """Shuffle the samples once with rng.permutation, then cut them into consecutive (Xb, yb) pairs."""
    order = rng.permutation(len(X))  # one permutation for both, so every Xb row keeps its label
    return [(X[order[start:start + batch_size]], y[order[start:start + batch_size]])
            for start in range(0, len(X), batch_size)]


def momentum_step(w, v, grad, lr, momentum):
    """One step of SGD with momentum: v' = momentum*v - lr*grad, w' = w + v'."""
    v_new = momentum * np.asarray(v, dtype=float) - lr * np.asarray(grad, dtype=float)
    w_new = np.asarray(w, dtype=float) + v_new  # move with the new velocity, not the old one
    return w_new, v_new


def fit_linear_regression(X, y, lr, epochs):
    """Full-batch gradient descent on mean((X @ w + b - y)**2) from zeros; returns [b, *w]."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    for _ in range(epochs):
        residual = X @ w + b - y            # prediction minus target, shape (n,)
        grad_w = (2.0 / n) * (X.T @ residual)  # d/dw of the mean of squares
        grad_b = (2.0 / n) * np.sum(residual)
        w, b = w - lr * grad_w, b - lr * grad_b  # both gradients taken at the same point
    return np.concatenate([[b], w])
