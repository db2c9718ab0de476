"""Assignment 4 (matrices) -- Ada."""
import numpy as np


def _square(name, A):
    A = np.asarray(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {A.shape}")
    return A


def _is_square(A):
    return A.ndim == 2 and A.shape[0] == A.shape[1]


def trace(A):
    A = _square("A", A)
    total = 0.0
    for i in range(A.shape[0]):
        total += float(A[i, i])
    return total


def is_symmetric(A, tol=1e-8):
    A = np.asarray(A)
    if not _is_square(A):
        return False
    n = A.shape[0]
    for i in range(n):
        for j in range(i + 1, n):
            if abs(A[i, j] - A[j, i]) > tol:
                return False
    return True


def _close_to_identity(M, tol):
    n = M.shape[0]
    for i in range(n):
        for j in range(n):
            target = 1.0 if i == j else 0.0
            if not abs(M[i, j] - target) <= tol:
                return False
    return True


def is_orthogonal(Q, tol=1e-8):
    Q = np.asarray(Q, dtype=float)
    if not _is_square(Q):
        return False
    return _close_to_identity(Q.T @ Q, tol)


def _pivot_row(M, c):
    best, best_row = -1.0, c
    for r in range(c, M.shape[0]):
        if abs(M[r, c]) > best:
            best, best_row = abs(M[r, c]), r
    return best_row


def matrix_inverse(A):
    A = _square("A", A).astype(float)
    n = A.shape[0]
    threshold = 1e-10 * (np.max(np.abs(A)) if A.size else 0.0)
    M = np.zeros((n, 2 * n))
    M[:, :n] = A
    for i in range(n):
        M[i, n + i] = 1.0
    for c in range(n):
        p = _pivot_row(M, c)
        if abs(M[p, c]) <= threshold:
            raise ValueError("the matrix is singular (no usable pivot in column %d)" % c)
        if p != c:
            M[[c, p], :] = M[[p, c], :]
        M[c, :] = M[c, :] / M[c, c]
        for r in range(n):
            if r != c and M[r, c] != 0.0:
                M[r, :] = M[r, :] - M[r, c] * M[c, :]
    return M[:, n:].copy()


def is_inverse(A, B, tol=1e-8):
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if not (_is_square(A) and _is_square(B)) or A.shape != B.shape:
        return False
    return _close_to_identity(A @ B, tol) and _close_to_identity(B @ A, tol)


def determinant(A):
    U = _square("A", A).astype(float)
    n = U.shape[0]
    sign = 1.0
    for c in range(n):
        p = _pivot_row(U, c)
        if U[p, c] == 0.0:
            return 0.0
        if p != c:
            U[[c, p], :] = U[[p, c], :]
            sign = -sign
        for r in range(c + 1, n):
            factor = U[r, c] / U[c, c]
            U[r, c:] = U[r, c:] - factor * U[c, c:]
    det = sign
    for c in range(n):
        det *= U[c, c]
    return float(det)


def solve(A, b):
    A = _square("A", A).astype(float)
    b = np.asarray(b, dtype=float)
    n = A.shape[0]
    if b.ndim != 1 or b.shape[0] != n:
        raise ValueError(f"b must have {n} entries, got shape {b.shape}")
    threshold = 1e-10 * (np.max(np.abs(A)) if A.size else 0.0)
    M = np.zeros((n, n + 1))
    M[:, :n] = A
    M[:, n] = b
    # forward elimination with partial pivoting
    for c in range(n):
        p = _pivot_row(M, c)
        if abs(M[p, c]) <= threshold:
            raise ValueError("the matrix is singular: the system has no unique solution")
        if p != c:
            M[[c, p], :] = M[[p, c], :]
        for r in range(c + 1, n):
            M[r, :] = M[r, :] - (M[r, c] / M[c, c]) * M[c, :]
    # back substitution
    x = np.zeros(n)
    for i in range(n - 1, -1, -1):
        acc = M[i, n]
        for j in range(i + 1, n):
            acc -= M[i, j] * x[j]
        x[i] = acc / M[i, i]
    return x
