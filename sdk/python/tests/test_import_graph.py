"""The SDK's modules import one another without cycles, counting imports made inside
functions: an import moved into a function body hides a cycle from Python at import time, not
from the design. Read from the source with ``ast``, so nothing is imported to check it."""

import ast
import tempfile
import textwrap
import unittest
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "spanscope"


def package_modules(package_dir):
    """``{dotted module name: (path, is_package)}`` for every ``.py`` file under ``package_dir``."""
    package_dir = Path(package_dir)
    root = package_dir.name
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        modules[".".join([root, *parts])] = (path, is_package)
    return modules


def imported_modules(name, path, is_package, modules):
    """The package's own modules that ``name`` imports anywhere in its source (top level,
    functions, methods, ``if`` blocks)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _known_prefix(alias.name, modules)
                if target:
                    found.add(target)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(name, is_package, node)
            for alias in node.names:
                # ``from . import _sender`` names a module; ``from ._fields import clean`` a name in one.
                target = _known_prefix(base + "." + alias.name, modules) or _known_prefix(base, modules)
                if target:
                    found.add(target)
    found.discard(name)
    return found


def _resolve_from(name, is_package, node):
    if node.level == 0:
        return node.module or ""
    package = name if is_package else name.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return package + ("." + node.module if node.module else "")


def _known_prefix(dotted, modules):
    while dotted:
        if dotted in modules:
            return dotted
        dotted = dotted.rpartition(".")[0]
    return None


def import_graph(package_dir):
    modules = package_modules(package_dir)
    return {name: imported_modules(name, path, is_package, modules) for name, (path, is_package) in modules.items()}


def find_cycle(graph):
    """One import cycle as a list of modules (the first repeated at the end), or None."""
    state = {}  # absent: not seen; 1: on the current path; 2: done, no cycle through it
    path = []

    def visit(module):
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


class ImportGraphTest(unittest.TestCase):
    def test_the_sdk_has_no_import_cycle_even_through_imports_inside_functions(self):
        graph = import_graph(PACKAGE_DIR)
        self.assertIn("spanscope._sender", graph)
        cycle = find_cycle(graph)
        self.assertIsNone(cycle, "import cycle: " + " -> ".join(cycle or ()))

    def test_a_cycle_closed_by_an_import_inside_a_function_is_found(self):
        # The check above must be able to fail: a throw-away package whose cycle only shows
        # inside a function body, through a relative import of a name and of a module.
        with tempfile.TemporaryDirectory() as folder:
            package = Path(folder) / "pkg"
            (package / "sub").mkdir(parents=True)
            files = {
                "__init__.py": "from .a import run\n",
                "a.py": "from .sub.b import helper\n\ndef run():\n    return helper()\n",
                "sub/__init__.py": "",
                "sub/b.py": "def helper():\n    from .. import a\n    return a\n",
            }
            for name, text in files.items():
                (package / name).write_text(textwrap.dedent(text), encoding="utf-8")
            graph = import_graph(package)
            self.assertEqual(graph["pkg.sub.b"], {"pkg.a"})
            self.assertEqual(find_cycle(graph), ["pkg.a", "pkg.sub.b", "pkg.a"])
            (package / "sub" / "b.py").write_text("def helper():\n    return 1\n", encoding="utf-8")
            self.assertIsNone(find_cycle(import_graph(package)))


if __name__ == "__main__":
    unittest.main()
