"""The random-direction gradient check catches each classic backprop bug, at a cost (forward
evaluations) that does not depend on the number of parameters."""
import numpy as np
import pytest

from autograder.checks.gradient import build_forward, check_gradient


@pytest.fixture(scope="module")
def mlp(course, oracle):
    exercise = course.exercises["mlp_loss_and_grads"]
    group = next(g for g in exercise.checks if g.gradient is not None)
    assert group.gradient.mode == "directions"
    reference = oracle.namespace("backprop")["mlp_loss_and_grads"]
    return group.gradient, reference


def network(n, d, h, c, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.integers(-1, 2, size=(d, h)).astype(float), "b1": rng.integers(-2, 2, size=h) + 0.5,
              "W2": rng.normal(scale=0.5, size=(h, c)), "b2": rng.normal(scale=0.5, size=c)}
    X = rng.integers(-1, 2, size=(n, d)).astype(float)
    y = rng.integers(0, c, size=n)
    return {"params": params, "X": X, "y": y}


def mutate(grads, args, how):
    g = {k: v.copy() for k, v in grads.items()}
    n = len(args["y"])
    if how == "wrong sign":
        g = {k: -v for k, v in g.items()}
    elif how == "missing 1/N":
        g = {k: v * n for k, v in g.items()}
    elif how == "transposed":
        g["W2"] = g["W2"].T
    elif how == "one entry off by 1e-3 relative":
        index = np.unravel_index(np.argmax(np.abs(g["W1"])), g["W1"].shape)
        g["W1"][index] *= 1 + 1e-3
    elif how == "missing bias sum":
        g["b2"] = g["b2"] / n  # one sample's share instead of the sum over the batch
    return g


MUTATIONS = ["wrong sign", "missing 1/N", "transposed", "one entry off by 1e-3 relative", "missing bias sum"]


@pytest.mark.parametrize("how", MUTATIONS)
def test_each_seeded_bug_is_caught(mlp, how):
    spec, reference = mlp
    forward = build_forward(spec.forward, ["params", "X", "y"])
    for seed in range(5):
        args = network(6, 4, 5, 5, seed)  # W2 square (5×5), so a transposed dW2 keeps its shape
        loss, grads = reference(**args)
        rng = np.random.default_rng(seed)
        assert check_gradient(args, (loss, grads), spec, forward, rng) is None
        difference = check_gradient(args, (loss, mutate(grads, args, how)), spec, forward, rng)
        assert difference is not None, f"{how} not caught (seed {seed})"
        assert "disagree with finite differences" in difference.summary


def test_cost_does_not_depend_on_parameter_count(mlp):
    spec, reference = mlp
    base = build_forward(spec.forward, ["params", "X", "y"])
    counts = {}
    for hidden in (3, 300):
        calls = []

        def forward(**args):
            calls.append(1)
            return base(**args)

        args = network(8, 6, hidden, 4)
        loss, grads = reference(**args)
        assert check_gradient(args, (loss, grads), spec, forward, np.random.default_rng(0)) is None
        counts[hidden] = len(calls)
    assert counts[3] == counts[300] == 2 * spec.directions
