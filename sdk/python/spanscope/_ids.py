"""Ids and times, made cheap for the decorator's hot path.

A span records only ``time.time_ns()`` and one number from a per-process counter when it
starts; the UUID v7 text and the ISO time are formatted later (on first use, usually on the
sender thread). The id is a pure function of those two numbers, so whichever thread formats
it first gets the same text.

UUID v7 (RFC 9562): 48 bits of Unix milliseconds, version 7, 12 bits of sub-millisecond time
(method 3 of the RFC), variant ``10``, then 62 bits that here are the counter value. The
counter starts at a random 62-bit number in each process, and again in a forked child (see
``reseed``), so ids stay unique across processes without calling ``os.urandom`` per span.
"""

import datetime
import itertools
import os
import time

_MASK62 = (1 << 62) - 1

counter = itertools.count(int.from_bytes(os.urandom(8), "big") & _MASK62)


def reseed():
    """Gives this process a fresh random counter: a forked child must not repeat its parent's ids."""
    global counter
    counter = itertools.count(int.from_bytes(os.urandom(8), "big") & _MASK62)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=reseed)


def next_seq():
    return next(counter)


def uuid7(ns, seq):
    ms, rest = divmod(ns, 1_000_000)
    # An odd multiplier is a bijection modulo 2**62: ids of consecutive spans stay unique
    # but stop looking consecutive.
    rand = (seq * 0x9E3779B97F4A7C15) & _MASK62
    text = "%032x" % (((ms & 0xFFFFFFFFFFFF) << 80) | ((0x7000 | (rest * 4096 // 1_000_000)) << 64) | (1 << 63) | rand)
    return "%s-%s-%s-%s-%s" % (text[:8], text[8:12], text[12:16], text[16:20], text[20:])


def new_id():
    return uuid7(time.time_ns(), next(counter))


_last_second = (None, "")


def iso(ns):
    """Nanoseconds since the epoch as the model's canonical time, ISO 8601 UTC, 6 digits."""
    global _last_second
    seconds, rest = divmod(ns, 1_000_000_000)
    last = _last_second
    if last[0] == seconds:
        prefix = last[1]
    else:
        # Spans come in bursts within the same second: format its date and time once.
        prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        _last_second = (seconds, prefix)
    return "%s.%06dZ" % (prefix, rest // 1000)


def to_ns(value):
    """A user-given time (datetime, epoch seconds, ISO text) as epoch nanoseconds, or None."""
    if value is None:
        return None
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return int(value * 1_000_000_000)
        if hasattr(value, "timestamp"):
            if getattr(value, "tzinfo", None) is None:
                # Naive datetimes are taken as UTC, as Opik does.
                value = value.replace(tzinfo=datetime.timezone.utc)
            return int(value.timestamp() * 1_000_000) * 1000
        if isinstance(value, str):
            text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
            parsed = datetime.datetime.fromisoformat(text)
            return to_ns(parsed)
    except (ValueError, TypeError, OverflowError, OSError):
        return None
    return None
