import numpy as np


def naive_add(x, y):
    if x.shape != y.shape:
        raise ValueError("shapes differ")
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] = x[i, j] + y[i, j]
    return x


def naive_add_matrix_vector(x, y):
    if len(y) != x.shape[1]:
        raise ValueError("y must have one entry per column")
    out = np.empty(x.shape, dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = x[i, j] + y[j]
    return out


def broadcast_shape(a_shape, b_shape):
    n = max(len(a_shape), len(b_shape))
    a = list(a_shape) + [1] * (n - len(a_shape))
    b = list(b_shape) + [1] * (n - len(b_shape))
    out = []
    for p, q in zip(a, b):
        if p != q and p != 1 and q != 1:
            raise ValueError(f"cannot broadcast {p} with {q}")
        out.append(q if p == 1 else p)
    return tuple(out)


def relu(x):
    return np.maximum(x, 0)


def standardize_columns(X):
    return (X - np.mean(X)) / np.std(X)


def pairwise_sq_distances(A, B):
    return np.sum((B[:, None, :] - A[None, :, :]) ** 2, axis=2)
