"""Initializers: the formulas (statistics of large draws), seeds, names, configs, errors.
Keras's own draws and names are compared in tests/oracles/test_keras_initializers.py."""
import math

import numpy as np
import pytest

import glassnet
from glassnet import initializers

SHAPE = (400, 300)                 # fan_in 400, fan_out 300: 120,000 draws
FAN_IN, FAN_OUT = SHAPE
N = math.prod(SHAPE)
TRUNCATED_STD = 0.87962566103423978


def _check_moments(values, std, limit=None):
    """Mean within 5 standard errors of 0, std within 2 % of ``std``, all inside ``limit``."""
    assert abs(values.mean()) < 5 * std / math.sqrt(values.size)
    assert values.std() == pytest.approx(std, rel=0.02)
    if limit is not None:
        assert np.abs(values).max() <= limit
        assert np.abs(values).max() > 0.98 * limit      # the bound is reached, not undershot


# (class, std of the draws, bound of the draws)
NAMED = [
    (initializers.GlorotUniform, math.sqrt(2 / (FAN_IN + FAN_OUT)),
     math.sqrt(6 / (FAN_IN + FAN_OUT))),
    (initializers.GlorotNormal, math.sqrt(2 / (FAN_IN + FAN_OUT)),
     2 * math.sqrt(2 / (FAN_IN + FAN_OUT)) / TRUNCATED_STD),
    (initializers.HeNormal, math.sqrt(2 / FAN_IN), 2 * math.sqrt(2 / FAN_IN) / TRUNCATED_STD),
    (initializers.HeUniform, math.sqrt(2 / FAN_IN), math.sqrt(6 / FAN_IN)),
    (initializers.LecunNormal, math.sqrt(1 / FAN_IN), 2 * math.sqrt(1 / FAN_IN) / TRUNCATED_STD),
    (initializers.LecunUniform, math.sqrt(1 / FAN_IN), math.sqrt(3 / FAN_IN)),
]


@pytest.mark.parametrize("cls, std, limit", NAMED, ids=[c.__name__ for c, _, _ in NAMED])
def test_named_variance_scaling_formulas(cls, std, limit):
    values = cls(seed=1)(SHAPE)
    assert values.shape == SHAPE and values.dtype == np.float32
    _check_moments(values.astype(np.float64), std, limit)
    assert isinstance(cls(), initializers.VarianceScaling)


@pytest.mark.parametrize("mode, n", [("fan_in", FAN_IN), ("fan_out", FAN_OUT),
                                     ("fan_avg", (FAN_IN + FAN_OUT) / 2)])
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
def test_variance_scaling_has_variance_scale_over_n(mode, n, distribution, float64):
    scale = 3.0
    values = initializers.VarianceScaling(scale, mode, distribution, seed=2)(SHAPE)
    std = math.sqrt(scale / n)
    limit = {"truncated_normal": 2 * std / TRUNCATED_STD, "uniform": math.sqrt(3) * std,
             "untruncated_normal": None}[distribution]
    _check_moments(values, std, limit)
    if distribution == "untruncated_normal":        # tails beyond two std exist: about 4.6 %
        assert np.mean(np.abs(values) > 2 * std) == pytest.approx(0.0455, abs=0.003)


def test_variance_scaling_fan_is_at_least_one():
    values = initializers.VarianceScaling(scale=0.25, distribution="uniform", seed=0)(())
    assert values.shape == () and abs(values) <= math.sqrt(3 * 0.25)


def test_random_normal_uniform_and_truncated_normal(float64):
    _check_moments(initializers.RandomNormal(seed=3)(SHAPE), 0.05)
    shifted = initializers.RandomNormal(mean=1.0, stddev=2.0, seed=3)(SHAPE)
    assert shifted.mean() == pytest.approx(1.0, abs=0.03)
    assert shifted.std() == pytest.approx(2.0, rel=0.02)
    uniform = initializers.RandomUniform(minval=-0.5, maxval=1.5, seed=3)(SHAPE)
    assert uniform.min() >= -0.5 and uniform.max() < 1.5
    assert uniform.mean() == pytest.approx(0.5, abs=0.01)
    assert uniform.std() == pytest.approx(2 / math.sqrt(12), rel=0.02)
    truncated = initializers.TruncatedNormal(mean=1.0, stddev=0.5, seed=3)(SHAPE)
    assert np.all(np.abs(truncated - 1.0) < 1.0)                      # two stddev
    assert truncated.std() == pytest.approx(TRUNCATED_STD * 0.5, rel=0.02)


def test_default_scales_are_keras_numbers():
    assert initializers.RandomNormal().get_config() == {"seed": None, "mean": 0.0, "stddev": 0.05}
    assert initializers.RandomUniform().get_config() == {"seed": None, "minval": -0.05,
                                                         "maxval": 0.05}
    assert initializers.TruncatedNormal().get_config()["stddev"] == 0.05


def test_constant_family():
    np.testing.assert_array_equal(initializers.Zeros()((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(initializers.Ones()((4,)), np.ones(4))
    np.testing.assert_array_equal(initializers.Constant(0.7)((2, 2)),
                                  np.full((2, 2), 0.7, "float32"))
    assert initializers.Zeros()((3,), dtype="int32").dtype == np.int32
    np.testing.assert_array_equal(initializers.Identity(gain=2.0)((2, 3)),
                                  [[2, 0, 0], [0, 2, 0]])
    with pytest.raises(ValueError, match="2-D"):
        initializers.Identity()((3, 3, 3))


@pytest.mark.parametrize("shape", [(40, 30), (30, 40), (2, 3, 20), (25, 25)])
def test_orthogonal_is_orthogonal(shape, float64):
    q = initializers.Orthogonal(gain=1.5, seed=4)(shape)
    assert q.shape == shape
    flat = q.reshape(-1, shape[-1])
    small = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    np.testing.assert_allclose(small, 1.5**2 * np.eye(len(small)), atol=1e-12)


def test_orthogonal_needs_two_dimensions():
    with pytest.raises(ValueError, match="two dimensions"):
        initializers.Orthogonal()((5,))


def test_compute_fans():
    assert initializers.compute_fans(()) == (1, 1)
    assert initializers.compute_fans((7,)) == (7, 7)
    assert initializers.compute_fans((64, 300)) == (64, 300)
    assert initializers.compute_fans((3, 3, 16, 32)) == (144, 288)
    assert initializers.compute_fans((4, 5, 6), input_axes=[0, 1], output_axes=[2]) == (20, 6)


# --- seeds --------------------------------------------------------------------------------------

def test_an_int_seed_gives_the_same_values_on_every_call_and_instance():
    a = initializers.HeNormal(seed=7)
    np.testing.assert_array_equal(a((5, 4)), a((5, 4)))
    np.testing.assert_array_equal(a((5, 4)), initializers.HeNormal(seed=7)((5, 4)))
    glassnet.utils.set_random_seed(99)
    np.testing.assert_array_equal(a((5, 4)), initializers.HeNormal(seed=7)((5, 4)))
    assert not np.array_equal(a((5, 4)), initializers.HeNormal(seed=8)((5, 4)))


def test_an_unseeded_instance_repeats_itself_as_in_keras_3():
    init = initializers.GlorotUniform()
    np.testing.assert_array_equal(init((5, 4)), init((5, 4)))
    assert not np.array_equal(init((5, 4)), initializers.GlorotUniform()((5, 4)))


def test_set_random_seed_fixes_unseeded_initializers():
    glassnet.utils.set_random_seed(5)
    first = [initializers.get(name)((6, 3)) for name in ("he_normal", "glorot_uniform", "normal")]
    glassnet.utils.set_random_seed(5)
    again = [initializers.get(name)((6, 3)) for name in ("he_normal", "glorot_uniform", "normal")]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


def test_a_name_gives_every_layer_its_own_draw():
    model = glassnet.Sequential([glassnet.Input((8,)),
                                 glassnet.layers.Dense(8, kernel_initializer="he_normal"),
                                 glassnet.layers.Dense(8, kernel_initializer="he_normal")])
    kernels = model.get_weights()[0::2]
    assert not np.array_equal(kernels[0], kernels[1])


def test_a_keras_seed_generator_config_is_a_moving_stream():
    config = {"module": "keras.random", "class_name": "SeedGenerator",
              "config": {"seed": 3, "name": "seed_generator"}, "registered_name": None}
    init = initializers.GlorotUniform(seed=config)
    first, second = init((4, 4)), init((4, 4))
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, initializers.GlorotUniform(seed=config)((4, 4)))
    assert init.get_config()["seed"] == config


@pytest.mark.parametrize("seed", ["abc", 1.5, True, [1]])
def test_a_bad_seed_is_refused(seed):
    with pytest.raises(ValueError, match="seed"):
        initializers.RandomNormal(seed=seed)


def test_a_negative_seed_works_as_in_keras():
    np.testing.assert_array_equal(initializers.HeUniform(seed=-1)((3,)),
                                  initializers.HeUniform(seed=-1)((3,)))


# --- dtypes and shapes --------------------------------------------------------------------------

def test_dtype_follows_floatx_unless_given(float64):
    assert initializers.GlorotUniform(seed=0)((3, 2)).dtype == np.float64
    assert initializers.GlorotUniform(seed=0)((3, 2), dtype="float32").dtype == np.float32


def test_random_draws_need_a_float_dtype():
    with pytest.raises(ValueError, match="float"):
        initializers.RandomNormal()((3,), dtype="int32")


@pytest.mark.parametrize("shape", [(None, 3), (-1, 2), (2.5,)])
def test_an_unknown_or_bad_shape_is_refused(shape):
    with pytest.raises(ValueError, match="shape"):
        initializers.HeNormal()(shape)


# --- validation, names, configs ----------------------------------------------------------------

@pytest.mark.parametrize("kwargs, match", [
    ({"scale": 0.0}, "scale"), ({"scale": -1.0}, "scale"), ({"mode": "fan_sum"}, "mode"),
    ({"distribution": "cauchy"}, "distribution")])
def test_variance_scaling_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        initializers.VarianceScaling(**kwargs)


def test_variance_scaling_accepts_normal_and_any_case_as_keras():
    assert initializers.VarianceScaling(distribution="normal").distribution == "truncated_normal"
    assert initializers.VarianceScaling(distribution="Uniform").distribution == "uniform"


KERAS_NAMES = {
    "Constant": "Constant", "constant": "Constant", "GlorotNormal": "GlorotNormal",
    "glorot_normal": "GlorotNormal", "GlorotUniform": "GlorotUniform",
    "glorot_uniform": "GlorotUniform", "HeNormal": "HeNormal", "he_normal": "HeNormal",
    "HeUniform": "HeUniform", "he_uniform": "HeUniform", "Identity": "Identity",
    "identity": "Identity", "IdentityInitializer": "Identity", "LecunNormal": "LecunNormal",
    "lecun_normal": "LecunNormal", "LecunUniform": "LecunUniform", "lecun_uniform": "LecunUniform",
    "Ones": "Ones", "ones": "Ones", "one": "Ones", "Orthogonal": "Orthogonal",
    "orthogonal": "Orthogonal", "OrthogonalInitializer": "Orthogonal",
    "RandomNormal": "RandomNormal", "random_normal": "RandomNormal", "normal": "RandomNormal",
    "RandomUniform": "RandomUniform", "random_uniform": "RandomUniform",
    "uniform": "RandomUniform", "TruncatedNormal": "TruncatedNormal",
    "truncated_normal": "TruncatedNormal", "VarianceScaling": "VarianceScaling",
    "variance_scaling": "VarianceScaling", "Zeros": "Zeros", "zeros": "Zeros", "zero": "Zeros"}


def test_every_keras_name_and_alias():
    assert set(initializers.registry.names()) == set(KERAS_NAMES)
    for name, class_name in KERAS_NAMES.items():
        assert type(initializers.get(name)).__name__ == class_name


def test_get_accepts_what_keras_accepts():
    assert initializers.get(None) is None
    assert isinstance(initializers.get(initializers.HeNormal), initializers.HeNormal)
    init = initializers.Ones()
    assert initializers.get(init) is init
    from_dict = initializers.get({"class_name": "RandomUniform", "config": {"minval": 0.0}})
    assert from_dict.minval == 0.0 and from_dict.maxval == 0.05
    array = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(initializers.get(array)((2, 3)), array)
    with pytest.raises(ValueError, match="shape"):
        initializers.get(array)((3, 2))


def test_unknown_name_quotes_the_closest_names():
    with pytest.raises(ValueError, match=r"Unknown initializer 'he_norml'.*'he_normal'"):
        initializers.get("he_norml")
    with pytest.raises(TypeError, match="initializer"):
        initializers.get(42)


ALL = [initializers.Zeros(), initializers.Ones(), initializers.Constant(0.3),
       initializers.Identity(gain=0.5), initializers.RandomNormal(0.1, 0.2, seed=1),
       initializers.RandomUniform(-1.0, 2.0, seed=1),
       initializers.TruncatedNormal(0.0, 1.0, seed=1),
       initializers.VarianceScaling(2.0, "fan_out", "untruncated_normal", seed=1),
       initializers.GlorotUniform(seed=1), initializers.GlorotNormal(seed=1),
       initializers.HeNormal(seed=1), initializers.HeUniform(seed=1),
       initializers.LecunNormal(seed=1), initializers.LecunUniform(seed=1),
       initializers.Orthogonal(gain=2.0, seed=1)]


@pytest.mark.parametrize("init", ALL, ids=lambda i: type(i).__name__)
def test_config_round_trips_and_reproduces_the_values(init):
    for copy in (type(init).from_config(init.get_config()), init.clone(),
                 initializers.deserialize(initializers.serialize(init))):
        assert type(copy) is type(init) and copy.get_config() == init.get_config()
        np.testing.assert_array_equal(copy((4, 4)), init((4, 4)))
    assert repr(init).startswith(type(init).__name__ + "(")


def test_serialize_has_keras_keys():
    assert initializers.serialize(initializers.HeNormal()) == {
        "module": "keras.initializers", "class_name": "HeNormal",
        "config": {"seed": None, "input_axes": None, "output_axes": None},
        "registered_name": None}


def test_constant_config_is_plain_json():
    assert initializers.Constant(np.float32(0.5)).get_config() == {"value": 0.5}


def test_random_uniform_with_the_bounds_swapped():
    with pytest.raises(ValueError, match="minval <= maxval.*swap them"):
        initializers.RandomUniform(minval=0.05, maxval=-0.05)
    assert initializers.RandomUniform(0.0, 0.0)((2,)).tolist() == [0.0, 0.0]
