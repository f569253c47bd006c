"""The baseline: a hand-written NumPy training loop for a dense ReLU/softmax stack.

What a careful person writes without a library: Glorot-uniform kernels, zero biases, in-place
ReLU, softmax fused with sparse cross-entropy (gradient (p - onehot) / n on the logits),
Keras's Adam. Two speed choices a library could copy, each switchable to measure it:

- ``flat=True``: every kernel and bias is a view into one flat array (and so is every
  gradient), so Adam runs ~10 NumPy calls over all 50k weights instead of ~10 per array.
- buffers: activations and gradients of a full batch are allocated once and reused
  (``out=``); only the last, shorter batch of an epoch allocates.
- no subnormals: Adam's state entries below 2**-100 are zeroed every 16 steps, so a dead
  unit's decaying momentum never reaches float32's subnormal range, where arithmetic is many
  times slower (without it W1's Adam takes twice as long from mid-training on).
"""
import math

import numpy as np


class HandMLP:
    """Dense layers ``sizes[0] -> ... -> sizes[-1]``, ReLU between, softmax at the end."""

    def __init__(self, sizes, seed=0, dtype=np.float32, flat=True):
        rng = np.random.default_rng(seed)
        self.sizes, self.dtype = tuple(sizes), np.dtype(dtype)
        shapes = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            shapes += [(fan_in, fan_out), (fan_out,)]
        total = sum(math.prod(s) for s in shapes)
        if flat:
            self.flat_params = np.zeros(total, self.dtype)
            self.flat_grads = np.zeros(total, self.dtype)
            self.params = _views(self.flat_params, shapes)
            self.grads = _views(self.flat_grads, shapes)
        else:
            self.flat_params = self.flat_grads = None
            self.params = [np.zeros(s, self.dtype) for s in shapes]
            self.grads = [np.zeros(s, self.dtype) for s in shapes]
        for kernel in self.params[0::2]:                # Glorot uniform: U(+-sqrt(6 / (in+out)))
            limit = math.sqrt(6.0 / sum(kernel.shape))
            kernel[...] = rng.uniform(-limit, limit, kernel.shape)
        self._buffers = {}

    # -- one step -------------------------------------------------------------------------------
    def _buffer(self, name, shape):
        buffer = self._buffers.get(name)
        if buffer is None or buffer.shape != shape:
            buffer = self._buffers[name] = np.empty(shape, self.dtype)
        return buffer

    def loss_and_gradients(self, x, y):
        """Forward, the mean cross-entropy, and every gradient into ``self.grads``."""
        outputs = self.forward(x)
        loss, delta = self.loss_and_delta(outputs[-1], y)
        self.backward(outputs, delta)
        return loss

    def forward(self, x):
        """Every layer's output, ``x`` first; the last is softmax(logits), computed in place."""
        kernels, biases = self.params[0::2], self.params[1::2]
        outputs = [x]
        for i, (kernel, bias) in enumerate(zip(kernels, biases)):
            z = np.matmul(outputs[-1], kernel,
                          out=self._buffer(f"z{i}", (len(x), kernel.shape[1])))
            z += bias
            if i < len(kernels) - 1:
                np.maximum(z, 0, out=z)
            outputs.append(z)
        logits = outputs[-1]                            # softmax in place, max-shifted
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return outputs

    def loss_and_delta(self, p, y):
        """Mean sparse cross-entropy (p clipped as Keras) and, fused with softmax, its
        gradient on the logits, (p - onehot(y)) / n, written over ``p``."""
        n = len(p)
        rows = np.arange(n)
        loss = -float(np.log(np.clip(p[rows, y], 1e-7, 1.0 - 1e-7)).mean())
        p[rows, y] -= 1.0
        p *= self.dtype.type(1.0 / n)
        return loss, p

    def backward(self, outputs, delta):
        """d kernel = input^T delta, d bias = sum of delta, delta upstream = delta kernel^T
        times ReLU' (from the layer's output)."""
        kernels = self.params[0::2]
        for i in range(len(kernels) - 1, -1, -1):
            np.matmul(outputs[i].T, delta, out=self.grads[2 * i])
            delta.sum(axis=0, out=self.grads[2 * i + 1])
            if i > 0:
                upstream = np.matmul(delta, kernels[i].T,
                                     out=self._buffer(f"d{i}", outputs[i].shape))
                upstream *= outputs[i] > 0
                delta = upstream


class Adam:
    """Keras's Adam (eps added to sqrt(v) before bias correction), allocation-free."""

    FLUSH_EVERY, FLOOR = 16, 2.0 ** -100

    def __init__(self, params, grads, learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.params, self.grads = params, grads
        self.lr, self.beta_1, self.beta_2, self.epsilon = learning_rate, beta_1, beta_2, epsilon
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.scratch = [np.empty_like(p) for p in params]
        self.t = 0

    def step(self):
        self.t += 1
        t, b1, b2 = self.t, self.beta_1, self.beta_2
        lr_t = self.lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        for param, grad, m, v, tmp in zip(self.params, self.grads, self.m, self.v, self.scratch):
            dtype = param.dtype.type
            m *= dtype(b1)                              # m = b1 m + (1 - b1) g
            np.multiply(grad, dtype(1 - b1), out=tmp)
            m += tmp
            v *= dtype(b2)                              # v = b2 v + (1 - b2) g^2
            np.multiply(grad, grad, out=tmp)
            tmp *= dtype(1 - b2)
            v += tmp
            np.sqrt(v, out=tmp)                         # w -= lr_t m / (sqrt(v) + eps)
            tmp += dtype(self.epsilon)
            np.divide(m, tmp, out=tmp)
            tmp *= dtype(lr_t)
            param -= tmp
        if t % self.FLUSH_EVERY == 0:
            for state in self.m + self.v:
                np.copyto(state, 0, where=np.abs(state) < self.FLOOR)


def build(sizes, dtype=np.float32, learning_rate=1e-3, seed=0, flat=True):
    """A fresh ``HandMLP`` and its ``Adam`` (over the one flat array when ``flat``)."""
    model = HandMLP(sizes, seed=seed, dtype=dtype, flat=flat)
    if flat:
        return model, Adam([model.flat_params], [model.flat_grads], learning_rate)
    return model, Adam(model.params, model.grads, learning_rate)


def fit(model, optimizer, x, y, epochs, batch_size, seed=0):
    """Shuffle every epoch, then one step per batch; returns the last epoch's mean loss."""
    rng = np.random.default_rng(seed)
    epoch_loss = float("nan")
    for _ in range(epochs):
        order = rng.permutation(len(x))
        total = 0.0
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            total += model.loss_and_gradients(x[batch], y[batch]) * len(batch)
            optimizer.step()
        epoch_loss = total / len(x)
    return epoch_loss


def train(x, y, sizes, epochs, batch_size, learning_rate=1e-3, seed=0, flat=True):
    """Train a fresh ``HandMLP`` on (x, y); returns (model, last epoch's mean loss)."""
    model, optimizer = build(sizes, x.dtype, learning_rate, seed, flat)
    return model, fit(model, optimizer, x, y, epochs, batch_size, seed)


def _views(flat, shapes):
    views, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        views.append(flat[start:start + size].reshape(shape))
        start += size
    return views
