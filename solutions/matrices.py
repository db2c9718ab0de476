"""Reference solutions for the `matrices` assignment: special matrices and inverses."""
import numpy as np

# A pivot counts as zero when it is this small relative to the largest entry of the matrix:
# rounding in elimination leaves ~1e-16-sized remainders where exact arithmetic gives 0.
PIVOT_RTOL = 1e-10


def _square(A, what):
    """A as a float array, after checking that it is a square 2-D matrix."""
    A = np.asarray(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"{what} needs a square 2-D matrix, got shape {A.shape}")
    return A.astype(float)  # astype copies: the caller's matrix is never modified


def _gauss_jordan(A, B):
    """Reduce the augmented matrix [A | B] until A is the identity; return what B became (A^{-1} B)."""
    n = A.shape[0]
    M = np.hstack([A, B])  # a fresh array: the row operations below never touch the inputs
    threshold = PIVOT_RTOL * np.max(np.abs(A), initial=0.0)
    for col in range(n):
        # Partial pivoting: bring the largest candidate (in absolute value) onto the diagonal.
        pivot = col + int(np.argmax(np.abs(M[col:, col])))
        if abs(M[pivot, col]) <= threshold:
            raise ValueError("the matrix is singular (no usable pivot in column %d)" % col)
        M[[col, pivot]] = M[[pivot, col]]
        M[col] = M[col] / M[col, col]  # scale the pivot row so the pivot is 1
        for row in range(n):  # clear the column above and below the pivot
            if row != col:
                M[row] = M[row] - M[row, col] * M[col]
    return M[:, n:]


def trace(A):
    """Sum of the diagonal entries of a square matrix."""
    A = np.asarray(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"the trace needs a square 2-D matrix, got shape {A.shape}")
    total = 0.0
    for i in range(A.shape[0]):
        total += A[i, i]
    return float(total)


def is_symmetric(A, tol=1e-8):
    """True when A is square and every |A[i, j] - A[j, i]| <= tol."""
    A = np.asarray(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        return False  # a non-square matrix cannot equal its transpose
    return bool(np.all(np.abs(A - A.T) <= tol))


def is_orthogonal(Q, tol=1e-8):
    """True when Q is square and Q^T Q equals the identity to within tol in every entry."""
    Q = np.asarray(Q, dtype=float)
    if Q.ndim != 2 or Q.shape[0] != Q.shape[1]:
        return False  # orthonormal columns in a tall matrix are not enough: Q Q^T != I
    return bool(np.all(np.abs(Q.T @ Q - np.eye(Q.shape[0])) <= tol))


def matrix_inverse(A):
    """Inverse of a square matrix by Gauss-Jordan elimination with partial pivoting."""
    A = _square(A, "the inverse")
    return _gauss_jordan(A, np.eye(A.shape[0]))


def is_inverse(A, B, tol=1e-8):
    """True when AB = I and BA = I, each to within tol in every entry."""
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if A.ndim != 2 or B.ndim != 2 or A.shape[0] != A.shape[1] or A.shape != B.shape:
        return False  # both products can only be identities when A and B are square of one size
    eye = np.eye(A.shape[0])
    return bool(np.all(np.abs(A @ B - eye) <= tol) and np.all(np.abs(B @ A - eye) <= tol))


def determinant(A):
    """Determinant by Gaussian elimination: product of the pivots, sign flipped per row swap."""
    U = _square(A, "the determinant")
    n = U.shape[0]
    det = 1.0
    for col in range(n):
        pivot = col + int(np.argmax(np.abs(U[col:, col])))
        if U[pivot, col] == 0:
            return 0.0  # the whole column below the diagonal is zero: the rows are dependent
        if pivot != col:
            U[[col, pivot]] = U[[pivot, col]]
            det = -det  # every row swap flips the sign
        det *= U[col, col]
        # Subtracting multiples of the pivot row leaves the determinant unchanged.
        U[col + 1:] -= np.outer(U[col + 1:, col] / U[col, col], U[col])
    return float(det)


def solve(A, b):
    """Solution x of A x = b by Gauss-Jordan elimination on [A | b] with partial pivoting."""
    A = _square(A, "solve")
    b = np.asarray(b, dtype=float)
    if b.ndim not in (1, 2) or b.shape[0] != A.shape[0]:
        raise ValueError(f"b must have {A.shape[0]} rows to match A, got shape {b.shape}")
    x = _gauss_jordan(A, b.reshape(A.shape[0], -1))
    return x.reshape(b.shape)
