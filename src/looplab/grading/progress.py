"""A one-line progress bar on stderr: done/total, counts by outcome, ETA."""

from __future__ import annotations

import sys
import time
from collections import Counter

from looplab.status import OK, TIMEOUT


class Progress:
    def __init__(self, total: int, stream=sys.stderr) -> None:
        self.total, self.stream = total, stream
        self.done = 0
        self.counts: Counter[str] = Counter()
        self.start = time.monotonic()
        self.tty = stream.isatty()
        self._last_line = -1

    def update(self, status: str) -> None:
        self.done += 1
        self.counts["timed out" if status == TIMEOUT else "ok" if status == OK else "failed"] += 1
        tenth = self.done * 10 // max(self.total, 1)
        if self.tty or tenth != self._last_line or self.done == self.total:
            self._last_line = tenth
            self._draw()

    def _draw(self) -> None:
        width = 24
        filled = width * self.done // max(self.total, 1)
        elapsed = time.monotonic() - self.start
        eta = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        counts = "  ".join(f"{k} {self.counts[k]}" for k in ("ok", "failed", "timed out"))
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}  {counts}  "
                f"ETA {_clock(eta)}")
        end = "" if self.tty and self.done < self.total else "\n"
        print(("\r" if self.tty else "") + line, end=end, file=self.stream, flush=True)


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
