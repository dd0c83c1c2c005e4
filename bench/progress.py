"""A progress bar on stderr: ``[########        ] 40%  articles 40,000/100,000  12.3 s``."""

import sys
import time

WIDTH = 30


class ProgressBar:
    """One line redrawn in a terminal; elsewhere (a log, make's output) a line now and then."""

    def __init__(self, stream=None, *, interval: float = 0.1, log_interval: float = 5.0):
        self.stream = stream or sys.stderr
        self.is_terminal = self.stream.isatty()
        self.interval = interval if self.is_terminal else log_interval
        self.started = time.perf_counter()
        self._last_drawn = 0.0
        self._last_phase = ""
        self._line_open = False

    def line(self, fraction: float, label: str) -> str:
        fraction = min(max(fraction, 0.0), 1.0)
        filled = round(WIDTH * fraction)
        elapsed = time.perf_counter() - self.started
        bar = "#" * filled + " " * (WIDTH - filled)
        return f"[{bar}] {fraction * 100:3.0f}%  {label}  {elapsed:.1f} s"

    def update(self, fraction: float, phase: str, done: int, total: int) -> None:
        now = time.perf_counter()
        new_phase = phase != self._last_phase
        if not new_phase and done < total and now - self._last_drawn < self.interval:
            return
        self._last_drawn, self._last_phase = now, phase
        text = self.line(fraction, f"{phase} {done:,}/{total:,}")
        if self.is_terminal:
            self.stream.write(f"\r{text}\033[K")
            self._line_open = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._line_open:
            self.stream.write("\n")
            self.stream.flush()
            self._line_open = False
