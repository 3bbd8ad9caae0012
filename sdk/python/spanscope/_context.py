"""The current span, per thread and per asyncio task.

One ``ContextVar`` holds the innermost open span; its ``parent`` chain is the stack, and its
``trace`` is the current trace. asyncio tasks copy the context when created, so concurrent
tasks keep separate stacks that start from the span that created them. A new
``threading.Thread`` (and a thread-pool worker) starts with an empty context: its spans
begin new traces, unless the thread's function is wrapped with
``spanscope.context.with_current_span(fn)`` (or runs under ``asyncio.to_thread``, which
copies the context), in which case they nest under the span that started it.
"""

import contextvars

current_span = contextvars.ContextVar("spanscope_current_span", default=None)
