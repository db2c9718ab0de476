"""Reference solutions for the `tensors` assignment: rank, shape, slicing and batches."""
import numpy as np


def tensor_summary(x):
    """Return the rank (number of axes), shape and number of entries of an array."""
    # Plain Python ints and a tuple, so the summary does not depend on NumPy's scalar types.
    return {"rank": int(x.ndim), "shape": tuple(int(d) for d in x.shape), "size": int(x.size)}


def bottom_right(x, k):
    """Return the k-by-k bottom-right block of every matrix in a stack (the last two axes)."""
    if x.ndim < 2:
        raise ValueError(f"need at least 2 axes (a matrix or a stack of matrices), got rank {x.ndim}")
    rows, cols = x.shape[-2:]
    # k = 0 must be rejected explicitly: x[..., -0:, -0:] would silently return the whole matrix.
    if k < 1 or k > min(rows, cols):
        raise ValueError(f"k must be between 1 and {min(rows, cols)} for {rows}x{cols} matrices, got {k}")
    # The Ellipsis keeps every leading (stack) axis whole, whatever the rank.
    return x[..., rows - k:, cols - k:]


def middle_rows(x):
    """Drop the first and the last row of every matrix in a rank-3 tensor."""
    if x.ndim != 3:
        raise ValueError(f"expected a rank-3 tensor (matrices, rows, columns), got rank {x.ndim}")
    # Axis 0 indexes the matrices, axis 1 the rows: slice axis 1 only.
    return x[:, 1:-1, :]


def nth_batch(x, batch_size, n):
    """Return batch number n (counting from 0) of x along axis 0; the last batch may be short."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    start = n * batch_size
    # A batch exists only if its first sample exists.
    if n < 0 or start >= x.shape[0]:
        n_batches = -(-x.shape[0] // batch_size)  # ceil(len / batch_size)
        raise IndexError(f"batch {n} does not exist: {x.shape[0]} samples make {n_batches} batches of {batch_size}")
    # Slicing clips at the end, which gives the short last batch for free.
    return x[start:start + batch_size]


def flatten_samples(x):
    """Keep axis 0 (the samples) and flatten all the other axes into one feature axis."""
    if x.ndim < 1:
        raise ValueError("a rank-0 array has no samples axis")
    # Spell the feature count out instead of -1: reshape(0, -1) is ambiguous for an empty batch.
    features = int(np.prod(x.shape[1:]))
    return x.reshape(x.shape[0], features)


def channels_first(x):
    """Reorder (samples, height, width, channels) into (samples, channels, height, width)."""
    if x.ndim != 4:
        raise ValueError(f"expected a rank-4 tensor (samples, height, width, channels), got rank {x.ndim}")
    # New axis i is old axis order[i]: samples stay first, channels (old axis 3) move to position 1.
    # A reshape would give the right shape with scrambled values; the axes must be permuted.
    return np.transpose(x, (0, 3, 1, 2))
