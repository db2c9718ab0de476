"""Reference solutions for the `broadcasting` assignment: element-wise operations and broadcasting."""
import numpy as np


def naive_add(x, y):
    """Element-wise sum of two 2-D arrays of the same shape, with explicit loops."""
    if x.ndim != 2 or y.ndim != 2:
        raise ValueError(f"expected two 2-D arrays, got ranks {x.ndim} and {y.ndim}")
    if x.shape != y.shape:
        raise ValueError(f"shapes differ: {x.shape} and {y.shape}")
    # A fresh output leaves the inputs untouched, and its dtype is that of x + y
    # (copying x and adding in place would truncate when x is integer and y is float).
    out = np.empty(x.shape, dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = x[i, j] + y[i, j]
    return out


def naive_add_matrix_vector(x, y):
    """Add the vector y to every row of the 2-D array x, with explicit loops."""
    if x.ndim != 2 or y.ndim != 1:
        raise ValueError(f"expected a 2-D array and a 1-D array, got ranks {x.ndim} and {y.ndim}")
    if x.shape[1] != y.shape[0]:
        raise ValueError(f"x has {x.shape[1]} columns but y has {y.shape[0]} entries")
    out = np.empty(x.shape, dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            # y is indexed by the column only: it is repeated down the rows.
            out[i, j] = x[i, j] + y[j]
    return out


def broadcast_shape(a_shape, b_shape):
    """The shape NumPy's broadcasting gives two arrays of shapes a_shape and b_shape."""
    # Align the shapes on the right by padding the shorter one with leading 1s.
    rank = max(len(a_shape), len(b_shape))
    a = (1,) * (rank - len(a_shape)) + tuple(a_shape)
    b = (1,) * (rank - len(b_shape)) + tuple(b_shape)
    out = []
    for da, db in zip(a, b):
        if da == db or db == 1:
            out.append(int(da))  # equal, or b is stretched (this also gives 0 against 1)
        elif da == 1:
            out.append(int(db))  # a is stretched
        else:
            raise ValueError(f"shapes {tuple(a_shape)} and {tuple(b_shape)} do not broadcast: {da} vs {db}")
    return tuple(out)


def relu(x):
    """max(x, 0) element-wise, keeping the dtype of x."""
    # The Python int 0 does not change the dtype: integer in, integer out.
    return np.maximum(x, 0)


def standardize_columns(X):
    """Subtract each column's mean and divide by its population standard deviation."""
    # keepdims gives shape (1, d): broadcast down the rows, one statistic per column.
    mean = X.mean(axis=0, keepdims=True)
    std = X.std(axis=0, keepdims=True)  # ddof=0: population std, divide by N
    return (X - mean) / std


def pairwise_sq_distances(A, B):
    """(m, d) and (n, d) points -> (m, n) matrix of squared Euclidean distances."""
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[1]:
        raise ValueError(f"expected (m, d) and (n, d) arrays, got {A.shape} and {B.shape}")
    # (m, 1, d) - (1, n, d) broadcasts to (m, n, d): every difference a_i - b_j at once.
    diff = A[:, None, :] - B[None, :, :]
    return np.sum(diff ** 2, axis=-1)
