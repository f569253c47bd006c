"""The report's conclusions follow the numbers they are given, whichever way those go."""
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("scipy")

from glassnet.lab.analyses import ANALYSES  # noqa: E402
from glassnet.lab.figures import style  # noqa: E402


def record(experiment, config, seed, **metrics):
    return {"experiment": experiment, "config": config, "seed": seed, "metrics": metrics}


def conclusion(experiment, records, lang="en"):
    with style(lang):
        return " ".join(ANALYSES[experiment](records, lang).conclusion)


def activation_records(accuracy):
    """``accuracy[dataset][activation]`` for 3 seeds (+-0.001 around it)."""
    return [record("activations", {"dataset": d, "activation": a, "n_samples": 400, "depth": 2,
                                   "width": 16, "learning_rate": 0.01, "epochs": 60}, seed,
                   test_accuracy=value + 0.001 * (seed - 1))
            for d, row in accuracy.items() for a, value in row.items() for seed in range(3)]


def test_activations_sort_each_activation_against_linear_by_its_paired_verdict():
    text = conclusion("activations", activation_records({
        "moons": {"sigmoid": 0.886, "tanh": 1.0, "relu": 1.0, "linear": 0.875},
        "spirals": {"sigmoid": 0.650, "tanh": 0.667, "relu": 0.981, "linear": 0.656},
        "digits": {"sigmoid": 0.853, "tanh": 0.962, "relu": 0.957, "linear": 0.959}}))
    # the same +-0.001 per seed on every arm: every paired difference is exact, so decided
    assert "moons, against linear (paired difference in points): better beyond seed noise: " \
           "sigmoid (+1.1), tanh (+12.5), relu (+12.5)." in text
    assert "digits, against linear (paired difference in points): better beyond seed noise: " \
           "tanh (+0.3); worse: sigmoid (-10.6), relu (-0.2)." in text
    assert "spirals" in text and "worse: sigmoid (-0.6)" in text
    assert "best" not in text                 # no ranking read from means alone


def vanishing_records(relu_deep_losses):
    config = {"width": 8, "learning_rate": 0.1, "batch_size": 32, "epochs": 3, "samples": 16}
    out = []
    for activation, depth, accuracy, ratio in [("sigmoid", 3, 0.2, 0.02), ("relu", 3, 0.96, 1.9),
                                               ("sigmoid", 10, 0.1, 1e-6), ("relu", 10, 0.76, 2.2)]:
        for seed in range(3):
            norms = [[ratio * 0.1] + [0.1] * depth] * 4
            losses = relu_deep_losses[seed] if (activation, depth) == ("relu", 10) \
                else [2.0, 1.0, 0.5, 0.4]
            item = record("vanishing", {**config, "activation": activation, "depth": depth}, seed,
                          test_accuracy=accuracy + 0.001 * seed,
                          first_to_last_gradient_start=ratio, first_to_last_gradient_end=ratio)
            item.update(series={"gradient_norms": norms, "loss": losses}, findings=[],
                        chain={"mean_derivative": [0.24] * depth,
                               "product_to_output": [0.24 ** (depth - i) for i in range(depth)]})
            out.append(item)
    return out


def test_vanishing_says_why_deep_relu_falls_behind_from_its_own_losses():
    text = conclusion("vanishing", vanishing_records(
        [[2.0, 0.56, 0.15, 1.43], [2.0, 0.6, 0.3, 0.25], [2.0, 0.5, 0.47, 1.14]]))
    assert "does not shrink on the way back (first/last ratio 2.2)" in text
    assert "climbs back up in 2 of 3 seeds (lowest and final loss: 0.15 → 1.43, 0.47 → 1.14)" \
        in text
    assert "halves the signal's variance" not in text      # the old unmeasured explanation
    steady = conclusion("vanishing", vanishing_records([[2.0, 1.0, 0.6, 0.5]] * 3))
    assert "climbs back up" not in steady and "not a vanishing gradient" in steady


def deep_relu_records():
    config = {"width": 8, "learning_rate": 0.01, "batch_size": 32, "epochs": 3}
    rows = [(10, "glorot_uniform", 0.71, [32, 37, 31], 0.025),
            (10, "he_normal", 0.95, [3, 3, 3], 0.34),
            (30, "glorot_uniform", 0.11, [None, None, None], 1e-5),
            (30, "he_normal", 0.91, [9, 8, 9], 0.18)]
    return [dict(record("deep-relu", {**config, "depth": depth, "init": init}, seed,
                        test_accuracy=accuracy + 0.001 * seed, epochs_to_50=reach[seed],
                        gradient_norms_start=[gradient, gradient], first_to_last_gradient_start=1.0),
                 series={"test_accuracy": [accuracy] * 3}, findings=[])
            for depth, init, accuracy, reach, gradient in rows for seed in range(3)]


def test_deep_relu_says_never_reached_and_gives_the_gradients_it_calls_tiny():
    text = conclusion("deep-relu", deep_relu_records())
    assert "glorot_uniform 11.1% (never reached 50%)" in text and "— epochs" not in text
    assert "he_normal 95.1% (reached 50% after 3.0 epochs (3/3 seeds))" in text
    assert "first layer's gradient starts at 1.00e-05 against He's 0.18" in text
    korean = conclusion("deep-relu", deep_relu_records(), "ko")
    assert "첫 층의 그래디언트도 1.00e-05에서 시작한다" in korean
    assert "Xavier 규모의 초기화는 멈춘다" not in korean            # read as a translation


def test_exploding_says_when_the_loss_broke():
    config = {"depth": 6, "width": 8, "learning_rate": 0.01, "epochs": 3, "samples": 16}
    records = [dict(record("exploding", {**config, "init": init}, seed, test_accuracy=accuracy,
                           diverged=int(losses[-1] is None), gradient_norms_start=[g, g]),
                    series={"loss": losses}, findings=[])
               for init, accuracy, losses, g in [("he_normal", 0.87, [2.2, 1.0, 0.4], 0.5),
                                                 ("big", 0.1, [None, None, None], 5e6)]
               for seed in range(2)]
    text = conclusion("exploding", records)
    assert "big (rate 0.01): first-layer gradient 5.0e+06 at the start; diverged to NaN/inf " \
           "in 2 of 2 seeds, from epoch 1." in text
    assert "1375.924 ± 2137.490" not in text
    assert "1 에폭부터 NaN/inf로 발산" in conclusion("exploding", records, "ko")
