"""The notes' weight-initialization experiment (Chapter 7, §4), as the notes write it.

Two slips in the notes' code are fixed, as a reader copying it would have to:
  * ``Flatten(input_shape=[28, 28])`` is for 28x28 MNIST; the digits are 8x8, so the model
    takes ``input_shape=[8, 8]`` and the 64 pixels of each digit are reshaped to 8x8;
  * ``Dense(300, weight_init, activation="relu")`` puts the initializer where Keras expects the
    activation; it is passed by name, ``kernel_initializer=weight_init``.
The notes stop at ``model.summary()``; compiling and training use Keras's plain choices
(sparse categorical cross-entropy, SGD, batches of 32) for a few epochs.

Run:  python examples/init_experiment.py [--epochs 10] [--seed 0] [--plot curves.png]
"""
import argparse

import glassnet as keras
from glassnet.datasets import load_digits_split


def load_mnist(seed=None):
    """The notes' loader: digits, 70/30 split, the first 50 training samples for validation."""
    X_valid, X_train, y_valid, y_train, x_test, y_test = load_digits_split(seed)
    reshape = lambda x: x.reshape(-1, 8, 8)          # noqa: E731  (rows of 64 -> 8x8 images)
    return reshape(X_valid), reshape(X_train), y_valid, y_train, reshape(x_test), y_test


def makemodel(X_train, y_train, X_valid, y_valid, weight_init, epochs=10, show_summary=True):
    model = keras.models.Sequential()
    model.add(keras.layers.Flatten(input_shape=[8, 8]))
    model.add(keras.layers.Dense(300, kernel_initializer=weight_init, activation="relu"))
    model.add(keras.layers.Dense(100, kernel_initializer=weight_init, activation="relu"))
    model.add(keras.layers.Dense(10, kernel_initializer=weight_init, activation="softmax"))
    if show_summary:
        model.summary()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd",
                  metrics=["accuracy"])
    history = model.fit(X_train, y_train, epochs=epochs, batch_size=32,
                        validation_data=(X_valid, y_valid), verbose=0)
    return model, history


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0, help="seeds the split and the weights")
    parser.add_argument("--plot", help="save accuracy and loss curves to this file")
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    X_valid, X_train, y_valid, y_train, x_test, y_test = load_mnist(args.seed)

    model_xavier, hist_xavier = makemodel(X_train, y_train, X_valid, y_valid, "glorot_uniform",
                                          args.epochs)
    model_RandomNormal, hist_RandomNormal = makemodel(X_train, y_train, X_valid, y_valid,
                                                      "RandomNormal", args.epochs, False)
    model_he, hist_he = makemodel(X_train, y_train, X_valid, y_valid, "he_normal", args.epochs,
                                  False)

    runs = {"glorot_uniform (Xavier)": (model_xavier, hist_xavier),
            "RandomNormal": (model_RandomNormal, hist_RandomNormal),
            "he_normal (He)": (model_he, hist_he)}
    print(f"\nAfter {args.epochs} epochs (seed {args.seed}):")
    print(f"{'initializer':<26}{'train loss':>11}{'val loss':>10}{'val acc':>9}{'test acc':>10}")
    results = {}
    for name, (model, history) in runs.items():
        test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
        h = history.history
        results[name] = test_accuracy
        print(f"{name:<26}{h['loss'][-1]:>11.4f}{h['val_loss'][-1]:>10.4f}"
              f"{h['val_accuracy'][-1]:>9.3f}{test_accuracy:>10.3f}")
    if args.plot:
        plot(runs, args.plot)
    return results


def plot(runs, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for name, (_, history) in runs.items():
        left.plot(history.history["val_accuracy"], label=name)
        right.plot(history.history["val_loss"], label=name)
    left.set(title="validation accuracy", xlabel="epoch")
    right.set(title="validation loss", xlabel="epoch")
    left.legend()
    figure.tight_layout()
    figure.savefig(path)
    print(f"curves saved to {path}")


if __name__ == "__main__":
    main()
