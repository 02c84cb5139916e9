"""Progress of long commands on a terminal: items done, rate, time left — on stderr.

Shown only when stderr is a terminal and the command was not given ``--quiet``: in a pipe, a log
file or CI the output stays exactly what it was, so scripts that read stdout or stderr are not
disturbed. One line, redrawn in place (carriage return + erase to end of line) at most every
``interval`` seconds, ended with a newline when the work is done.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import TextIO, TypeVar

T = TypeVar("T")

ERASE = "\x1b[K"  # erase to the end of the line (ECMA-48 EL)


def on_terminal(stream: TextIO) -> bool:
    """True when ``stream`` is an interactive terminal."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return False


def format_duration(seconds: float) -> str:
    """``42s``, ``3m05s``, ``1h02m`` — short enough for one status line."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{(whole % 3600) // 60:02d}m"


class Progress:
    """A status line for ``total`` items (None when unknown).

    ``enabled`` defaults to: ``stream`` is a terminal and not ``quiet``. Use as a context
    manager, call :meth:`advance` per item done.
    """

    def __init__(
        self,
        total: int | None,
        label: str,
        *,
        stream: TextIO | None = None,
        quiet: bool = False,
        enabled: bool | None = None,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = (not quiet and on_terminal(self.stream)) if enabled is None else enabled
        self.interval = interval
        self.clock = clock
        self.done = 0
        self.item: str | None = None
        self._start = clock()
        self._last_draw = float("-inf")
        self._drawn = False

    def __enter__(self) -> Progress:
        self._draw(force=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def advance(self, count: int = 1, item: str | None = None) -> None:
        """``count`` more items done; ``item`` names the one just finished (or started)."""
        self.done += count
        if item is not None:
            self.item = item
        self._draw(force=self.total is not None and self.done >= self.total)

    def rate(self) -> float | None:
        """Items per second so far (None before the first item)."""
        elapsed = self.clock() - self._start
        return self.done / elapsed if self.done and elapsed > 0 else None

    def remaining(self) -> float | None:
        """Estimated seconds left (None when the total or the rate is unknown)."""
        rate = self.rate()
        if self.total is None or rate is None:
            return None
        return max(0, self.total - self.done) / rate

    def line(self) -> str:
        """The status text: ``label 3/10 (30%) · 1.5/s · 5s left · item``."""
        parts = [self.label]
        if self.total is not None:
            percent = 100 * self.done / self.total if self.total else 100
            parts.append(f"{self.done}/{self.total} ({percent:.0f}%)")
        else:
            parts.append(str(self.done))
        rate = self.rate()
        if rate is not None:
            parts.append(f"{rate:.1f}/s" if rate >= 1 else f"{1 / rate:.1f}s each")
        left = self.remaining()
        if left is not None and self.total is not None and self.done < self.total:
            parts.append(f"{format_duration(left)} left")
        elif self.total is not None and self.done >= self.total:
            parts.append(f"done in {format_duration(self.clock() - self._start)}")
        text = " · ".join(parts[1:])
        if self.item:
            text += f" · {self.item}"
        return f"{parts[0]} {text}"

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if not force and now - self._last_draw < self.interval:
            return
        self._last_draw = now
        self.stream.write("\r" + self.line() + ERASE)
        self.stream.flush()
        self._drawn = True

    def clear(self) -> None:
        """Erase the status line so other output starts on a clean line; the next
        :meth:`advance` draws it again."""
        if self.enabled and self._drawn:
            self.stream.write("\r" + ERASE)
            self.stream.flush()
            self._drawn = False
            self._last_draw = float("-inf")

    def close(self) -> None:
        """Draw the final state and end the line (nothing when disabled)."""
        if not self.enabled:
            return
        self._draw(force=True)
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def track(
    items: Iterable[T],
    label: str,
    *,
    total: int | None = None,
    quiet: bool = False,
    stream: TextIO | None = None,
    name: Callable[[T], str] | None = None,
) -> Iterator[T]:
    """Yield ``items``, counting each as done when the caller asks for the next one."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with Progress(total, label, quiet=quiet, stream=stream) as progress:
        for item in items:
            if name is not None:
                progress.item = name(item)
            yield item
            progress.advance()
