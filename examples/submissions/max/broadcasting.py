import numpy as np


def naive_add(x, y):
    if x.shape != y.shape:
        raise ValueError("shapes %s and %s differ" % (x.shape, y.shape))
    out = np.empty(x.shape, dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = x[i, j] + y[i, j]
    return out


def naive_add_matrix_vector(x, y):
    if y.ndim != 1 or y.shape[0] != x.shape[1]:
        raise ValueError("y needs one entry per column of x")
    out = np.empty(x.shape, dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = x[i, j] + y[j]
    return out


def broadcast_shape(a_shape, b_shape):
    a, b = list(a_shape), list(b_shape)
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + a
    b = [1] * (n - len(b)) + b
    out = []
    for p, q in zip(a, b):
        if p == q or q == 1:
            out.append(p)
        elif p == 1:
            out.append(q)
        else:
            raise ValueError(f"lengths {p} and {q} clash")
    return tuple(out)


def relu(x):
    return np.maximum(x, 0)


def standardize_columns(X):
    mu = X.mean(axis=0, keepdims=True)
    sd = np.sqrt(((X - mu) ** 2).mean(axis=0, keepdims=True))
    return (X - mu) / sd


def pairwise_sq_distances(A, B):
    return ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=2)
