"""gradient: the student's gradients against central differences of a trusted forward function.

In `directions` mode (the default) each random unit direction v costs two forward evaluations,
f(θ + h v) and f(θ - h v), compared with the analytic directional derivative Σ <g_i, v_i>; the cost
does not grow with the number of parameters. `full` mode checks every entry (small inputs only).
The error is relative: |a - n| / max(|a|, |n|, tiny), over the vector of directional derivatives.
"""
from __future__ import annotations

import copy
import functools
import sys
from typing import Any

import numpy as np

from . import Difference
from .helpers import namespace as helper_namespace


@functools.lru_cache(maxsize=256)
def _forward_code(source: str):
    return compile(source, "<forward>", "exec" if "def forward" in source else "eval")


def build_forward(source: str, parameters: list[str]):
    """A callable forward(**args) from trusted course code: an expression or a `def forward`."""
    scope = helper_namespace(with_sympy="sympy" in source or "sympy" in sys.modules)
    if "def forward" in source:
        exec(_forward_code(source), scope)  # trusted course code
        return scope["forward"]
    code = _forward_code(source.strip())
    return lambda **args: eval(code, dict(scope, **args))  # trusted course code


def get_path(container: Any, path: str) -> Any:
    for part in [p for p in path.split(".") if p != ""]:
        if isinstance(container, dict):
            container = container[part]
        elif isinstance(container, (list, tuple)):
            container = container[int(part)]
        else:
            raise KeyError(part)
    return container


def _set_path(args: dict, path: str, value) -> dict:
    parts = path.split(".")
    if len(parts) == 1:
        args[parts[0]] = value
    else:
        get_path(args, ".".join(parts[:-1]))[parts[-1]] = value
    return args


def check_gradient(args: dict, output: Any, spec, forward, rng: np.random.Generator) -> Difference | None:
    grads = []
    for target, where in zip(spec.wrt, spec.grads):
        theta = np.asarray(get_path(args, target), dtype=float)
        try:
            grad = get_path(output, where)
        except (KeyError, IndexError, ValueError, TypeError):
            label = f"output[{where}]" if where else "the output"
            return Difference(f"could not find the gradient for {target} at {label} of what you returned")
        if not isinstance(grad, np.ndarray) and np.ndim(grad) == 0 and theta.ndim == 0:
            grad = np.asarray(grad, dtype=float)
        if not isinstance(grad, np.ndarray):
            return Difference(f"the gradient for {target} should be a numpy.ndarray of shape {theta.shape}, got {type(grad).__name__}")
        if grad.shape != theta.shape:
            hint = " — did you transpose?" if grad.shape == theta.shape[::-1] and theta.ndim > 1 else ""
            return Difference(f"the gradient for {target} has shape {grad.shape}, but {target} has shape {theta.shape}{hint}")
        if grad.dtype.kind not in "iuf":
            return Difference(f"the gradient for {target} has dtype {grad.dtype}, expected floats")
        if not np.all(np.isfinite(grad)):
            return Difference(f"the gradient for {target} contains NaN or inf")
        grads.append(grad.astype(float))

    def f_at(step: list[np.ndarray], scale: float) -> float:
        moved = copy.deepcopy(args)
        for target, delta in zip(spec.wrt, step):
            base = np.asarray(get_path(args, target), dtype=float)
            _set_path(moved, target, base + scale * delta)
        return float(forward(**moved))

    if spec.mode == "full":
        return _full(args, grads, spec, f_at)
    analytic, numeric = [], []
    for _ in range(spec.directions):
        direction = [rng.normal(size=g.shape) for g in grads]
        norm = np.sqrt(sum(float(np.sum(d * d)) for d in direction)) or 1.0
        direction = [d / norm for d in direction]
        numeric.append((f_at(direction, spec.h) - f_at(direction, -spec.h)) / (2 * spec.h))
        analytic.append(sum(float(np.sum(g * d)) for g, d in zip(grads, direction)))
    analytic, numeric = np.array(analytic), np.array(numeric)
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric), 1e-8)
    error = float(np.linalg.norm(analytic - numeric) / scale)
    if error <= spec.rtol:
        return None
    names = ", ".join(spec.wrt)
    summary = (f"your gradients for {names} disagree with finite differences of the loss: relative error "
               f"{error:.2g} along {spec.directions} random directions (tolerance {spec.rtol:g})")
    detail = summary + (f"\n directional derivatives from your gradients: {np.array2string(analytic, precision=6)}"
                        f"\n central differences (h={spec.h:g}):        {np.array2string(numeric, precision=6)}")
    if np.allclose(analytic, -numeric, rtol=1e-4, atol=1e-9):
        detail += "\n they have opposite signs: check the sign of your gradient"
    return Difference(summary, detail)


def _full(args, grads, spec, f_at) -> Difference | None:
    for target, grad in zip(spec.wrt, grads):
        index_of = spec.wrt.index(target)
        numeric = np.zeros_like(grad)
        for index in np.ndindex(grad.shape):
            step = [np.zeros_like(g) for g in grads]
            step[index_of][index] = 1.0
            numeric[index] = (f_at(step, spec.h) - f_at(step, -spec.h)) / (2 * spec.h)
        # entries far smaller than the largest are judged against that scale: finite differences
        # cannot resolve them relatively, so a relative test there only measures noise
        floor = max(1e-8, 1e-3 * float(np.max(np.abs(numeric), initial=0.0)))
        scale = np.maximum(np.maximum(np.abs(grad), np.abs(numeric)), floor)
        error = np.abs(grad - numeric) / scale
        if error.max() > spec.rtol:
            worst = np.unravel_index(int(np.argmax(error)), error.shape)
            where = f"[{', '.join(map(str, worst))}]" if grad.ndim else ""
            summary = (f"d/d{target}{where}: your gradient disagrees with central differences "
                       f"(relative error {error.max():.2g}, tolerance {spec.rtol:g})")
            return Difference(summary, summary + f"\n yours: {grad[worst]:.8g}\n finite differences: {numeric[worst]:.8g}")
    return None
