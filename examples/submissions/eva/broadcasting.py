import numpy as np


def naive_add(x, y):
    if x.shape != y.shape:
        raise ValueError("x and y must have the same shape")
    out = np.zeros(x.shape, dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = x[i, j] + y[i, j]
    return out


def naive_add_matrix_vector(x, y):
    out = np.zeros(x.shape, dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = x[i, j] + y[j]
    return out


def broadcast_shape(a_shape, b_shape):
    a, b = list(a_shape), list(b_shape)
    while len(a) < len(b):
        a.insert(0, 1)
    while len(b) < len(a):
        b.insert(0, 1)
    result = []
    for p, q in zip(a, b):
        if p == q:
            result.append(p)
        elif p == 1:
            result.append(q)
        elif q == 1:
            result.append(p)
        else:
            raise ValueError(f"{p} and {q} are incompatible")
    return tuple(result)


def relu(x):
    return x * (x > 0)


def standardize_columns(X):
    mean = X.mean(axis=0)
    std = X.std(axis=0, ddof=1)     # the unbiased estimate, as in statistics class
    return (X - mean) / std


def pairwise_sq_distances(A, B):
    d = A[:, None, :] - B[None, :, :]
    return (d ** 2).sum(axis=-1)
