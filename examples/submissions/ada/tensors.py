"""Assignment 1 (tensors) -- Ada.

I like to spell things out: small helpers, explicit checks, and loops where they are harmless.
"""
import numpy as np


def _product(lengths):
    """Product of a sequence of axis lengths (the empty product is 1)."""
    result = 1
    for n in lengths:
        result = result * int(n)
    return result


def tensor_summary(x):
    arr = np.asarray(x)
    lengths = tuple(int(n) for n in arr.shape)
    return {"rank": len(lengths), "shape": lengths, "size": _product(lengths)}


def bottom_right(x, k):
    arr = np.asarray(x)
    if arr.ndim < 2:
        raise ValueError(f"expected a stack of matrices (rank >= 2), got rank {arr.ndim}")
    rows, cols = arr.shape[-2], arr.shape[-1]
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if k > rows or k > cols:
        raise ValueError(f"k={k} is larger than the matrices ({rows} x {cols})")
    return arr[..., rows - k:rows, cols - k:cols].copy()


def middle_rows(x):
    arr = np.asarray(x)
    m = arr.shape[1]
    keep = list(range(1, m - 1))          # rows 1 .. m-2 (empty when m <= 2)
    return arr[:, keep, :]


def nth_batch(x, batch_size, n):
    arr = np.asarray(x)
    total = arr.shape[0]
    how_many = (total + batch_size - 1) // batch_size
    start = n * batch_size
    if n < 0 or start >= total:
        raise IndexError(f"batch {n} does not exist: {total} samples make {how_many} batches of {batch_size}")
    stop = min(start + batch_size, total)
    return arr[start:stop]


def flatten_samples(x):
    arr = np.asarray(x)
    features = _product(arr.shape[1:])
    return arr.reshape(arr.shape[0], features)


def channels_first(x):
    arr = np.asarray(x)
    n, h, w, c = arr.shape
    out = np.empty((n, c, h, w), dtype=arr.dtype)
    for k in range(c):
        out[:, k, :, :] = arr[:, :, :, k]
    return out
