"""Assignment 2 (broadcasting) -- Ada."""
import numpy as np


def _check_2d(name, a):
    if a.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {a.shape}")


def naive_add(x, y):
    x = np.asarray(x)
    y = np.asarray(y)
    _check_2d("x", x)
    _check_2d("y", y)
    if x.shape != y.shape:
        raise ValueError(f"shapes differ: {x.shape} vs {y.shape}")
    out = np.zeros(x.shape, dtype=np.result_type(x, y))
    rows, cols = x.shape
    for i in range(rows):
        for j in range(cols):
            out[i, j] = x[i, j] + y[i, j]
    return out


def naive_add_matrix_vector(x, y):
    x = np.asarray(x)
    y = np.asarray(y)
    _check_2d("x", x)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {y.shape}")
    if y.shape[0] != x.shape[1]:
        raise ValueError(f"y has {y.shape[0]} entries but x has {x.shape[1]} columns")
    out = np.zeros(x.shape, dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = x[i, j] + y[j]
    return out


def broadcast_shape(a_shape, b_shape):
    a = [int(n) for n in a_shape]
    b = [int(n) for n in b_shape]
    width = max(len(a), len(b))
    a = [1] * (width - len(a)) + a
    b = [1] * (width - len(b)) + b
    result = []
    for p, q in zip(a, b):
        if p == q or q == 1:
            result.append(p)
        elif p == 1:
            result.append(q)
        else:
            raise ValueError(f"cannot broadcast an axis of length {p} against one of length {q}")
    return tuple(result)


def relu(x):
    x = np.asarray(x)
    return np.maximum(x, np.zeros((), dtype=x.dtype))


def standardize_columns(X):
    X = np.asarray(X, dtype=float)
    mu = np.mean(X, axis=0)
    sigma = np.sqrt(np.mean((X - mu) ** 2, axis=0))
    return (X - mu) / sigma


def pairwise_sq_distances(A, B):
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    diff = A[:, np.newaxis, :] - B[np.newaxis, :, :]
    return np.sum(diff * diff, axis=2)
