"""An optimizer's state as Keras saves and counts it (``OptimizerState`` mixin)."""
import warnings

import numpy as np

from .. import config
from ..arrays import array_module, host_copy, to_host


class OptimizerState:
    """An optimizer's state as Keras saves it: ``variables`` (step count, learning rate,
    moving averages, accumulators, slots), ``set_weights``, the store of a ``.keras`` file, the
    parameter count, and the flush of subnormal values from the slots."""

    @property
    def variables(self):
        """The whole state as Keras's ``optimizer.variables`` orders it: the step count
        (``iteration``), ``learning_rate``, the moving averages (``use_ema``), the gradient
        accumulators, then the slots group by group. Arrays are the live state; the first two
        are snapshots (set them with ``set_weights``)."""
        return self._head() + self._averages + self._accumulators + [
            slots[name] for group in self.slot_groups() for slots in self.slots
            for name in group]

    def _head(self):
        """The step count, and the learning rate unless a schedule gives it (Keras keeps no
        learning-rate variable then)."""
        head = [np.array(self._iterations, dtype=np.int32)]
        if self.learning_rate_schedule is None:
            dtype = self._float_type if self.built else config.floatx()
            head.append(np.array(self.learning_rate, dtype=dtype))
        return head

    def set_weights(self, weights):
        """Set the state from arrays in the order of ``variables`` (as Keras's)."""
        weights = list(weights)
        current = self.variables
        head = len(self._head())
        if len(weights) != len(current):
            names = "iteration" if head == 1 else "iteration, learning_rate"
            raise ValueError(
                f"{type(self).__name__} {self.name!r} has {len(current)} variables ({names} and "
                f"{len(current) - head} state arrays), got {len(weights)}. Call "
                f"optimizer.build(model.trainable_weights) first if it has not stepped yet.")
        for index, (variable, value) in enumerate(zip(current, weights)):
            value = to_host(value)
            if value.shape != variable.shape:
                raise ValueError(f"Optimizer variable {index} has shape {variable.shape}, got "
                                 f"an array of shape {value.shape}.")
        self._iterations = int(weights[0])
        if head == 2:
            self.learning_rate = float(weights[1])
        for variable, value in zip(current[head:], weights[head:]):
            variable[...] = array_module(variable).asarray(value)

    def save_own_variables(self, store):
        """Write ``variables`` into ``store`` under "0", "1", ... (Keras's file layout)."""
        for index, variable in enumerate(self.variables):
            store[str(index)] = host_copy(variable)

    def load_own_variables(self, store):
        """Read what ``save_own_variables`` wrote. As Keras, a store with another number of
        variables is skipped with a warning (e.g. state saved before the first step)."""
        count = len(self.variables)
        if len(store.keys()) != count:
            warnings.warn(f"Skipping variable loading for optimizer {self.name!r}: it has "
                          f"{count} variables, the saved optimizer has {len(store.keys())}.",
                          UserWarning, stacklevel=2)
            return
        self.set_weights([store[str(index)] for index in range(count)])

    def count_params(self):
        """What Keras's ``summary()`` prints as "Optimizer params": the size of every variable
        (iteration and learning rate included) once built, 0 before."""
        return sum(int(v.size) for v in self.variables) if self.built else 0

    def _flush_subnormals(self):
        """Set optimizer-state values below the float type's smallest normal number to 0.

        A slot whose gradient stays 0 (a dead unit's momentum) decays geometrically into
        subnormal floats after some hundreds of steps, and CPU arithmetic on subnormals is
        many times slower: W1's Adam epochs took twice as long from epoch 13 on. Values this
        small (< 1.2e-38 in float32) cannot change a weight, so zeroing them changes no result
        beyond that size; doing it every FLUSH_EVERY steps keeps its cost negligible.
        """
        for slots in self.slots:
            for slot in slots.values():
                if slot.dtype.kind == "f":
                    xp = array_module(slot)
                    tiny = np.finfo(slot.dtype).tiny
                    xp.copyto(slot, 0, where=xp.abs(slot) < tiny)
