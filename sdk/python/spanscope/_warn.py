"""One-line warnings on stderr, each at most once per process (and not again in a fork).

The SDK never raises into user code; when something is wrong (collector down, queue full,
a bad argument) the user learns it here, once, instead of from a traceback or a flood.
"""

import os
import sys
import threading

from ._guard import never_raise

_seen = set()
_lock = threading.Lock()


def _after_fork_in_child():
    # Another thread may have held the lock at the fork; what was said stays said.
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def warn_once(key, message):
    with _lock:
        if key in _seen:
            return
        _seen.add(key)
    warn(message)


@never_raise()  # a closed, broken or missing stderr (or any object put there) must not break the caller
def warn(message):
    sys.stderr.write("spanscope: %s\n" % message)
    sys.stderr.flush()
