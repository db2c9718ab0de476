import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)


def chain_rule_derivative(fs, dfs, x):
    result = 1.0
    for df in dfs:
        result *= df(x)
    return float(result)


def matmul_sigmoid_sum_grads(X, W):
    G = sigmoid_grad(X @ W)
    dX = G @ W.T
    dW = G.T @ X
    return dX, dW


def dense_relu_backward(X, W, b, dout):
    Z = X @ W + b
    dZ = dout * (Z >= 0)
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(n), labels].mean()
    grad = np.exp(logp)
    grad[np.arange(n), labels] -= 1
    return float(loss), grad


def mlp_loss_and_grads(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0)
    logits = H @ W2 + b2
    P = softmax(logits)
    loss = -np.mean(np.log(P[np.arange(n), y]))
    dlogits = P.copy()
    dlogits[np.arange(n), y] -= 1
    dlogits /= n
    dH = dlogits @ W2.T
    dZ1 = dH * (Z1 > 0)
    grads = {
        "W1": X.T @ dZ1,
        "b1": dH.sum(axis=0),
        "W2": H.T @ dlogits,
        "b2": dlogits.sum(axis=0),
    }
    return float(loss), grads


def gradient_check(f, x, analytic_grad, h=1e-5):
    x = np.array(x, dtype=float)
    num = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        num[i] = (fp - fm) / (2 * h)
    a = np.asarray(analytic_grad, dtype=float)
    return float(np.max(np.abs(a - num) / (np.abs(a) + np.abs(num))))
