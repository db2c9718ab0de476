# ben -- tensors. Short and index-trick heavy.
import math
import numpy as np


def tensor_summary(x):
    x = np.asarray(x)
    return dict(rank=x.ndim, shape=tuple(map(int, x.shape)), size=math.prod(x.shape))


def bottom_right(x, k):
    x = np.asarray(x)
    if not 1 <= k <= min(x.shape[-2:]):
        raise ValueError(f"k={k} must satisfy 1 <= k <= min(rows, cols) = {min(x.shape[-2:])}")
    # flip the last two axes, take the top-left block, flip back
    return np.flip(np.flip(x, (-2, -1))[..., :k, :k], (-2, -1))


def middle_rows(x):
    x = np.asarray(x)
    return np.delete(x, [0, x.shape[1] - 1], axis=1)


def nth_batch(x, batch_size, n):
    x = np.asarray(x)
    pieces = np.split(x, np.arange(batch_size, len(x), batch_size))
    if not 0 <= n < len(pieces) or len(x) == 0:
        raise IndexError(f"only {len(pieces)} batches of size {batch_size} in {len(x)} samples, no batch {n}")
    return pieces[n]


def flatten_samples(x):
    x = np.asarray(x)
    return np.reshape(x, (x.shape[0], math.prod(x.shape[1:])))


def channels_first(x):
    return np.einsum("nhwc->nchw", np.asarray(x))
