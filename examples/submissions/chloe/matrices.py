"""Chloe -- matrices. Everything goes through one small row-reduction class working on Python lists."""
from fractions import Fraction

import numpy as np


class RowReducer:
    """Rows of an augmented matrix as Python lists, with the three elementary row operations."""

    def __init__(self, rows):
        self.rows = [list(r) for r in rows]
        self.swaps = 0

    def pivot(self, col, start):
        best = max(range(start, len(self.rows)), key=lambda r: abs(self.rows[r][col]))
        return best

    def swap(self, i, j):
        if i != j:
            self.rows[i], self.rows[j] = self.rows[j], self.rows[i]
            self.swaps += 1

    def scale(self, i, factor):
        self.rows[i] = [v * factor for v in self.rows[i]]

    def add_multiple(self, target, source, factor):
        src = self.rows[source]
        self.rows[target] = [t + factor * s for t, s in zip(self.rows[target], src)]

    def gauss_jordan(self, n, threshold):
        """Reduce the first n columns to the identity; ValueError when a pivot is too small."""
        for c in range(n):
            p = self.pivot(c, c)
            if abs(self.rows[p][c]) <= threshold:
                raise ValueError(f"matrix is singular: best pivot in column {c} is {self.rows[p][c]!r}")
            self.swap(c, p)
            self.scale(c, 1.0 / self.rows[c][c])
            for r in range(len(self.rows)):
                if r != c and self.rows[r][c] != 0:
                    self.add_multiple(r, c, -self.rows[r][c])
        return self


def _as_square(A):
    A = np.asarray(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"expected a square 2-D matrix, got shape {A.shape}")
    return A


def trace(A):
    A = _as_square(A).tolist()
    return float(sum(A[i][i] for i in range(len(A))))


def is_symmetric(A, tol=1e-8):
    A = np.asarray(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        return False
    return bool(np.max(np.abs(A - A.T), initial=0.0) <= tol)


def is_orthogonal(Q, tol=1e-8):
    Q = np.asarray(Q, dtype=float)
    if Q.ndim != 2 or Q.shape[0] != Q.shape[1]:
        return False
    cols = Q.T.tolist()
    n = len(cols)
    for i in range(n):
        for j in range(n):
            g = sum(a * b for a, b in zip(cols[i], cols[j]))
            if abs(g - (1.0 if i == j else 0.0)) > tol:
                return False
    return True


def matrix_inverse(A):
    A = _as_square(A).astype(float)
    n = A.shape[0]
    eye = np.eye(n).tolist()
    reducer = RowReducer([row + e for row, e in zip(A.tolist(), eye)])
    reducer.gauss_jordan(n, 1e-10 * float(np.max(np.abs(A), initial=0.0)))
    return np.asarray([row[n:] for row in reducer.rows], dtype=float).reshape(n, n)


def is_inverse(A, B, tol=1e-8):
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape != B.shape:
        return False
    eye = np.eye(A.shape[0])
    return bool(np.all(np.abs(A @ B - eye) <= tol) and np.all(np.abs(B @ A - eye) <= tol))


def determinant(A):
    """Exact elimination in rational arithmetic on the (exactly representable) float entries."""
    A = _as_square(A).astype(float)
    reducer = RowReducer([[Fraction(v) for v in row] for row in A.tolist()])
    n = len(reducer.rows)
    det = Fraction(1)
    for c in range(n):
        p = reducer.pivot(c, c)
        if reducer.rows[p][c] == 0:
            return 0.0
        reducer.swap(c, p)
        pivot = reducer.rows[c][c]
        det *= pivot
        for r in range(c + 1, n):
            if reducer.rows[r][c] != 0:
                reducer.add_multiple(r, c, -reducer.rows[r][c] / pivot)
    if reducer.swaps % 2:
        det = -det
    return float(det)


def solve(A, b):
    A = _as_square(A).astype(float)
    b = np.asarray(b, dtype=float)
    n = A.shape[0]
    if b.shape != (n,):
        raise ValueError(f"b must have shape ({n},), got {b.shape}")
    reducer = RowReducer([row + [v] for row, v in zip(A.tolist(), b.tolist())])
    reducer.gauss_jordan(n, 1e-10 * float(np.max(np.abs(A), initial=0.0)))
    return np.asarray([row[n] for row in reducer.rows], dtype=float)
