"""Keras's progress line (``keras.utils.Progbar``), e.g.
``40/40 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.3000``; ``callbacks.ProgbarLogger`` drives
it during fit, evaluate and predict."""
import math
import sys
import time


class Progbar:
    """Keras's progress line, e.g. ``40/40 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.3000``.

    ``verbose=1``: on a terminal the line is redrawn in place (at most every ``interval``
    seconds, with Keras's colours) and finished with a newline; elsewhere (a file, a captured
    stream) only the finished line is written. ``verbose=2``: one plain line when finished,
    ``40/40 - 0s - 2ms/step - loss: 0.3000``. Values are shown as given (``.4f``, or ``.4e``
    when at most 1e-3 in size, as Keras); the time per step leaves out the first step.
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, unit_name="step", stream=None):
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.stream = stream or sys.stdout
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self._values = {}
        self._start = time.time()
        self._last_update = 0.0
        self._after_first_step = None
        self._previous_width = 0

    def update(self, current, values=None, finalize=None):
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for key, value in values or []:
            self._values[key] = value
        now = time.time()
        per_step = self._step_duration(current, now)
        if self.verbose == 1 and (finalize or (self.interactive
                                               and now - self._last_update >= self.interval)):
            self._write_line(current, now, per_step, finalize)
        elif self.verbose == 2 and finalize and self.target:
            digits = int(math.log10(self.target)) + 1
            line = (f"{current:{digits}d}/{self.target} - {now - self._start:.0f}s -"
                    f"{_format_time(per_step, self.unit_name)}"
                    + "".join(f" - {k}: {_format_value(v, signed=False)}"
                              for k, v in self._values.items()))
            self._write(line + "\n")
        self._last_update = now

    def _write_line(self, current, now, per_step, finalize):
        paint = _ansi if self.interactive else _plain_text
        if self.target:
            digits = int(math.log10(self.target)) + 1
            done = int(self.width * current / self.target)
            bar = (paint(f"{current:{digits}d}/{self.target}", "1") + " "
                   + (paint("━" * done, "32") if done > 0 else "")
                   + paint("━" * (self.width - done), "37"))
        else:
            bar = f"{current:7d}/Unknown"
        if self.target and not finalize:
            clock = _format_eta(per_step * (self.target - current))
        else:
            clock = f"{now - self._start:.0f}s"
        info = " " + paint(clock, "1") + _format_time(per_step, self.unit_name)
        info += "".join(f" - {k}: {_format_value(v)}" for k, v in self._values.items())
        line = bar + info
        if not self.interactive:
            self._write(line + "\n")
            return
        width = len(_strip_ansi(line))
        padding = " " * max(self._previous_width - width, 0)
        self._write("\b" * self._previous_width + "\r" + line + padding
                    + ("\n" if finalize else ""))
        self._previous_width = width

    def _step_duration(self, current, now):
        if not current:
            return 0.0
        if self._after_first_step is not None and current > 1:
            duration = (now - self._after_first_step) / (current - 1)
        else:
            duration = (now - self._start) / current
        if current == 1:
            self._after_first_step = now
        return duration

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()


def _ansi(text, code):
    return f"\x1b[{code}m{text}\x1b[0m"


def _plain_text(text, code):
    return text


def _strip_ansi(text):
    import re
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _format_value(value, signed=True):
    """Keras's rule: 4 decimals, or scientific notation for values at most 1e-3 in size."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return f"{value}"
    big = abs(value) > 1e-3 if signed else value > 1e-3
    return f"{value:.4f}" if big else f"{value:.4e}"


def _format_time(seconds, unit_name):
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(eta):
    if eta > 3600:
        return f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
    if eta > 60:
        return f"{int(eta // 60)}:{int(eta % 60):02d}"
    return f"{int(eta)}s"
