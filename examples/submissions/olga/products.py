"""olga -- products. reduce_sum hoards memory in a growing list; argmax_axis asks for 10 GB at once."""
import numpy as np


def naive_vector_dot(x, y):
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError("vectors must be 1-D")
    if x.shape != y.shape:
        raise ValueError(f"lengths differ: {len(x)} vs {len(y)}")
    s = 0.0
    for i in range(len(x)):
        s += x[i] * y[i]
    return float(s)


def naive_matrix_vector_dot(A, x):
    if A.ndim != 2 or x.ndim != 1 or A.shape[1] != x.shape[0]:
        raise ValueError(f"cannot multiply {A.shape} by {x.shape}")
    z = np.zeros(A.shape[0])
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            z[i] += A[i, j] * x[j]
    return z


def naive_matrix_dot(A, B):
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError(f"cannot multiply {A.shape} by {B.shape}")
    C = np.zeros((A.shape[0], B.shape[1]))
    for i in range(A.shape[0]):
        for j in range(B.shape[1]):
            for k in range(A.shape[1]):
                C[i, j] += A[i, k] * B[k, j]
    return C


def _broadcast(p_shape, q_shape):
    n = max(len(p_shape), len(q_shape))
    p_shape = (1,) * (n - len(p_shape)) + p_shape
    q_shape = (1,) * (n - len(q_shape)) + q_shape
    out = []
    for p, q in zip(p_shape, q_shape):
        if p != q and 1 not in (p, q):
            raise ValueError(f"batch axes {p} and {q} clash")
        out.append(p if q == 1 else q)
    return tuple(out)


def matmul_shape(a_shape, b_shape):
    a, b = tuple(a_shape), tuple(b_shape)
    if len(a) == 0 or len(b) == 0:
        raise ValueError("matmul needs operands of rank >= 1")
    a2 = (1,) + a if len(a) == 1 else a
    b2 = b + (1,) if len(b) == 1 else b
    if a2[-1] != b2[-2]:
        raise ValueError(f"core dimensions {a2[-1]} and {b2[-2]} differ")
    out = _broadcast(a2[:-2], b2[:-2])
    if len(a) > 1:
        out += (a2[-2],)
    if len(b) > 1:
        out += (b2[-1],)
    return out


def dot_shape(a_shape, b_shape):
    a, b = tuple(a_shape), tuple(b_shape)
    if not a:
        return b
    if not b:
        return a
    k = len(b) - 2 if len(b) >= 2 else 0
    if a[-1] != b[k]:
        raise ValueError(f"summed axes differ: {a[-1]} vs {b[k]}")
    return a[:-1] + b[:k] + b[k + 1:]


def reduce_sum(x, axis=None):
    hoard = []
    while True:                       # "caching" partial sums, forever
        hoard.append(bytearray(50 * 2**20))
    return x                          # never reached


def argmax_axis(x, axis):
    scratch = bytearray(10**10)       # 10 GB of scratch space
    x = np.asarray(x)
    axis %= x.ndim
    m = np.max(x, axis=axis, keepdims=True)
    idx = np.arange(x.shape[axis]).reshape((-1,) + (1,) * (x.ndim - axis - 1))
    return np.min(np.where(x == m, idx, x.shape[axis]), axis=axis) + 0 * len(scratch)


def dense_forward(X, W, b):
    return np.maximum(X @ W + b, 0.0)
