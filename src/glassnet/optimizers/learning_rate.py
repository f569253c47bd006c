"""An optimizer's learning rate: a number, a schedule or a callable (``LearningRate`` mixin)."""
import math
import numbers

from .. import schedules
from .arguments import _check_range


class LearningRate:
    """The learning rate of an optimizer: a number (settable between steps) or a schedule
    (or any callable of no argument, as Keras allows) evaluated at the number of steps taken."""

    @property
    def learning_rate(self):
        """The step size now: the number, or the schedule's value at the current step count.
        A number is settable (e.g. by a callback between steps); a schedule's value is not."""
        rate = self._learning_rate
        if isinstance(rate, schedules.LearningRateSchedule):
            return rate(self._iterations)           # every call counts, as Keras
        return rate() if callable(rate) else rate

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, dict):                     # a serialized schedule (a config)
            value = schedules.deserialize(value)
        if callable(value):
            self._learning_rate = value
            return
        if self.learning_rate_schedule is not None:
            raise TypeError(f"{type(self).__name__} {self.name!r} was created with a "
                            f"learning-rate schedule, so its learning rate cannot be set. "
                            f"Create the optimizer with a number as learning_rate to change it "
                            f"during training.")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"learning_rate must be a number such as 0.001 or a schedule such "
                            f"as glassnet.optimizers.schedules.ExponentialDecay(0.01, 1000, "
                            f"0.9); got {value!r}.")
        self._learning_rate = _check_range(value, "learning_rate", 0.0, math.inf)

    @property
    def learning_rate_schedule(self):
        """The schedule (or callable) behind ``learning_rate``, or None for a plain number."""
        rate = getattr(self, "_learning_rate", None)
        return rate if callable(rate) else None
