"""``spanscope.configure``: settings changed at run time.

Apart from ``_config`` (which only reads the environment) because changing the default
project must first settle the traces still queued, which takes the records and the queue.
"""

from . import _sender
from ._config import settings
from ._records import settle_trace


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
    for item in list(_sender.queue):
        settle_trace(item)
