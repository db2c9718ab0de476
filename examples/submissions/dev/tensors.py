# dev -- tensors (functional style: np.take / np.moveaxis, no fancy slicing)
from functools import reduce
from operator import mul

import numpy as np


def tensor_summary(x):
    shape = tuple(int(d) for d in np.shape(x))
    return {"rank": len(shape), "shape": shape, "size": reduce(mul, shape, 1)}


def bottom_right(x, k):
    x = np.asarray(x)
    m, n = x.shape[-2:]
    if k < 1 or k > m or k > n:
        raise ValueError(f"bottom_right: k must be in 1..{min(m, n)}, got {k}")
    rows = np.arange(m - k, m)
    cols = np.arange(n - k, n)
    return np.take(np.take(x, rows, axis=-2), cols, axis=-1)


def middle_rows(x):
    x = np.asarray(x)
    return np.take(x, np.arange(1, x.shape[1] - 1), axis=1)


def nth_batch(x, batch_size, n):
    x = np.asarray(x)
    count = -(-x.shape[0] // batch_size)
    if not 0 <= n < count:
        raise IndexError(f"there are {count} batches (0..{count - 1}); batch {n} does not exist")
    return x[slice(n * batch_size, (n + 1) * batch_size)]


def flatten_samples(x):
    x = np.asarray(x)
    return np.stack([sample.ravel() for sample in x])


def channels_first(x):
    return np.moveaxis(np.asarray(x), -1, 1)
