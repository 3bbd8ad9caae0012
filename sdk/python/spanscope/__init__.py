"""Spanscope: send traces from Python to the local Spanscope collector.

    from spanscope import track                     # Opik's @track
    from spanscope import context                   # Opik's opik_context
    from spanscope import Client                    # Opik's Opik(project_name=...)
    from spanscope import init_logger, traced       # Braintrust's idiom (and start_span, current_span)
    from spanscope import wrap_openai               # OpenAI (also spanscope.integrations.openai.track_openai)

Standard library only. ``SPANSCOPE_URL``, ``SPANSCOPE_PROJECT`` and ``SPANSCOPE_DISABLE``
configure it; see README.md.
"""

from . import _runtime, context
from ._client import Client
from ._configure import configure
from ._logger import Logger, current_logger, current_span, init_logger, start_span
from ._records import Span, Trace
from ._sender import flush
from ._track import traced, track
from .integrations.openai import track_openai, wrap_openai

__version__ = "0.1.0"

__all__ = [
    "Client",
    "Logger",
    "Span",
    "Trace",
    "configure",
    "context",
    "current_logger",
    "current_span",
    "flush",
    "init_logger",
    "start_span",
    "traced",
    "track",
    "track_openai",
    "wrap_openai",
]

_runtime.install()
