"""``SwapEMAWeights`` (``keras.callbacks.SwapEMAWeights``): evaluate (and with
``swap_on_epoch=True``, checkpoint or log at each epoch end) with the optimizer's exponential
moving averages of the weights (``use_ema=True``) instead of the weights being trained.

Swapping exchanges each trained weight with its average in place (``w, a = a, w``), so
training continues from the trained weights afterwards. With ``swap_on_epoch``, the averages
are in the model from each epoch's end to the next epoch's beginning; at the last epoch the
averages are first made equal to the swapped-in weights, so ``fit``'s final
``finalize_variable_values`` leaves the averages in the model, as Keras does.
"""
from .base import Callback


class SwapEMAWeights(Callback):
    """Swap the EMA weights in for evaluation (and at epoch ends with ``swap_on_epoch``)."""

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = bool(swap_on_epoch)
        self._ema_in_model = False

    def _optimizer(self):
        optimizer = getattr(self.model, "optimizer", None)
        if not getattr(optimizer, "use_ema", False):
            raise ValueError("SwapEMAWeights needs an optimizer with use_ema=True, e.g. "
                             "compile(optimizer=glassnet.optimizers.Adam(use_ema=True), ...).")
        return optimizer

    def _swap(self):
        optimizer = self._optimizer()
        if not optimizer.built:
            return                                  # no averages before the first step
        for weight, average in zip(self.model._params, optimizer._averages):
            trained = weight.copy()
            weight[...] = average
            average[...] = trained
        self._ema_in_model = not self._ema_in_model

    def on_train_begin(self, logs=None):
        self._optimizer()
        self._ema_in_model = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch and self._ema_in_model:
            self._swap()

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_in_model:
            self._swap()
            if epoch == self.params.get("epochs", 0) - 1:     # fit will finalize next
                for weight, average in zip(self.model._params, self._optimizer()._averages):
                    average[...] = weight

    def on_test_begin(self, logs=None):
        if not self._ema_in_model:
            self._swap()

    def on_test_end(self, logs=None):
        if self._ema_in_model:
            self._swap()

    def on_predict_begin(self, logs=None):
        if not self._ema_in_model:
            self._swap()

    def on_predict_end(self, logs=None):
        if self._ema_in_model:                      # Keras tests the flag the other way
            self._swap()                            # round here and keeps the averages in

    def __repr__(self):
        return f"<SwapEMAWeights swap_on_epoch={self.swap_on_epoch}>"
