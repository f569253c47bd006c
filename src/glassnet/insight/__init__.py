"""The insight tools: seeing inside a network while it trains.

- ``inspect``: one forward/backward pass read layer by layer (``activations``, ``gradients``,
  ``gradient_check``, output statistics, identical units); public as ``glassnet.inspect``;
- ``plots``: pictures of those numbers (matplotlib, imported on first use);
- ``probe``: ``Probe``, the callback that records per-layer statistics during ``fit``; public
  as ``glassnet.callbacks.Probe``;
- ``diagnosis``: ``diagnose`` and its findings; ``messages``: their English and Korean text.

Reads models through their public surface (``layers``, ``forward``/``backward`` as ``fit``
runs them). May import: numbers, layers, models, callbacks. Never saving, interop or lab.
"""
