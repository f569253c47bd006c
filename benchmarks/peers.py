"""The peers, each written the way its users write it: a setup that returns the run to time.

- glassnet: ``Sequential`` of Input + Dense layers, ``compile("adam", sparse CE)``, ``fit``
  (its default BLAS-thread choice, by size; "adapting to load" with threads.ADAPT_TO_LOAD on).
- PyTorch: a plain idiomatic loop over pre-made tensors, ``torch.randperm`` each epoch, batches
  by indexing, ``zero_grad`` / ``backward`` / ``step``, the batch loss read with ``.item()``
  (as ``fit`` reports it). ``fused=True`` is ``Adam(fused=True)``; otherwise default Adam.
- scikit-learn: ``MLPClassifier`` with the same architecture, adam, no L2 (alpha=0), no early
  stopping and no tolerance stop, so it runs every epoch.
- numpy: the hand-written loop of ``numpy_mlp.py``.

Every setup builds a fresh model (untimed); the returned run trains it (timed).
"""
import warnings

import numpy as np

import numpy_mlp


def glassnet_model(sizes, seed=0):
    """The notes' model as Keras code writes it: Input, Dense ReLU layers, Dense softmax."""
    import glassnet as keras
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(sizes[0],))]
                             + [keras.layers.Dense(units, activation="relu")
                                for units in sizes[1:-1]]
                             + [keras.layers.Dense(sizes[-1], activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def glassnet_setup(x, y, sizes, epochs, batch_size, seed=0, adapt_to_load=False):
    """``adapt_to_load=True``: glassnet's opt-in ``threads.ADAPT_TO_LOAD`` (one BLAS thread
    while other processes keep the other core busy)."""
    from glassnet import threads

    def setup():
        model = glassnet_model(sizes, seed)

        def run():
            saved, threads.ADAPT_TO_LOAD = threads.ADAPT_TO_LOAD, adapt_to_load
            try:
                return model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)
            finally:
                threads.ADAPT_TO_LOAD = saved
        return run
    return setup


def numpy_setup(x, y, sizes, epochs, batch_size, seed=0, flat=True):
    def setup():
        return lambda: numpy_mlp.train(x, y, sizes, epochs, batch_size, seed=seed, flat=flat)
    return setup


def torch_model(sizes):
    import torch
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])        # logits; CrossEntropyLoss applies softmax


def torch_setup(x, y, sizes, epochs, batch_size, fused=False, seed=0):
    import torch
    x_t, y_t = torch.from_numpy(x), torch.from_numpy(y)

    def setup():
        torch.manual_seed(seed)
        model = torch_model(sizes)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True if fused else None)
        loss_fn = torch.nn.CrossEntropyLoss()

        def run():
            n = len(x_t)
            for _ in range(epochs):
                order = torch.randperm(n)
                total = 0.0
                for start in range(0, n, batch_size):
                    batch = order[start:start + batch_size]
                    xb, yb = x_t[batch], y_t[batch]
                    optimizer.zero_grad()
                    loss = loss_fn(model(xb), yb)
                    loss.backward()
                    optimizer.step()
                    total += loss.item() * len(batch)
            return total / n
        return run
    return setup


def sklearn_setup(x, y, sizes, epochs, batch_size, seed=0):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    def setup():
        model = MLPClassifier(hidden_layer_sizes=sizes[1:-1], activation="relu", solver="adam",
                              alpha=0.0, batch_size=batch_size, learning_rate_init=1e-3,
                              max_iter=epochs, shuffle=True, random_state=seed, tol=0.0,
                              n_iter_no_change=epochs + 1, early_stopping=False)

        def run():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(x, y)
            assert model.n_iter_ == epochs, "scikit-learn stopped early"
            return model.loss_
        return run
    return setup


def contenders(x, y, sizes, epochs, batch_size, names):
    """name -> setup for the peers in ``names`` that are installed here."""
    from common import has
    makers = {
        "glassnet": lambda: glassnet_setup(x, y, sizes, epochs, batch_size),
        "glassnet, adapting to load": lambda: glassnet_setup(x, y, sizes, epochs, batch_size,
                                                             adapt_to_load=True),
        "numpy loop": lambda: numpy_setup(x, y, sizes, epochs, batch_size),
        "numpy loop, per-array Adam": lambda: numpy_setup(x, y, sizes, epochs, batch_size,
                                                          flat=False),
        "torch eager": lambda: torch_setup(x, y, sizes, epochs, batch_size),
        "torch fused Adam": lambda: torch_setup(x, y, sizes, epochs, batch_size, fused=True),
        "scikit-learn": lambda: sklearn_setup(x, y, sizes, epochs, batch_size),
    }
    needs = {"torch eager": "torch", "torch fused Adam": "torch", "scikit-learn": "sklearn"}
    return {name: makers[name]() for name in names if has(needs.get(name, "numpy"))}


def sanity(x, y, sizes, epochs, batch_size):
    """Each contender's final training loss: they must all learn (not a timing)."""
    losses = {}
    for name, setup in contenders(x, y, sizes, epochs, batch_size,
                                  ["glassnet", "numpy loop", "torch eager"]).items():
        result = setup()()
        if name == "glassnet":
            result = result.history["loss"][-1]
        elif name.startswith("numpy"):
            result = result[1]
        losses[name] = float(result)
    return losses


if __name__ == "__main__":
    import common
    x, y = common.digits_w1()
    print(sanity(x, y, common.W1_SIZES, 5, 32))
    print(np.bincount(y))
