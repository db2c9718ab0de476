"""Reference solutions for the `backprop` assignment: the chain rule and backpropagation."""
import numpy as np


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), computed without overflow for any x."""
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))  # exp of a non-positive number: in (0, 1], never overflows
    # x >= 0: 1 / (1 + e^-x);  x < 0: e^x / (1 + e^x)  (the same value, rewritten)
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def sigmoid_grad(x):
    """Derivative of the sigmoid: s(x) * (1 - s(x)), written as s(x) * s(-x)."""
    x = np.asarray(x, dtype=float)
    # 1 - s(x) == s(-x), and s(-x) keeps its precision where 1 - s(x) would round to 0
    return sigmoid(x) * sigmoid(-x)


def chain_rule_derivative(fs, dfs, x):
    """Derivative at x of fs[0](fs[1](...fs[-1](x))) from the functions and their derivatives."""
    if len(fs) != len(dfs):
        raise ValueError(f"got {len(fs)} functions but {len(dfs)} derivatives")
    # forward pass, innermost function first: remember the input each function receives
    inputs = []
    u = x
    for f in reversed(fs):
        inputs.append(u)
        u = f(u)
    # chain rule: multiply each local derivative, evaluated at its own input
    slope = 1.0
    for df, u in zip(reversed(dfs), inputs):
        slope = slope * df(u)
    return float(slope)


def matmul_sigmoid_sum_grads(X, W):
    """(dL/dX, dL/dW) for L = sum(sigmoid(X @ W))."""
    N = X @ W
    dN = sigmoid_grad(N)  # dL/dS is all ones, so dL/dN = sigmoid'(N)
    return dN @ W.T, X.T @ dN  # shapes (n, d) and (d, m), like X and W


def dense_relu_backward(X, W, b, dout):
    """(dX, dW, db) of relu(X @ W + b), given dout = dL/d(output); relu'(0) = 0."""
    Z = X @ W + b
    dZ = dout * (Z > 0)  # the gradient flows only where the unit was active
    return dZ @ W.T, X.T @ dZ, np.sum(dZ, axis=0)  # b was added to every row: sum over the batch


def softmax(z):
    """Softmax along the last axis, shifted by the row maximum so exp never overflows."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))  # largest exponent is exp(0) = 1
    return e / np.sum(e, axis=-1, keepdims=True)


def _log_softmax(z):
    """log(softmax(z)) along the last axis, via the log-sum-exp trick."""
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def softmax_cross_entropy(logits, labels):
    """(mean cross-entropy loss, dloss/dlogits) for logits (n, c) and integer labels (n,)."""
    logits = np.asarray(logits, dtype=float)
    n = logits.shape[0]
    rows = np.arange(n)
    logp = _log_softmax(logits)  # never log(0), even for very unlikely classes
    loss = -np.mean(logp[rows, labels])
    dlogits = np.exp(logp)  # softmax probabilities
    dlogits[rows, labels] -= 1.0  # minus the one-hot targets
    return float(loss), dlogits / n  # the loss is a mean over n samples


def mlp_loss_and_grads(params, X, y):
    """Loss and gradients of a relu MLP, logits = relu(X @ W1 + b1) @ W2 + b2, under softmax cross-entropy."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    # forward pass, keeping what the backward pass needs
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0)
    logits = H @ W2 + b2
    loss, dlogits = softmax_cross_entropy(logits, y)
    # backward pass: the dense layers and the relu, in reverse order
    dW2 = H.T @ dlogits
    db2 = np.sum(dlogits, axis=0)
    dZ1 = (dlogits @ W2.T) * (Z1 > 0)
    dW1 = X.T @ dZ1
    db1 = np.sum(dZ1, axis=0)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def gradient_check(f, x, analytic_grad, h=1e-5):
    """Largest relative error between analytic_grad and the central-difference gradient of f at x."""
    x = np.array(x, dtype=float)  # our own copy: we nudge it entry by entry
    analytic = np.asarray(analytic_grad, dtype=float)
    if analytic.shape != x.shape:
        raise ValueError(f"analytic_grad has shape {analytic.shape} but x has shape {x.shape}")
    numeric = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        up = f(x)
        x[index] = old - h
        down = f(x)
        x[index] = old  # restore before moving to the next entry
        numeric[index] = (up - down) / (2 * h)
    error = np.abs(analytic - numeric) / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))
    return float(np.max(error))
