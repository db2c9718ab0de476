"""Assignment 7 (backprop) -- Ada."""
import numpy as np


def sigmoid(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))                  # never exponentiates a positive number
    positive = 1.0 / (1.0 + e)
    negative = e / (1.0 + e)
    return np.where(x >= 0, positive, negative)


def sigmoid_grad(x):
    x = np.asarray(x, dtype=float)
    return sigmoid(x) * sigmoid(-x)


def chain_rule_derivative(fs, dfs, x):
    if len(fs) != len(dfs):
        raise ValueError(f"{len(fs)} functions but {len(dfs)} derivatives")
    # forward pass: remember the input each function receives
    inputs = []
    u = x
    for i in range(len(fs) - 1, -1, -1):
        inputs.append(u)
        u = fs[i](u)
    inputs.reverse()                         # inputs[i] is what fs[i] received
    slope = 1.0
    for i in range(len(fs)):
        slope = slope * dfs[i](inputs[i])
    return float(slope)


def matmul_sigmoid_sum_grads(X, W):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    N = X @ W
    G = sigmoid_grad(N)                      # dL/dN
    dX = G @ W.T
    dW = X.T @ G
    return dX, dW


def dense_relu_backward(X, W, b, dout):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    b = np.asarray(b, dtype=float)
    dout = np.asarray(dout, dtype=float)
    Z = X @ W + b
    dZ = dout * (Z > 0)
    dX = dZ @ W.T
    dW = X.T @ dZ
    db = np.sum(dZ, axis=0)
    return dX, dW, db


def softmax(z):
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def _log_softmax(z):
    shifted = z - np.max(z, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def softmax_cross_entropy(logits, labels):
    logits = np.asarray(logits, dtype=float)
    labels = np.asarray(labels).astype(int)
    n = logits.shape[0]
    logp = _log_softmax(logits)
    rows = np.arange(n)
    loss = -np.mean(logp[rows, labels])
    grad = np.exp(logp)
    grad[rows, labels] -= 1.0
    return float(loss), grad / n


def mlp_loss_and_grads(params, X, y):
    X = np.asarray(X, dtype=float)
    W1 = np.asarray(params["W1"], dtype=float)
    b1 = np.asarray(params["b1"], dtype=float)
    W2 = np.asarray(params["W2"], dtype=float)
    b2 = np.asarray(params["b2"], dtype=float)
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0.0)
    logits = H @ W2 + b2
    loss, dlogits = softmax_cross_entropy(logits, y)
    dW2 = H.T @ dlogits
    db2 = np.sum(dlogits, axis=0)
    dH = dlogits @ W2.T
    dZ1 = dH * (Z1 > 0)
    dW1 = X.T @ dZ1
    db1 = np.sum(dZ1, axis=0)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def gradient_check(f, x, analytic_grad, h=1e-5):
    work = np.array(x, dtype=float)
    a = np.asarray(analytic_grad, dtype=float)
    numeric = np.zeros(work.shape)
    for idx in np.ndindex(work.shape):
        keep = work[idx]
        work[idx] = keep + h
        up = f(work)
        work[idx] = keep - h
        down = f(work)
        work[idx] = keep
        numeric[idx] = (up - down) / (2 * h)
    worst = 0.0
    for idx in np.ndindex(work.shape):
        denom = max(1e-8, abs(a[idx]) + abs(numeric[idx]))
        worst = max(worst, abs(a[idx] - numeric[idx]) / denom)
    return float(worst)
