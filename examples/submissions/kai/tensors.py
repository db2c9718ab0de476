import numpy as np


def tensor_summary(x):
    x = np.asarray(x)
    size = 1
    for n in x.shape:
        size *= n
    return {"rank": x.ndim, "shape": tuple(x.shape), "size": size}


def bottom_right(x, k):
    x = np.asarray(x)
    if k < 1 or k > min(x.shape[-2], x.shape[-1]):
        raise ValueError(f"k = {k} out of range for {x.shape[-2]}x{x.shape[-1]} matrices")
    return x[..., -k:, -k:]


def middle_rows(x):
    return np.asarray(x)[:, 1:-1, :]


def nth_batch(x, batch_size, n):
    x = np.asarray(x)
    if n * batch_size >= x.shape[0]:
        raise IndexError(f"batch {n} does not exist; there are {-(-x.shape[0] // batch_size)} batches")
    return x[n * batch_size:(n + 1) * batch_size]


def flatten_samples(x):
    x = np.asarray(x)
    return x.reshape(x.shape[0], int(np.prod(x.shape[1:])))


def channels_first(x):
    return np.transpose(np.asarray(x), (0, 3, 1, 2))
