import numpy as np


def tensor_summary(x):
    return {"rank": int(x.ndim), "shape": tuple(int(s) for s in x.shape), "size": int(x.size)}


def bottom_right(x, k):
    if not 1 <= k <= min(x.shape[-2:]):
        raise ValueError("k must be between 1 and the smaller matrix side")
    return x[..., -k:, -k:]


def middle_rows(x):
    return x[:, 1:-1, :]


def nth_batch(x, batch_size, n):
    if n * batch_size >= len(x):
        raise IndexError("no such batch (there are %d)" % -(-len(x) // batch_size))
    return x[n * batch_size:(n + 1) * batch_size]


def flatten_samples(x):
    return x.reshape(len(x), -1)


def channels_first(x):
    return x.transpose(0, 3, 1, 2)
