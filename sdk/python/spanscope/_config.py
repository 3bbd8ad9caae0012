"""Settings: read from the environment once, overridable with ``spanscope.configure``
(``_configure``).

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
        self.project_name = env.get("SPANSCOPE_PROJECT") or env.get("OPIK_PROJECT_NAME") or DEFAULT_PROJECT
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
