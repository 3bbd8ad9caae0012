"""Where the SDK's parts are connected, once, when ``spanscope`` is imported.

The parts import only what is below them (``tests/test_import_graph.py`` keeps it so); what
must flow upwards is handed over here: records get the sender's queue as their sink, and the
sender gets the exit handling's hooks.
"""

from . import _exit, _records, _sender


def install():
    _records.install_sink(_sender.emit)
    _sender.install_hooks(on_started=_exit.on_sender_started, after_flush=_exit.after_flush)
    _exit.install()
