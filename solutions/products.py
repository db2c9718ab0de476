"""Reference solutions for the `products` assignment: dot products, matrix products and reductions."""
import numpy as np


def _as_shape(shape, name):
    """Check that `shape` is a tuple/list of non-negative ints and return it as a tuple."""
    try:
        shape = tuple(shape)
    except TypeError:
        raise ValueError(f"{name} must be a tuple of ints, got {shape!r}") from None
    for d in shape:
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)) or d < 0:
            raise ValueError(f"{name} must hold non-negative ints, got {shape!r}")
    return tuple(int(d) for d in shape)


def naive_vector_dot(x, y):
    """Dot product of two 1-D arrays, accumulated with an explicit loop."""
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"expected two 1-D vectors, got shapes {x.shape} and {y.shape}")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"length mismatch: {x.shape[0]} != {y.shape[0]}")
    total = 0.0
    for i in range(x.shape[0]):
        total += x[i] * y[i]
    return float(total)


def naive_matrix_vector_dot(A, x):
    """Matrix-vector product A @ x with explicit loops: entry i is row i of A dotted with x."""
    A, x = np.asarray(A), np.asarray(x)
    if A.ndim != 2 or x.ndim != 1:
        raise ValueError(f"expected a 2-D matrix and a 1-D vector, got shapes {A.shape} and {x.shape}")
    m, n = A.shape
    if x.shape[0] != n:
        raise ValueError(f"A has {n} columns but x has {x.shape[0]} entries")
    z = np.zeros(m)
    for i in range(m):
        for j in range(n):
            z[i] += A[i, j] * x[j]
    return z


def naive_matrix_dot(A, B):
    """Matrix product A @ B with explicit loops: entry (i, j) is row i of A dotted with column j of B."""
    A, B = np.asarray(A), np.asarray(B)
    if A.ndim != 2 or B.ndim != 2:
        raise ValueError(f"expected two 2-D matrices, got shapes {A.shape} and {B.shape}")
    m, n = A.shape
    if B.shape[0] != n:
        raise ValueError(f"inner dimensions differ: A is {A.shape}, B is {B.shape}")
    p = B.shape[1]
    Z = np.zeros((m, p))
    for i in range(m):
        for j in range(p):
            for k in range(n):
                Z[i, j] += A[i, k] * B[k, j]
    return Z


def _broadcast_batch(a, b):
    """NumPy's broadcasting rule for two batch shapes (align on the right, 1 stretches)."""
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + a  # pad the shorter shape with leading 1s
    b = (1,) * (n - len(b)) + b
    out = []
    for da, db in zip(a, b):
        if da == db or db == 1:
            out.append(da)
        elif da == 1:
            out.append(db)
        else:
            raise ValueError(f"batch dimensions {da} and {db} cannot be broadcast")
    return tuple(out)


def matmul_shape(a_shape, b_shape):
    """Shape of numpy.matmul(a, b): 1-D promotion, core (n, k) @ (k, m), broadcast batch axes."""
    a = _as_shape(a_shape, "a_shape")
    b = _as_shape(b_shape, "b_shape")
    if len(a) == 0 or len(b) == 0:
        raise ValueError("matmul does not accept scalars (rank-0 operands)")
    # A 1-D left operand is a row (1, n); a 1-D right operand is a column (n, 1).
    # The added axis is removed again from the result.
    a2 = (1,) + a if len(a) == 1 else a
    b2 = b + (1,) if len(b) == 1 else b
    if a2[-1] != b2[-2]:
        raise ValueError(f"core dimensions differ: {a2[-1]} (last of a) != {b2[-2]} (second-to-last of b)")
    batch = _broadcast_batch(a2[:-2], b2[:-2])
    rows = () if len(a) == 1 else (a2[-2],)
    cols = () if len(b) == 1 else (b2[-1],)
    return batch + rows + cols


def dot_shape(a_shape, b_shape):
    """Shape of numpy.dot(a, b): contract a's last axis with b's second-to-last (or only) axis."""
    a = _as_shape(a_shape, "a_shape")
    b = _as_shape(b_shape, "b_shape")
    if len(a) == 0:  # a scalar just scales the other operand
        return b
    if len(b) == 0:
        return a
    k = len(b) - 2 if len(b) >= 2 else 0  # the axis of b that is summed over
    if a[-1] != b[k]:
        raise ValueError(f"shapes {a} and {b} not aligned: {a[-1]} (last of a) != {b[k]} (axis {k} of b)")
    # No broadcasting: every remaining axis of a, then every remaining axis of b.
    return a[:-1] + b[:k] + b[k + 1:]


def reduce_sum(x, axis=None):
    """Sum of all entries (axis=None) or along one axis, like numpy.sum, by accumulating slices."""
    x = np.asarray(x)
    if axis is None:
        total = np.zeros((), dtype=x.dtype)
        for value in x.reshape(-1):
            total = total + value
        return total[()]  # a NumPy scalar, as numpy.sum returns
    if not -x.ndim <= axis < x.ndim:
        raise np.exceptions.AxisError(axis, x.ndim)
    axis = axis % x.ndim
    # Start from zeros of the reduced shape, then add one slice x[..., i, ...] at a time.
    total = np.zeros(x.shape[:axis] + x.shape[axis + 1:], dtype=x.dtype)
    for i in range(x.shape[axis]):
        total = total + np.take(x, i, axis=axis)
    return total


def argmax_axis(x, axis):
    """Index of the first maximum along `axis`, by a running best value and index."""
    x = np.asarray(x)
    if not -x.ndim <= axis < x.ndim:
        raise np.exceptions.AxisError(axis, x.ndim)
    n = x.shape[axis]
    if n == 0:
        raise ValueError("argmax of an empty axis is undefined")
    best = np.take(x, 0, axis=axis)
    index = np.zeros(best.shape, dtype=np.intp)
    for i in range(1, n):
        candidate = np.take(x, i, axis=axis)
        better = candidate > best  # strict: a tie keeps the earlier index
        best = np.where(better, candidate, best)
        index = np.where(better, i, index)
    return index[()]  # a 1-D x gives a NumPy integer, like numpy.argmax


def dense_forward(X, W, b):
    """Dense layer with ReLU: relu(X @ W + b), b broadcast over the rows of the batch."""
    X, W, b = np.asarray(X), np.asarray(W), np.asarray(b)
    return np.maximum(X @ W + b, 0.0)
