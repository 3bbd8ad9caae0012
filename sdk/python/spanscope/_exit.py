"""Nothing lost at exit, and exit never held up for long.

- Normal exit, an uncaught exception and ``sys.exit`` all run ``atexit``: one bounded flush
  (``exit_timeout``, 2 s by default) that also ends whatever is still open.
- SIGTERM kills a Python process without ``atexit``. When nobody has set a SIGTERM handler
  (it is ``SIG_DFL``), we install one that flushes the same way, puts ``SIG_DFL`` back and
  re-sends SIGTERM to the process, so it dies exactly as it would have. A handler the user
  set first is left alone (theirs usually ends in ``sys.exit``, which ``atexit`` covers);
  one they set later simply replaces ours.
- ``multiprocessing`` children leave through ``os._exit`` after running its finalizers, not
  ``atexit``; a child that sends spans registers a finalizer that flushes.
- ``os.fork()``: each module that keeps state resets it in the child itself
  (``os.register_at_fork`` in ``_sender``, ``_ids``, ``_warn``, ``_records`` and here). A forked
  child that ends with ``os._exit`` must call ``spanscope.flush()`` first: nothing runs after
  ``os._exit``.
"""

import atexit
import os
import signal
import sys
import threading

from . import _sender
from ._config import settings
from ._guard import never_raise

_sigterm_installed = False
_sigterm_deferred = False
# Whether this process has registered its multiprocessing finalizer (a forked child has not).
_finalizer_registered = False


@never_raise()  # never in the way of exiting
def shutdown(reason="exit"):
    sender = _sender.sender
    if not sender.started and not sender.queue:
        return
    sender.flush(settings.exit_timeout, closing=reason)
    sender.report_final_drops()


def _at_exit():
    shutdown("exit")


def _on_sigterm(signum, frame):
    global _sigterm_deferred
    if _sender.sender.cycling_here():
        # The signal interrupted a flush on this very thread (the exit flush of a pool
        # worker that is being terminated, say): let that flush finish, then die.
        _sigterm_deferred = True
        return
    try:
        shutdown("SIGTERM")
    finally:
        _die_of_sigterm()


def after_flush():
    """Run by the sender after every flush: finishes a SIGTERM that arrived during one."""
    global _sigterm_deferred
    if _sigterm_deferred:
        _sigterm_deferred = False
        try:
            shutdown("SIGTERM")
        finally:
            _die_of_sigterm()


def _die_of_sigterm():
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    finally:
        os.kill(os.getpid(), signal.SIGTERM)


def install_sigterm():
    global _sigterm_installed
    if _sigterm_installed or threading.current_thread() is not threading.main_thread():
        return
    try:
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _on_sigterm)
            _sigterm_installed = True
    except (ValueError, OSError, AttributeError):
        pass


def on_sender_started():
    """Run by the sender when its first record starts it in this process."""
    install_sigterm()
    if not _finalizer_registered and "multiprocessing" in sys.modules:
        _register_finalizer()


@never_raise()
def _register_finalizer():
    global _finalizer_registered
    # Imported only here, and only once the script has imported multiprocessing itself.
    from multiprocessing import parent_process, util

    if parent_process() is not None:
        util.Finalize(None, shutdown, args=("exit",), exitpriority=100)
        _finalizer_registered = True


def _after_fork_in_child():
    global _finalizer_registered
    _finalizer_registered = False


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def install():
    atexit.register(_at_exit)
    if not settings.disabled:
        install_sigterm()
