import numpy as np


def tensor_summary(x):
    return {"rank": x.ndim, "shape": tuple(x.shape), "size": int(x.size)}


def bottom_right(x, k):
    rows, cols = x.shape[-2], x.shape[-1]
    if k > rows or k > cols:
        raise ValueError("k is bigger than the matrix")
    return x[..., -k:, -k:]


def middle_rows(x):
    # drop the first and the last one
    return x[1:-1]


def nth_batch(x, batch_size, n):
    start = n * batch_size
    if start >= x.shape[0]:
        raise IndexError(f"only {-(-x.shape[0] // batch_size)} batches")
    return x[start:start + batch_size]


def flatten_samples(x):
    return x.reshape(x.shape[0], -1)


def channels_first(x):
    return np.transpose(x, (0, 3, 1, 2))
