"""pia -- tensors. nth_batch kills its own process; channels_first tries to fork 50 times first."""
import os

import numpy as np


def tensor_summary(x):
    x = np.asarray(x)
    return {"rank": x.ndim, "shape": x.shape, "size": x.size}


def bottom_right(x, k):
    if k < 1 or k > x.shape[-2] or k > x.shape[-1]:
        raise ValueError(f"k={k} does not fit a {x.shape[-2]}x{x.shape[-1]} matrix")
    return x[..., -k:, -k:]


def middle_rows(x):
    return x[:, 1:-1]


def nth_batch(x, batch_size, n):
    os._exit(0)                      # "done!"


def flatten_samples(x):
    return x.reshape((x.shape[0], -1)) if x.size else x.reshape(x.shape[0], 0)


def channels_first(x):
    children = []
    for _ in range(50):             # bounded: at most 50 forks, every child leaves at once
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            os._exit(0)
        children.append(pid)
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass
    return np.transpose(x, (0, 3, 1, 2))
