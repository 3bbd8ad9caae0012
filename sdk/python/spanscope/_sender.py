"""The background sender: a bounded queue drained by one daemon thread that POSTs batches of
events to the collector's ``/api/ingest`` (``docs/protocol.md``).

The user's thread only appends to a ``deque`` (atomic in CPython, no lock); the thread wakes
every ``flush_interval`` (50 ms by default) so a running span shows up in the UI at once.
Everything that could be slow or fail (serialising, JSON, HTTP) happens here, and nothing
here raises: a collector that is down gets one warning on stderr, its events are kept for a
retry (within the queue bound), and the script runs on.

``flush`` and the exit paths run a cycle on the calling thread under ``_cycle_lock`` rather
than waiting for the thread, so they work even where the thread can not run (a signal
handler, a forked child, interpreter shutdown) and they are bounded by their deadline.

This module catches broad exceptions in three places, each for a reason of its own: a send
cycle (the thread must outlive anything, and ``flush`` is called from user code), the
encoding of one record (it is skipped, the others go), and a POST (any failure to deliver
means "down for now": the batch is kept for a retry).

What happens around the sender (exit, SIGTERM) is told to it through ``install_hooks``; it
imports nothing of the modules that use it.
"""

import collections
import http.client
import json
import os
import threading
import time
import urllib.parse

from . import _wire
from ._config import settings
from ._guard import never_raise
from ._warn import warn, warn_once

MAX_BATCH_EVENTS = 2000
MAX_BATCH_BYTES = 4 * 1024 * 1024
# How long one HTTP exchange may take outside of exit/flush deadlines.
REQUEST_TIMEOUT = 5.0
BACKOFF_MAX = 5.0


class _State:
    """``limit`` is how many records the queue may hold, and 0 until this process's sender has
    started, so the hot path's single comparison ``len(queue) < state.limit`` also sends the
    first record of a process (and of a forked child) down the slow path that starts it."""

    __slots__ = ("limit",)

    def __init__(self):
        self.limit = 0


# One queue for the life of the process (a forked child empties it), so that tracked
# functions can hold on to it and to its ``append``.
queue = collections.deque()
state = _State()


class Sender:
    def __init__(self):
        self.queue = queue
        self.started = False
        self.dropped = 0
        self._drop_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._cycle_lock = threading.Lock()
        self._cycle_owner = None
        self._wake = threading.Event()
        self._thread = None
        self._pausing = False
        self._running = set()
        self._pending = []
        self._backoff = 0.0
        self._retry_at = 0.0
        self._conn = None
        self._conn_url = None
        self._reported_drops = 0
        self.sent_events = 0
        # Events the collector refused (a bug on our side if it ever happens).
        self.rejected_events = 0
        # Events given up on because the collector could not be reached in time.
        self.lost_events = 0

    # ---- user side -----------------------------------------------------------------

    def count_drop(self):
        with self._drop_lock:
            self.dropped += 1

    def start(self):
        with self._start_lock:
            if self.started:
                return
            self.started = True
            self._start_thread()
            state.limit = settings.queue_size
        if _on_started is not None:
            _on_started()

    def _start_thread(self):
        self._pausing = False
        try:
            thread = threading.Thread(target=self._loop, name="spanscope-sender", daemon=True)
            thread.start()
            self._thread = thread
        except RuntimeError:
            # Interpreter shutting down: exit's flush will send what is queued.
            self._thread = None

    def pause_for_fork(self):
        """Stops the thread before ``os.fork()``: a process that forks with other threads
        running risks deadlocks in the child (Python 3.12 warns about it). Bounded: a thread
        stuck on a slow collector is left running."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        self._pausing = True
        self._wake.set()
        thread.join(0.5)
        # join() returns a moment before the OS thread is gone, and 3.12 counts OS threads.
        deadline = time.monotonic() + 0.05
        while not thread.is_alive() and _os_threads() > threading.active_count() and time.monotonic() < deadline:
            time.sleep(0.0005)

    def resume_after_fork(self):
        """The thread is not restarted here (Python 3.13 counts threads after this hook and
        would warn all the same) but by the next record queued, through the slow path."""
        if self._pausing and (self._thread is None or not self._thread.is_alive()):
            self._thread = None
            state.limit = 0
        self._pausing = False

    def ensure_thread(self):
        with self._start_lock:
            if self._thread is None and self.started:
                self._start_thread()
            state.limit = settings.queue_size

    def flush(self, timeout, closing=None):
        """Sends everything queued so far; True when nothing is left unsent. ``closing``
        (``"exit"`` or ``"SIGTERM"``) also ends every span still open."""
        deadline = time.monotonic() + max(0.0, timeout)
        if not self._cycle_lock.acquire(timeout=max(0.0, timeout)):
            return False
        try:
            return self._guarded_cycle(deadline, closing, force=True) and not self._pending and not self.queue
        finally:
            self._cycle_lock.release()
            if _after_flush is not None:
                _after_flush()

    def cycling_here(self):
        """True when this thread is inside a send cycle (a signal handler interrupted it)."""
        return self._cycle_owner == threading.get_ident()

    # ---- thread side ---------------------------------------------------------------

    def _loop(self):
        while True:
            self._wake.wait(settings.flush_interval)
            self._wake.clear()
            if self._pausing:
                return
            if not self._cycle_lock.acquire(timeout=1.0):
                continue
            try:
                self._guarded_cycle(None, None, force=False)
            finally:
                self._cycle_lock.release()

    def _guarded_cycle(self, deadline, closing, force):
        """One send cycle on this thread, ``_cycle_lock`` held; False when it failed (said once
        on stderr): the thread must outlive anything, and ``flush`` runs in user code."""
        self._cycle_owner = threading.get_ident()
        try:
            self._cycle(deadline, closing, force)
            return True
        except Exception as exc:
            warn_once("internal", "internal error while sending (%s: %s)" % (type(exc).__name__, exc))
            return False
        finally:
            self._cycle_owner = None

    def _cycle(self, deadline, closing, force):
        if self._thread is not None:
            # Follows configure(queue_size=...); left at 0 while a fork has the thread to restart.
            state.limit = settings.queue_size
        out = []
        queue = self.queue
        running = self._running
        while True:
            try:
                item = queue.popleft()
            except IndexError:
                break
            _encode_one(_wire.drain, item, out, running)
        if closing is not None:
            _abandon_open(running, closing)
        for record in list(running):
            if not _encode_one(_wire.finish, record, out, running):
                running.discard(record)
        self._report_drops()
        pending = self._pending
        if out:
            pending.extend(_encode(out))
            # While the collector is away the backlog is bounded too (a record makes at most
            # a few events): the oldest batches go first.
            overflow = sum(n for n, _ in pending) - 2 * settings.queue_size
            while overflow > 0 and len(pending) > 1:
                n, _ = pending.pop(0)
                overflow -= n
                self.lost_events += n
        if not pending:
            return
        if not force and time.monotonic() < self._retry_at:
            return
        self._pending = []
        for index, (count, body) in enumerate(pending):
            if not self._post_batch(count, body, deadline):
                # Keep this batch and the later ones, in order, for the next attempt.
                self._pending = pending[index:] + self._pending
                return

    def _post_batch(self, count, body, deadline):
        """True when the collector took the batch (or rejected it for good); False to retry."""
        answer = self._try_post(body, deadline)
        if answer is None:
            return False
        status, reply = answer
        self._backoff = 0.0
        self._retry_at = 0.0
        if status == 200:
            self.sent_events += count
            return True
        if status == 400:
            return self._resend_valid(body, reply, deadline)
        if status >= 500:
            self._down(RuntimeError("HTTP %d" % status))
            return False
        warn_once(
            "http-%d" % status,
            "the collector at %s refused a batch (HTTP %d: %s); it was dropped"
            % (settings.url, status, _error_text(reply)),
        )
        self.rejected_events += count
        return True

    def _resend_valid(self, body, reply, deadline):
        # One invalid event makes the collector reject the whole batch: drop the ones it
        # names, say why once, and send the others again.
        try:
            details = json.loads(reply.decode("utf-8")).get("details") or []
            bad = {int(d["index"]) for d in details if "index" in d}
        except (ValueError, KeyError, TypeError, AttributeError):
            details, bad = [], set()
        first = details[0] if details else {}
        warn_once(
            "invalid",
            "the collector rejected %d event(s): %s %s (please report this as a spanscope bug)"
            % (max(len(bad), 1), first.get("path", ""), first.get("message", _error_text(reply))),
        )
        self.rejected_events += max(len(bad), 1)
        if not bad:
            return True
        events = json.loads(body.decode("ascii"))["events"]  # our own body: it parses
        rest = [e for i, e in enumerate(events) if i not in bad]
        if rest:
            answer = self._try_post(json.dumps({"events": rest}, ensure_ascii=True).encode("ascii"), deadline)
            if answer is not None and answer[0] == 200:
                self.sent_events += len(rest)
        return True

    def _try_post(self, body, deadline):
        """``(status, reply)``, or None once ``_down`` has noted the failure: whatever fails
        on the way (refused, reset, timed out, a TLS or HTTP oddity, a bad ``SPANSCOPE_URL``)
        means "down for now", and the batch waits for the next attempt."""
        try:
            return self._post(body, deadline)
        except Exception as exc:
            self._down(exc)
            return None

    def _post(self, body, deadline):
        timeout = REQUEST_TIMEOUT
        if deadline is not None:
            timeout = deadline - time.monotonic()
            if timeout <= 0:
                raise TimeoutError("no time left before the deadline")
        for attempt in (0, 1):
            conn, path = self._connection(timeout)
            try:
                conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                reply = response.read()
                if response.will_close:
                    self._close()
                return response.status, reply
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server closed meanwhile: one fresh try.
                self._close()
                if attempt == 1:
                    raise
            except Exception:
                self._close()
                raise
        raise RuntimeError("unreachable")

    def _connection(self, timeout):
        url = settings.url
        if self._conn is None or self._conn_url != url:
            self._close()
            parts = urllib.parse.urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("SPANSCOPE_URL must look like http://127.0.0.1:7726, not %r" % url)
            cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            self._conn = cls(parts.hostname, parts.port, timeout=timeout)
            self._conn_url = url
            self._path = (parts.path.rstrip("/") or "") + "/api/ingest"
        self._conn.timeout = timeout
        if self._conn.sock is not None:
            self._conn.sock.settimeout(timeout)
        return self._conn, self._path

    def _close(self):
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass

    def _down(self, exc):
        warn_once(
            "down",
            "can not reach the collector at %s (%s). The script runs on; traces are kept "
            "and sent if it comes up (start it with `spanscope serve`; SPANSCOPE_URL sets the "
            "address, SPANSCOPE_DISABLE=1 turns tracing off)." % (settings.url, _reason(exc)),
        )
        self._backoff = min(BACKOFF_MAX, max(0.25, self._backoff * 2))
        self._retry_at = time.monotonic() + self._backoff

    def _report_drops(self):
        if self.dropped and not self._reported_drops:
            self._reported_drops = self.dropped
            warn(
                "the send queue is full (%d records); new spans are being dropped. SPANSCOPE_QUEUE_SIZE "
                "raises the limit." % settings.queue_size
            )

    def report_final_drops(self):
        if self.dropped:
            warn("%d spans were dropped because the send queue was full." % self.dropped)
        lost = self.lost_events + sum(n for n, _ in self._pending)
        if lost or self.queue:
            warn(
                "%d events (and %d queued records) could not be delivered to the collector at %s."
                % (lost, len(self.queue), settings.url)
            )


def _abandon_open(running, reason):
    """Ends every record still open when the process goes away, so none stays ``running``
    for ever. Hand-made spans and traces that were simply never ended (Opik's examples do
    not end spans) end quietly at normal exit; a tracked call still on some thread's stack,
    or anything open at SIGTERM, is marked as interrupted."""
    now = time.time_ns()
    for record in list(running):
        if record._ended():
            continue
        interrupted = reason != "exit" or getattr(record, "_spec", None) is not None
        error = None
        if interrupted:
            error = {
                "exception_type": "Interrupted",
                "message": "the process %s while this was running"
                % ("received SIGTERM" if reason == "SIGTERM" else "exited"),
            }
        record._abandon(now, error)


def _os_threads():
    """This process's OS threads (Linux); 0 where that can not be read."""
    try:
        with open("/proc/self/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[17])
    except (OSError, ValueError, IndexError):
        return 0


def _encode(events):
    """Events as request bodies, ``[(event count, bytes)]``, each within the batch limits."""
    bodies = []
    for start in range(0, len(events), MAX_BATCH_EVENTS):
        bodies.extend(_encode_chunk(events[start : start + MAX_BATCH_EVENTS]))
    return bodies


def _encode_chunk(chunk):
    # One json.dumps per batch; only if that fails is each event tried on its own.
    try:
        text = _dumps({"events": chunk})
    except (TypeError, ValueError) as exc:
        warn_once("encode", "could not encode an event as JSON (%s); it was skipped" % exc)
        chunk = [event for event in chunk if _encodable(event)]
        if not chunk:
            return []
        text = _dumps({"events": chunk})
    if len(text) > MAX_BATCH_BYTES and len(chunk) > 1:
        half = len(chunk) // 2
        return _encode_chunk(chunk[:half]) + _encode_chunk(chunk[half:])
    return [(len(chunk), text.encode("ascii"))]


def _dumps(value):
    return json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))


def _encodable(event):
    try:
        _dumps(event)
        return True
    except (TypeError, ValueError):
        return False


def _reason(exc):
    text = str(exc) or type(exc).__name__
    return text if len(text) < 120 else text[:117] + "..."


def _error_text(reply):
    try:
        return str(json.loads(reply.decode("utf-8")).get("error"))
    except (ValueError, AttributeError):
        return reply[:120].decode("utf-8", "replace")


def _encode_one(encode, item, out, running):
    """``encode(item, out, running)``; False when it failed: that record is skipped (said
    once on stderr) so that one strange record never costs the others."""
    try:
        encode(item, out, running)
        return True
    except Exception as exc:
        warn_once("drain", "could not encode a record (%s: %s); it was skipped" % (type(exc).__name__, exc))
        return False


sender = Sender()

# What the runtime (``_runtime``) has the sender call: ``_on_started`` once its first record
# starts it in a process, ``_after_flush`` after every flush (to finish a SIGTERM that arrived
# during one).
_on_started = None
_after_flush = None


def install_hooks(on_started, after_flush):
    global _on_started, _after_flush
    _on_started = on_started
    _after_flush = after_flush


def emit(item):
    """Queues a record or an update. Tracked functions inline the first two lines."""
    if settings.disabled:
        return
    if len(queue) < state.limit:
        queue.append(item)
    else:
        enqueue_slow(item)


def enqueue_slow(item):
    """The first record of a process (starts the sender), or a full queue (counts a drop)."""
    s = sender
    if not s.started:
        s.start()
    elif s._thread is None:
        s.ensure_thread()  # after a fork in this (parent) process
    if len(queue) < settings.queue_size:
        queue.append(item)
    else:
        s.count_drop()


@never_raise(fallback=False)
def flush(timeout=None):
    """Sends everything recorded so far; returns True when all of it reached the collector.
    Bounded by ``timeout`` seconds (default: the exit timeout, 2 s)."""
    s = sender
    if not s.started and not s.queue:
        return True
    return s.flush(settings.exit_timeout if timeout is None else float(timeout))


# ---- os.fork() ------------------------------------------------------------------------
#
# The thread is stopped for the moment of the fork (a process that forks with other threads
# running risks deadlocks in the child), and restarted in the parent by its next record. The
# child gets an empty sender of its own: the parent's queued records and the thread that
# drained them belong to the parent (the thread does not exist in the child, and its locks
# may have been held at the fork).


@never_raise()
def _before_fork():
    sender.pause_for_fork()


@never_raise()
def _after_fork_in_parent():
    sender.resume_after_fork()


def _after_fork_in_child():
    global sender
    queue.clear()
    state.limit = 0
    sender = Sender()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child)
