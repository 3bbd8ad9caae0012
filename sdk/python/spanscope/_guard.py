"""The SDK's boundary with user code: ``never_raise``.

Tracing must never change what a user's program does, so no exception of ours may reach it.
Rather than a ``try``/``except Exception`` in every method a user can call, each such entry
point (a span's ``update``/``end``/``log``, the client's and the logger's calls, the hooks the
interpreter runs at exit and fork, the wrapped OpenAI ``create``) is decorated here: this is the
one place that catches everything at the boundary, and the linter allows it nowhere else
(``[tool.ruff.lint.per-file-ignores]`` in pyproject.toml lists the few modules that must catch
broadly for a reason of their own).
"""

import functools


def never_raise(fallback=None):
    """Decorates an entry point: whatever ``Exception`` it raises is swallowed and ``fallback``
    returned instead. What went wrong is for the entry point to report (``_warn``) where a user
    would want to know; most failures here mean a bad argument already warned about."""

    def decorate(fn):
        @functools.wraps(fn)
        def guarded(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception:
                return fallback

        return guarded

    return decorate
