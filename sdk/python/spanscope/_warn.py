"""One-line warnings on stderr, each at most once per process (and not again in a fork).

The SDK never raises into user code; when something is wrong (collector down, queue full,
a bad argument) the user learns it here, once, instead of from a traceback or a flood.
"""

import os
import sys
import threading

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


def warn(message):
    try:
        sys.stderr.write("spanscope: %s\n" % message)
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        # A closed (ValueError) or broken (OSError) stderr, or none at all (AttributeError on
        # None), must not break the caller; nor a message it can not encode (ValueError).
        pass
