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
- ``os.fork()`` stops the sender thread for the moment of the fork (so the process forks
  with no thread of ours running) and restarts it in the parent; the child gets a fresh
  sender of its own and fresh id randomness. A forked child that ends with ``os._exit`` must call
  ``spanscope.flush()`` first: nothing runs after ``os._exit``.
"""

import atexit
import os
import signal
import sys
import threading

from . import _ids, _records, _sender, _warn
from ._config import settings

_sigterm_installed = False
_sigterm_deferred = False


def shutdown(reason="exit"):
    try:
        sender = _sender.sender
        if not sender.started and not sender.queue:
            return
        sender.flush(settings.exit_timeout, closing=reason)
        sender.report_final_drops()
    except Exception:  # noqa: BLE001 - never in the way of exiting
        pass


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


def _after_flush():
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
    install_sigterm()
    mp = sys.modules.get("multiprocessing")
    if mp is None or _sender.sender.finalizer_registered:
        return
    try:
        if mp.parent_process() is not None:
            from multiprocessing import util  # noqa: PLC0415

            util.Finalize(None, shutdown, args=("exit",), exitpriority=100)
            _sender.sender.finalizer_registered = True
    except Exception:  # noqa: BLE001
        pass


def _before_fork():
    try:
        _sender.sender.pause_for_fork()
    except Exception:  # noqa: BLE001
        pass


def _after_fork_in_parent():
    try:
        _sender.sender.resume_after_fork()
    except Exception:  # noqa: BLE001
        pass


def _after_fork_in_child():
    _sender.reset_after_fork()
    _ids.reseed()
    _warn._lock = threading.Lock()
    _records._trace_lock = threading.Lock()


def install():
    _sender.after_flush = _after_flush
    atexit.register(_at_exit)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                            after_in_child=_after_fork_in_child)
    if not settings.disabled:
        install_sigterm()
