# dev -- broadcasting (while loops for the naive parts, recursion for the shape rule)
import numpy as np


def naive_add(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.shape != y.shape:
        raise ValueError(f"naive_add: x has shape {x.shape} but y has shape {y.shape}")
    out = np.zeros_like(x, dtype=np.result_type(x, y))
    i = 0
    while i < x.shape[0]:
        j = 0
        while j < x.shape[1]:
            out[i, j] = x[i, j] + y[i, j]
            j += 1
        i += 1
    return out


def naive_add_matrix_vector(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if y.ndim != 1 or x.ndim != 2 or y.shape[0] != x.shape[1]:
        raise ValueError(f"cannot add a vector of shape {y.shape} to each row of a matrix of shape {x.shape}")
    out = np.zeros(x.shape, dtype=np.result_type(x, y))
    i = 0
    while i < x.shape[0]:
        j = 0
        while j < x.shape[1]:
            out[i, j] = x[i, j] + y[j]
            j += 1
        i += 1
    return out


def broadcast_shape(a_shape, b_shape):
    a, b = tuple(a_shape), tuple(b_shape)
    if not a:
        return tuple(int(d) for d in b)
    if not b:
        return tuple(int(d) for d in a)
    p, q = int(a[-1]), int(b[-1])
    if p == q or q == 1:
        last = p
    elif p == 1:
        last = q
    else:
        raise ValueError(f"shapes do not broadcast: {p} against {q}")
    return broadcast_shape(a[:-1], b[:-1]) + (last,)


def relu(x):
    return np.clip(np.asarray(x), 0, None)


def standardize_columns(X):
    X = np.asarray(X, dtype=float)
    return (X - X.mean(axis=0)) / X.std(axis=0)


def pairwise_sq_distances(A, B):
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    return ((A[:, None] - B[None]) ** 2).sum(-1)
