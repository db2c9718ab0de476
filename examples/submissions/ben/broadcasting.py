# ben -- broadcasting
from itertools import product, zip_longest
import numpy as np


def naive_add(x, y):
    if np.shape(x) != np.shape(y):
        raise ValueError(f"shape mismatch {np.shape(x)} != {np.shape(y)}")
    out = np.empty(np.shape(x), np.result_type(x, y))
    for i, j in np.ndindex(*out.shape):
        out[i, j] = x[i, j] + y[i, j]
    return out


def naive_add_matrix_vector(x, y):
    (m, n), (k,) = np.shape(x), np.shape(y)
    if k != n:
        raise ValueError(f"vector of length {k} cannot be added to rows of length {n}")
    out = np.empty((m, n), np.result_type(x, y))
    for i, j in product(range(m), range(n)):
        out[i, j] = x[i, j] + y[j]
    return out


def broadcast_shape(a_shape, b_shape):
    out = []
    for p, q in zip_longest(reversed(tuple(a_shape)), reversed(tuple(b_shape)), fillvalue=1):
        if p != q and 1 not in (p, q):
            raise ValueError(f"incompatible lengths {p} and {q}")
        out.append(q if p == 1 else p)
    return tuple(int(n) for n in reversed(out))


def relu(x):
    x = np.asarray(x)
    return np.where(x > 0, x, x.dtype.type(0))


def standardize_columns(X):
    X = np.asarray(X, float)
    N = X.shape[0]
    D = X - np.einsum("ij->j", X) / N
    return D / np.sqrt(np.einsum("ij,ij->j", D, D) / N)


def pairwise_sq_distances(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    sq = (np.einsum("id,id->i", A, A)[:, None] + np.einsum("jd,jd->j", B, B)[None, :]
          - 2 * np.einsum("id,jd->ij", A, B))
    return np.maximum(sq, 0.0)
