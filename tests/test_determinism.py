"""Same seed, same numbers: initial weights and whole training runs (shuffle and dropout
included) are bit-identical, in this process and in a fresh one."""
import hashlib
import json
import subprocess
import sys

import numpy as np

RUN = """
import glassnet as keras, numpy as np
keras.utils.set_random_seed({seed})
rng = np.random.default_rng(0)
x = rng.normal(size=(60, 8)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype(int) + (x[:, 2] > 0.5).astype(int)
model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dropout(0.3), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
initial = model.get_weights()
history = model.fit(x, y, epochs=3, batch_size=8, validation_split=0.2, verbose=0)
"""


def _fingerprint(seed):
    scope = {}
    exec(RUN.format(seed=seed), scope)
    return _digest(scope["initial"], scope["model"].get_weights(), scope["history"].history)


def _digest(initial, final, history):
    hasher = hashlib.sha256()
    for array in initial + final:
        hasher.update(np.ascontiguousarray(array).tobytes())
    hasher.update(json.dumps(history, sort_keys=True).encode())
    return hasher.hexdigest()


def test_same_seed_gives_bit_identical_weights_and_training():
    assert _fingerprint(11) == _fingerprint(11)


def test_different_seeds_give_different_runs():
    assert _fingerprint(11) != _fingerprint(12)


def test_same_seed_in_a_fresh_process():
    script = RUN.format(seed=11) + """
import hashlib, json
hasher = hashlib.sha256()
for array in initial + model.get_weights():
    hasher.update(np.ascontiguousarray(array).tobytes())
hasher.update(json.dumps(history.history, sort_keys=True).encode())
print(hasher.hexdigest())
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.strip() == _fingerprint(11)


def test_seeded_initializer_ignores_the_global_seed():
    import glassnet
    glassnet.utils.set_random_seed(1)
    a = glassnet.layers.Dense(4, kernel_initializer=glassnet.initializers.GlorotUniform(seed=5))
    glassnet.utils.set_random_seed(2)
    b = glassnet.layers.Dense(4, kernel_initializer=glassnet.initializers.GlorotUniform(seed=5))
    a.build((None, 3))
    b.build((None, 3))
    np.testing.assert_array_equal(a.kernel, b.kernel)
