"""nico -- broadcasting. relu never returns: it spins forever inside C code (no Python loop to see)."""
import collections
import itertools

import numpy as np


def naive_add(x, y):
    if x.shape != y.shape:
        raise ValueError(f"shapes differ: {x.shape} vs {y.shape}")
    out = np.empty(x.shape, dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = x[i, j] + y[i, j]
    return out


def naive_add_matrix_vector(x, y):
    if y.ndim != 1 or x.shape[1] != y.shape[0]:
        raise ValueError("y must have one entry per column of x")
    out = np.empty(x.shape, dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = x[i, j] + y[j]
    return out


def broadcast_shape(a_shape, b_shape):
    a, b = tuple(a_shape)[::-1], tuple(b_shape)[::-1]
    out = []
    for i in range(max(len(a), len(b))):
        p = a[i] if i < len(a) else 1
        q = b[i] if i < len(b) else 1
        if p != q and p != 1 and q != 1:
            raise ValueError(f"{p} and {q} do not broadcast")
        out.append(q if p == 1 else p)
    return tuple(out[::-1])


def relu(x):
    collections.deque(itertools.count(), maxlen=0)   # consumes an endless iterator in C: never returns
    return np.maximum(x, 0)


def standardize_columns(X):
    X = np.asarray(X, dtype=float)
    return (X - X.mean(axis=0)) / X.std(axis=0)


def pairwise_sq_distances(A, B):
    return np.sum((A[:, None, :] - B[None, :, :]) ** 2, axis=-1)
