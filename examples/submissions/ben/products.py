# ben -- products
import functools
import operator
from itertools import zip_longest
import numpy as np


def naive_vector_dot(x, y):
    if np.ndim(x) != 1 or np.ndim(y) != 1:
        raise ValueError("both arguments must be 1-D vectors")
    if len(x) != len(y):
        raise ValueError(f"length mismatch: {len(x)} vs {len(y)}")
    acc = 0.0
    for a, b in zip(x, y):
        acc += a * b
    return float(acc)


def naive_matrix_vector_dot(A, x):
    A, x = np.asarray(A), np.asarray(x)
    if A.ndim != 2 or x.ndim != 1 or A.shape[1] != x.shape[0]:
        raise ValueError(f"cannot multiply {A.shape} by {x.shape}")
    return np.array([np.einsum("j,j->", row, x) for row in A], dtype=float).reshape(A.shape[0])


def naive_matrix_dot(A, B):
    A, B = np.asarray(A, float), np.asarray(B, float)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError(f"cannot multiply {A.shape} by {B.shape}: inner dimensions differ")
    C = np.zeros((A.shape[0], B.shape[1]))
    for k in range(A.shape[1]):            # sum of rank-one outer products
        C += A[:, k:k + 1] * B[k:k + 1, :]
    return C


def _bcast(x, y):
    out = []
    for p, q in zip_longest(reversed(x), reversed(y), fillvalue=1):
        if p != q and 1 not in (p, q):
            raise ValueError(f"batch axes {p} and {q} do not broadcast")
        out.append(q if p == 1 else p)
    return tuple(reversed(out))


def matmul_shape(a_shape, b_shape):
    a, b = tuple(map(int, a_shape)), tuple(map(int, b_shape))
    if not a or not b:
        raise ValueError("matmul: scalar operands are not allowed")
    A = a if len(a) > 1 else (1,) + a
    B = b if len(b) > 1 else b + (1,)
    if A[-1] != B[-2]:
        raise ValueError(f"matmul: core dimension mismatch {A[-1]} != {B[-2]}")
    core = A[-2:-1] * (len(a) > 1) + B[-1:] * (len(b) > 1)
    return _bcast(A[:-2], B[:-2]) + core


def dot_shape(a_shape, b_shape):
    a, b = tuple(map(int, a_shape)), tuple(map(int, b_shape))
    if not a or not b:
        return b or a
    j = max(len(b) - 2, 0)
    if a[-1] != b[j]:
        raise ValueError(f"shapes {a} and {b} not aligned: {a[-1]} (dim {len(a) - 1}) != {b[j]} (dim {j})")
    return a[:-1] + b[:j] + b[j + 1:]


def reduce_sum(x, axis=None):
    x = np.asarray(x)
    if axis is None:
        return np.asarray(functools.reduce(operator.add, x.reshape(-1), np.zeros((), x.dtype)))[()]
    slices = np.moveaxis(x, axis, 0)
    return functools.reduce(operator.add, slices, np.zeros(slices.shape[1:], x.dtype))


def argmax_axis(x, axis):
    x = np.asarray(x)
    axis = axis % x.ndim
    is_max = x == np.max(x, axis=axis, keepdims=True)
    index = np.arange(x.shape[axis]).reshape((-1,) + (1,) * (x.ndim - axis - 1))
    return np.min(np.where(is_max, index, x.shape[axis]), axis=axis)


def dense_forward(X, W, b):
    return np.clip(np.einsum("nd,dk->nk", np.asarray(X, float), np.asarray(W, float)) + b, 0.0, None)
