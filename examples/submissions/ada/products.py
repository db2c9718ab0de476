"""Assignment 3 (products) -- Ada."""
import numpy as np


def _need_rank(name, a, rank):
    if a.ndim != rank:
        raise ValueError(f"{name} must have rank {rank}, got shape {a.shape}")


def naive_vector_dot(x, y):
    x = np.asarray(x)
    y = np.asarray(y)
    _need_rank("x", x, 1)
    _need_rank("y", y, 1)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"lengths differ: {x.shape[0]} vs {y.shape[0]}")
    total = 0.0
    for i in range(x.shape[0]):
        total += float(x[i]) * float(y[i])
    return float(total)


def naive_matrix_vector_dot(A, x):
    A = np.asarray(A)
    x = np.asarray(x)
    _need_rank("A", A, 2)
    _need_rank("x", x, 1)
    if A.shape[1] != x.shape[0]:
        raise ValueError(f"A has {A.shape[1]} columns but x has {x.shape[0]} entries")
    z = np.zeros(A.shape[0])
    for i in range(A.shape[0]):
        z[i] = naive_vector_dot(A[i, :], x)
    return z


def naive_matrix_dot(A, B):
    A = np.asarray(A)
    B = np.asarray(B)
    _need_rank("A", A, 2)
    _need_rank("B", B, 2)
    m, n = A.shape
    if B.shape[0] != n:
        raise ValueError(f"inner dimensions differ: A is {A.shape}, B is {B.shape}")
    p = B.shape[1]
    C = np.zeros((m, p))
    for i in range(m):
        for j in range(p):
            acc = 0.0
            for k in range(n):
                acc += A[i, k] * B[k, j]
            C[i, j] = acc
    return C


def _broadcast_batch(x, y):
    width = max(len(x), len(y))
    x = (1,) * (width - len(x)) + tuple(x)
    y = (1,) * (width - len(y)) + tuple(y)
    out = []
    for p, q in zip(x, y):
        if p == q or q == 1:
            out.append(p)
        elif p == 1:
            out.append(q)
        else:
            raise ValueError(f"batch axes {p} and {q} cannot be broadcast")
    return tuple(out)


def matmul_shape(a_shape, b_shape):
    a = tuple(int(n) for n in a_shape)
    b = tuple(int(n) for n in b_shape)
    if len(a) == 0 or len(b) == 0:
        raise ValueError("matmul does not accept scalars (shape ())")
    a_vec, b_vec = len(a) == 1, len(b) == 1
    if a_vec:
        a = (1,) + a
    if b_vec:
        b = b + (1,)
    if a[-1] != b[-2]:
        raise ValueError(f"core dimensions differ: {a[-1]} vs {b[-2]}")
    shape = _broadcast_batch(a[:-2], b[:-2])
    if not a_vec:
        shape = shape + (a[-2],)
    if not b_vec:
        shape = shape + (b[-1],)
    return shape


def dot_shape(a_shape, b_shape):
    a = tuple(int(n) for n in a_shape)
    b = tuple(int(n) for n in b_shape)
    if len(a) == 0:
        return b
    if len(b) == 0:
        return a
    if len(b) == 1:
        summed_b = 0
    else:
        summed_b = len(b) - 2
    if a[-1] != b[summed_b]:
        raise ValueError(f"shapes not aligned: {a[-1]} (last axis of a) != {b[summed_b]}")
    return a[:-1] + b[:summed_b] + b[summed_b + 1:]


def reduce_sum(x, axis=None):
    x = np.asarray(x)
    if axis is None:
        flat = x.reshape(-1)
        acc = np.zeros((), dtype=_sum_dtype(x.dtype))
        for i in range(flat.shape[0]):
            acc = acc + flat[i]
        return acc[()]
    if axis < 0:
        axis = axis + x.ndim
    if not 0 <= axis < x.ndim:
        raise ValueError(f"axis {axis} is out of range for rank {x.ndim}")
    moved = np.moveaxis(x, axis, 0)
    acc = np.zeros(moved.shape[1:], dtype=_sum_dtype(x.dtype))
    for i in range(moved.shape[0]):
        acc = acc + moved[i]
    return acc


def _sum_dtype(dtype):
    """The dtype numpy.sum gives: small integers and bools are promoted to the platform integer."""
    if dtype.kind == "b":
        return np.dtype(np.int_)
    if dtype.kind == "i" and dtype.itemsize < np.dtype(np.int_).itemsize:
        return np.dtype(np.int_)
    if dtype.kind == "u" and dtype.itemsize < np.dtype(np.uint).itemsize:
        return np.dtype(np.uint)
    return dtype


def argmax_axis(x, axis):
    x = np.asarray(x)
    if axis < 0:
        axis += x.ndim
    moved = np.moveaxis(x, axis, -1)
    best_index = np.zeros(moved.shape[:-1], dtype=np.intp)
    best_value = moved[..., 0].copy()
    for i in range(1, moved.shape[-1]):
        candidate = moved[..., i]
        better = candidate > best_value
        best_value = np.where(better, candidate, best_value)
        best_index = np.where(better, i, best_index)
    if best_index.ndim == 0:
        return best_index[()]
    return best_index


def dense_forward(X, W, b):
    X = np.asarray(X, dtype=float)
    W = np.asarray(W, dtype=float)
    b = np.asarray(b, dtype=float)
    Z = X @ W + b
    return np.maximum(Z, 0.0)
