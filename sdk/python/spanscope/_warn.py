"""One-line warnings on stderr, each at most once per process (and not again in a fork).

The SDK never raises into user code; when something is wrong (collector down, queue full,
a bad argument) the user learns it here, once, instead of from a traceback or a flood.
"""

import sys
import threading

_seen = set()
_lock = threading.Lock()


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
    except Exception:  # noqa: BLE001 - a closed stderr must not break the caller
        pass
