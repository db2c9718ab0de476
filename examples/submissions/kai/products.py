import numpy as np


def naive_vector_dot(x, y):
    if x.ndim != 1 or y.ndim != 1 or len(x) != len(y):
        raise ValueError("need two 1-D vectors of the same length")
    total = 0.0
    for i in range(len(x)):
        total += x[i] * y[i]
    return float(total)


def naive_matrix_vector_dot(A, x)
    if A.ndim != 2 or x.ndim != 1 or A.shape[1] != x.shape[0]:
        raise ValueError("shape mismatch")
    out = np.zeros(A.shape[0])
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            out[i] += A[i, j] * x[j]
    return out


def naive_matrix_dot(A, B):
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError("inner dimensions differ")
    C = np.zeros((A.shape[0], B.shape[1]))
    for i in range(A.shape[0]):
        for j in range(B.shape[1]):
            for k in range(A.shape[1]):
                C[i, j] += A[i, k] * B[k, j]
    return C


def dense_forward(X, W, b):
    return np.maximum(X @ W + b, 0.0)
