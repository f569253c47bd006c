"""The 2-D toy data sets of glassnet.datasets (the lab's decision-boundary pictures)."""
import numpy as np
import pytest

from glassnet import datasets


@pytest.mark.parametrize("name", datasets.TOY_DATASETS)
def test_shapes_balance_and_reproducibility(name):
    x, y = datasets.load_toy(name, n_samples=101, seed=3)
    assert x.shape == (101, 2) and x.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1} and abs(int(y.sum()) - 50) <= 1
    again_x, again_y = datasets.load_toy(name, n_samples=101, seed=3)
    np.testing.assert_array_equal(x, again_x)
    np.testing.assert_array_equal(y, again_y)
    other_x, _ = datasets.load_toy(name, n_samples=101, seed=4)
    assert not np.array_equal(x, other_x)


def test_xor_labels_are_the_xor_of_the_signs_without_noise():
    x, y = datasets.make_xor(n_samples=200, noise=0.0, seed=0)
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] < 0).astype("int64"))


def test_circles_radii_without_noise():
    x, y = datasets.make_circles(n_samples=200, noise=0.0, factor=0.4, seed=0)
    radius = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(radius[y == 1], 0.4, rtol=1e-6)


def test_moons_lie_on_their_half_circles_without_noise():
    x, y = datasets.make_moons(n_samples=200, noise=0.0, seed=0)
    outer, inner = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0, rtol=1e-6)
    assert (outer[:, 1] >= -1e-6).all()
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0, rtol=1e-6)


def test_spirals_arms_are_half_a_turn_apart():
    x, y = datasets.make_spirals(n_samples=200, noise=0.0, turns=1.0, seed=0)
    radius = np.hypot(x[:, 0], x[:, 1])
    angle = np.arctan2(x[:, 1], x[:, 0])
    expected = 2 * np.pi * radius + np.pi * y          # angle = 2 pi turns s (+ pi), r = s
    difference = np.angle(np.exp(1j * (angle - expected)))
    np.testing.assert_allclose(difference, 0.0, atol=1e-5)


@pytest.mark.parametrize("call, message", [
    (lambda: datasets.load_toy("swirl"), "Unknown toy data set"),
    (lambda: datasets.make_moons(n_samples=1), "n_samples"),
    (lambda: datasets.make_moons(noise=-0.1), "noise"),
    (lambda: datasets.make_circles(factor=1.5), "factor"),
])
def test_bad_arguments_say_what_to_do(call, message):
    with pytest.raises(ValueError, match=message):
        call()
