"""Inference with a trained model: ``evaluate``, ``predict``, ``test_on_batch``,
``predict_on_batch`` and ``model(x)`` (the ``Inference`` mixin of ``Trainer``), and the test
loop that ``fit``'s validation runs too. Everything is in inference mode (dropout off).
"""
import math

import numpy as np

from .. import callbacks as callbacks_module
from .. import arrays, config, threads
from ..callbacks.callback_list import plain_logs
from ..layers.symbolic import is_symbolic
from . import data_adapters
from .batching import _arguments, _batch_size, _batches, _first_batches, _verbosity


class Inference:
    """``evaluate`` / ``predict`` / ``test_on_batch`` / ``predict_on_batch`` / ``model(x)``:
    the inference side of ``Trainer``, and the test loop that ``fit``'s validation shares."""

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """The loss (and metrics) on (x, y): ``loss``, or ``[loss, *metrics]`` in compile's
        order, or a dict with ``return_dict=True`` (as Keras). ``steps`` batches at most;
        ``x`` may be a generator or a ``PyDataset`` (see ``data_adapters``)."""
        self._require_compiled("evaluate")
        if data_adapters.is_batch_source(x):
            return data_adapters.evaluate(self, **_arguments(locals()))
        verbose = _verbosity(verbose)
        batch_size = _batch_size(batch_size)
        x, y, sample_weight = self._checked(x, y, sample_weight)
        x, y, sample_weight = _first_batches(steps, batch_size, x, y, sample_weight)
        self._collect_params()
        self._build_optimizer()
        self._build_metrics(y)
        x, y, sample_weight = self._device_data(x, y, sample_weight)
        callback_list = callbacks_module.CallbackList(
            callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
            steps=math.ceil(len(x) / batch_size))
        with threads.limit_for(self._multiply_adds(batch_size)), np.errstate(all="ignore"):
            logs = self._test_loop(_batches(x, y, sample_weight, batch_size), callback_list)
        return self._result(logs, return_dict)

    def _test_loop(self, batches, callback_list):
        """Loss and metrics over ``batches`` of (x, y, sample_weight) in inference mode, with
        the on_test_* hooks."""
        self._reset_metrics()
        callback_list.on_test_begin()
        batch_begin = callback_list.uses("on_test_batch_begin")
        batch_end = callback_list.uses("on_test_batch_end")
        loss_total, seen = 0.0, 0
        for step, (xb, yb, wb) in enumerate(batches):
            xb, yb, wb = self._feed(xb, yb, wb)
            if batch_begin:
                callback_list.on_test_batch_begin(step)
            y_pred = self._forward(xb, training=False)
            loss_total += self._loss_value(yb, y_pred, wb) * len(xb)
            seen += len(xb)
            self._update_metrics(yb, y_pred, wb)
            if batch_end:
                callback_list.on_test_batch_end(step, self._logs(loss_total / seen))
        logs = self._logs(loss_total / max(seen, 1))
        callback_list.on_test_end(logs)
        return logs

    def _result(self, logs, return_dict):
        if return_dict:
            return plain_logs(logs)
        values = list(logs.values())       # loss, then the metrics in compile's order
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The outputs for ``x`` in inference mode (dropout off), in batches of ``batch_size``
        (the first ``steps`` batches only, when given); ``x`` may be a generator or a
        ``PyDataset`` (see ``data_adapters``)."""
        if data_adapters.is_batch_source(x):
            return data_adapters.predict(self, **_arguments(locals()))
        verbose = _verbosity(verbose)
        x = self._inputs(x)
        batch_size = _batch_size(batch_size)
        x, = _first_batches(steps, batch_size, x)
        x, = self._device_data(x)
        callback_list = callbacks_module.CallbackList(
            callbacks, add_progbar=verbose != 0, model=self, verbose=verbose, epochs=1,
            steps=math.ceil(len(x) / batch_size))
        batch_begin = callback_list.uses("on_predict_batch_begin")
        batch_end = callback_list.uses("on_predict_batch_end")
        outputs = None
        with threads.limit_for(self._multiply_adds(batch_size)), np.errstate(all="ignore"):
            callback_list.on_predict_begin()
            for step, start in enumerate(range(0, len(x), batch_size)):
                if batch_begin:
                    callback_list.on_predict_batch_begin(step)
                batch = self._forward(self._feed(x[start:start + batch_size])[0], training=False)
                parts = batch if isinstance(batch, list) else [batch]   # several outputs
                if outputs is None:                 # in the dtype the layers compute in
                    outputs = [np.empty((len(x),) + p.shape[1:], dtype=p.dtype) for p in parts]
                for output, part in zip(outputs, parts):
                    output[start:start + batch_size] = arrays.to_host(part)   # NumPy out
                if batch_end:
                    callback_list.on_predict_batch_end(step, {"outputs": batch})
            callback_list.on_predict_end()
        if outputs is None:                         # no samples
            shapes = self.output_shape if isinstance(self.output_shape, list) else \
                [self.output_shape]
            outputs = [np.zeros((0,) + tuple(s[1:]), dtype=config.floatx()) for s in shapes]
        return self._output_structure(outputs)

    def _output_structure(self, outputs):
        """The list of output arrays as the model returns them: one array for one output (a
        functional model gives a list, or a dict by name, as its outputs were given)."""
        return outputs[0] if len(outputs) == 1 else outputs

    def __call__(self, x, training=False):
        """The outputs for one batch ``x`` (a new array; dropout on when ``training``)."""
        if is_symbolic(x):
            return self._symbolic_call(x)
        with np.errstate(all="ignore"):
            outputs = self._forward(self._device_data(self._inputs(x))[0],
                                    training=bool(training))
        parts = outputs if isinstance(outputs, list) else [outputs]
        return self._output_structure([part.copy() for part in parts])

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss (and metrics) on one batch in inference mode, as Keras."""
        self._require_compiled("test_on_batch")
        x, y, sample_weight = self._checked(x, y, sample_weight)
        self._collect_params()
        self._build_optimizer()
        self._build_metrics(y)
        x, y, sample_weight = self._device_data(x, y, sample_weight)
        with np.errstate(all="ignore"):
            y_pred = self._forward(x, training=False)
            loss_value = self._loss_value(y, y_pred, sample_weight)
        self._update_metrics(y, y_pred, sample_weight)
        return self._result(self._logs(loss_value), return_dict)

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=max(len(self._inputs(x)), 1), verbose=0)
