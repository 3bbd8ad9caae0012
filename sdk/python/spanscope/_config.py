"""Settings: read from the environment once, overridable with ``spanscope.configure``.

Read at import (and again by ``configure``) rather than per call, because the decorator's
hot path must not touch ``os.environ``. The ``OPIK_*`` names are fallbacks so that scripts
written for Opik (the seeds set ``OPIK_PROJECT_NAME`` / ``OPIK_TRACK_DISABLE``) behave the same.
"""

import os

DEFAULT_URL = "http://127.0.0.1:7726"
DEFAULT_PROJECT = "Default Project"

_TRUE = ("1", "true", "yes", "on")


def _env_flag(*names):
    for name in names:
        value = os.environ.get(name)
        if value is not None and value.strip() != "":
            return value.strip().lower() in _TRUE
    return False


def _env_number(name, default, kind=int):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = kind(value)
    except ValueError:
        return default
    return number if number > 0 else default


class Settings:
    """The one settings object; the hot path reads ``settings.disabled`` and nothing else."""

    def __init__(self):
        self.reload()

    def reload(self):
        env = os.environ
        self.url = (env.get("SPANSCOPE_URL") or DEFAULT_URL).strip().rstrip("/")
        self.project_name = (
            env.get("SPANSCOPE_PROJECT") or env.get("OPIK_PROJECT_NAME") or DEFAULT_PROJECT
        )
        self.disabled = _env_flag("SPANSCOPE_DISABLE") or _env_flag("OPIK_TRACK_DISABLE")
        # Characters one input/output/metadata value may take once serialised; beyond it
        # strings and collections are cut with a visible marker.
        self.max_value_chars = _env_number("SPANSCOPE_MAX_VALUE_CHARS", 200_000)
        # Pending records (span starts, updates, scores) the sender may hold; beyond it new
        # ones are dropped and counted rather than growing memory without bound.
        self.queue_size = _env_number("SPANSCOPE_QUEUE_SIZE", 100_000)
        # How often the sender wakes: short, so a running span shows up in the UI at once.
        self.flush_interval = _env_number("SPANSCOPE_FLUSH_INTERVAL_MS", 50) / 1000.0
        # The most the interpreter waits at exit for the last spans to leave.
        self.exit_timeout = _env_number("SPANSCOPE_EXIT_TIMEOUT", 2.0, float)


settings = Settings()


def configure(
    url=None,
    project_name=None,
    disabled=None,
    max_value_chars=None,
    queue_size=None,
    flush_interval=None,
    exit_timeout=None,
):
    """Overrides settings at run time; arguments left as ``None`` keep their value.

    ``flush_interval`` and ``exit_timeout`` are in seconds.
    """
    if url is not None:
        settings.url = str(url).strip().rstrip("/")
    if project_name is not None:
        _pin_queued_traces()
        settings.project_name = str(project_name)
    if disabled is not None:
        settings.disabled = bool(disabled)
    if max_value_chars is not None:
        settings.max_value_chars = max(64, int(max_value_chars))
    if queue_size is not None:
        settings.queue_size = max(1, int(queue_size))
    if flush_interval is not None:
        settings.flush_interval = max(0.001, float(flush_interval))
    if exit_timeout is not None:
        settings.exit_timeout = max(0.0, float(exit_timeout))


def _pin_queued_traces():
    """Traces of top-level tracked calls are made lazily, and take the default project when
    made; make those still queued now, so that calls made before this ``configure`` keep the
    project they were made under."""
    from . import _records, _sender  # noqa: PLC0415 - both import this module

    for item in list(_sender.queue):
        if isinstance(item, _records.Span) and item._trace is None:
            item.trace  # noqa: B018 - the property makes it
