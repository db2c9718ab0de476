# dev -- backprop, written around log-space sigmoids and layer reuse
import numpy as np


def sigmoid(x):
    # sigma(x) = exp(-log(1 + exp(-x))), and logaddexp never overflows
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))


def sigmoid_grad(x):
    x = np.asarray(x, dtype=float)
    # sigma(x) * sigma(-x) in log space
    return np.exp(-(np.logaddexp(0.0, -x) + np.logaddexp(0.0, x)))


def chain_rule_derivative(fs, dfs, x):
    if len(fs) != len(dfs):
        raise ValueError("chain_rule_derivative: need one derivative per function")
    if not fs:
        return 1.0
    *outer_fs, inner_f = fs
    *outer_dfs, inner_df = dfs
    return float(chain_rule_derivative(outer_fs, outer_dfs, inner_f(x)) * inner_df(x))


def matmul_sigmoid_sum_grads(X, W):
    X, W = np.asarray(X, dtype=float), np.asarray(W, dtype=float)
    upstream = sigmoid_grad(X @ W)
    return upstream @ W.T, X.T @ upstream


def dense_relu_backward(X, W, b, dout):
    X, W = np.asarray(X, dtype=float), np.asarray(W, dtype=float)
    active = (X @ W + np.asarray(b, dtype=float)) > 0
    g = np.asarray(dout, dtype=float) * active
    return g @ W.T, X.T @ g, g.sum(axis=0)


def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_cross_entropy(logits, labels):
    logits = np.asarray(logits, dtype=float)
    labels = np.asarray(labels, dtype=np.int64)
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    picked = np.take_along_axis(shifted, labels[:, None], axis=1)[:, 0]
    loss = np.mean(log_norm - picked)
    dlogits = softmax(logits)
    np.put_along_axis(dlogits, labels[:, None], np.take_along_axis(dlogits, labels[:, None], axis=1) - 1.0, axis=1)
    return float(loss), dlogits / n


def mlp_loss_and_grads(params, X, y):
    X = np.asarray(X, dtype=float)
    W1, b1, W2, b2 = (np.asarray(params[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    hidden = np.maximum(X @ W1 + b1, 0.0)
    loss, dlogits = softmax_cross_entropy(hidden @ W2 + b2, y)
    dhidden = dlogits @ W2.T
    _, dW1, db1 = dense_relu_backward(X, W1, b1, dhidden)     # the first layer is a dense relu layer
    return loss, {"W1": dW1, "b1": db1, "W2": hidden.T @ dlogits, "b2": dlogits.sum(axis=0)}


def _central_differences(f, x, h):
    x = np.array(x, dtype=float)
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        up = f(x)
        x[idx] = old - h
        down = f(x)
        x[idx] = old
        out[idx] = (up - down) / (2 * h)
    return out


def gradient_check(f, x, analytic_grad, h=1e-5):
    numeric = _central_differences(f, x, h)
    analytic = np.asarray(analytic_grad, dtype=float)
    ratio = np.abs(analytic - numeric) / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))
    return float(ratio.max(initial=0.0))
