"""finn - products"""
import numpy as np


def naive_vector_dot(x, y):
    result = 0.0
    for xi, yi in zip(x, y):
        result += xi * yi
    return float(result)


def naive_matrix_vector_dot(A, x):
    if A.ndim != 2 or x.ndim != 1 or A.shape[1] != len(x):
        raise ValueError("A must be (m, n) and x must be (n,)")
    out = np.zeros(A.shape[0])
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            out[i] += A[i, j] * x[j]
    return out


def naive_matrix_dot(A, B):
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError("inner dimensions must agree")
    m, n, p = A.shape[0], A.shape[1], B.shape[1]
    C = np.zeros((m, p))
    for i in range(m):
        for j in range(p):
            for k in range(n):
                C[i, j] += A[i, k] * B[j, k]     # row i of A times "column" j of B
    return C


def _bcast(x, y):
    n = max(len(x), len(y))
    x = (1,) * (n - len(x)) + x
    y = (1,) * (n - len(y)) + y
    out = []
    for p, q in zip(x, y):
        if p != q and p != 1 and q != 1:
            raise ValueError("batch dims do not broadcast")
        out.append(q if p == 1 else p)
    return tuple(out)


def matmul_shape(a_shape, b_shape):
    a, b = tuple(a_shape), tuple(b_shape)
    if not a or not b:
        raise ValueError("no scalars")
    if len(a) == 1:
        a = (1,) + a
    if len(b) == 1:
        b = b + (1,)
    if a[-1] != b[-2]:
        raise ValueError("core mismatch")
    return _bcast(a[:-2], b[:-2]) + (a[-2], b[-1])


def dot_shape(a_shape, b_shape):
    a, b = tuple(a_shape), tuple(b_shape)
    if len(a) == 0:
        return b
    if len(b) == 0:
        return a
    k = 0 if len(b) == 1 else len(b) - 2
    if a[-1] != b[k]:
        raise ValueError("shapes not aligned")
    return a[:-1] + b[:k] + b[k + 1:]


def reduce_sum(x, axis=None):
    if axis is None:
        total = np.zeros((), dtype=x.dtype)
        for value in x.flat:
            total = total + value
        return total[()]
    out_shape = x.shape[:axis] + x.shape[axis + 1:]
    total = np.zeros(out_shape, dtype=x.dtype)
    for i in range(x.shape[axis]):
        total = total + np.take(x, i, axis=axis)
    return total


def argmax_axis(x, axis):
    best = np.take(x, 0, axis=axis)
    where = np.zeros(best.shape, dtype=int)
    for i in range(1, x.shape[axis]):
        cur = np.take(x, i, axis=axis)
        where = np.where(cur >= best, i, where)
        best = np.maximum(cur, best)
    return where


def dense_forward(X, W, b):
    return np.maximum(X @ W, 0) + b
