import numpy as np


def tensor_summary(x):
    return {"rank": np.ndim(x), "shape": np.shape(x), "size": np.size(x)}


def bottom_right(x, k):
    if k < 1 or k > x.shape[-1] or k > x.shape[-2]:
        raise ValueError("bad k")
    return x[..., x.shape[-2] - k:, x.shape[-1] - k:]


def middle_rows(x):
    return x[:, 1:x.shape[1] - 1, :]


def nth_batch(x, batch_size, n):
    # batch 1 is the first batch
    if n * batch_size >= len(x):
        raise IndexError(f"there are only {-(-len(x) // batch_size)} batches")
    return x[(n - 1) * batch_size:n * batch_size]


def flatten_samples(x):
    return x.reshape(x.shape[0], x.shape[1] * x.shape[2])


def channels_first(x):
    n, h, w, c = x.shape
    return x.reshape(n, c, h, w)
