"""JKDATA_TRACE=1: say on stderr when each step of a validation ran, for how long, in which thread.

One line a step: `trace THREAD START END SECONDS  LABEL`, times in seconds since the package was
imported. `scripts/bench.py` reads these lines to say where the time goes.
"""

from __future__ import annotations

import os
import sys
import threading
import time

START = time.perf_counter()


def traced(label: str, fn, *args):
    """Run fn(*args); with JKDATA_TRACE set, print when it ran and how long it took."""
    if not os.environ.get("JKDATA_TRACE"):
        return fn(*args)
    start = time.perf_counter()
    try:
        return fn(*args)
    finally:
        end = time.perf_counter()
        print(
            f"trace {threading.current_thread().name:<24} {start - START:7.3f} "
            f"{end - START:7.3f} {end - start:7.3f}  {label}",
            file=sys.stderr,
        )
