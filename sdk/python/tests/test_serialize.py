"""Serialisation of inputs and outputs: JSON-safe, bounded, and never an exception."""

import dataclasses
import datetime
import enum
import json
import math
import unittest
import uuid
from types import SimpleNamespace

from spanscope._serialize import jsonable


class Color(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Model:
    """Shaped like a pydantic v2 model (OpenAI's response objects are)."""

    def model_dump(self):
        return {"id": "resp_1", "items": [1, 2]}


class BrokenModel:
    def model_dump(self):
        raise RuntimeError("broken")

    def __repr__(self):
        return "BrokenModel()"


class EvilRepr:
    def __repr__(self):
        raise ValueError("no")


class Dumps(unittest.TestCase):
    def dumps(self, value, limit=10_000):
        out = jsonable(value, limit)
        return json.loads(json.dumps(out, allow_nan=False))  # proves it is strict JSON

    def test_common_python_values(self):
        when = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
        ident = uuid.UUID(int=1)
        value = {
            "when": when,
            "id": ident,
            "color": Color.RED,
            "point": Point(1, 2),
            "model": Model(),
            "ns": SimpleNamespace(a=1),
            "tuple": (1, "a"),
            "frozen": frozenset(["x"]),
            7: None,
        }
        self.assertEqual(
            self.dumps(value),
            {
                "when": "2026-01-02T03:04:05+00:00",
                "id": str(ident),
                "color": "red",
                "point": {"x": 1, "y": 2},
                "model": {"id": "resp_1", "items": [1, 2]},
                "ns": {"a": 1},
                "tuple": [1, "a"],
                "frozen": ["x"],
                "7": None,
            },
        )

    def test_what_json_can_not_hold_becomes_text(self):
        self.assertEqual(self.dumps([math.inf, -math.inf, math.nan]), ["inf", "-inf", "nan"])
        self.assertEqual(self.dumps(EvilRepr()), "<unrepresentable EvilRepr>")
        self.assertEqual(self.dumps(BrokenModel()), "BrokenModel()")
        self.assertEqual(self.dumps(ValueError("bad")), "ValueError: bad")
        self.assertEqual(self.dumps(b"text"), "text")

    def test_cycles_and_depth_are_cut(self):
        loop = []
        loop.append(loop)
        self.assertEqual(self.dumps(loop), ["<cycle>"])
        deep = current = {}
        for _ in range(100):
            current["d"] = {}
            current = current["d"]
        text = json.dumps(self.dumps(deep))
        self.assertIn("<too deep>", text)

    def test_the_budget_cuts_strings_and_collections_with_markers(self):
        self.assertEqual(self.dumps("abcdef", limit=3), "abc…[truncated] (6 chars in total)")
        out = self.dumps(list(range(1000)), limit=100)
        self.assertLess(len(out), 60)
        self.assertEqual(out[-1], "…[truncated] %d more items" % (1000 - len(out) + 1))
        out = self.dumps({str(i): i for i in range(1000)}, limit=100)
        self.assertIn("…[truncated]", out)
        self.assertTrue(out["…[truncated]"].endswith("more keys"))

    def test_generators_are_never_consumed(self):
        consumed = []

        def gen():
            consumed.append(1)
            yield 1

        g = gen()
        self.assertTrue(self.dumps(g).startswith("<generator object"))
        self.assertEqual(consumed, [])


if __name__ == "__main__":
    unittest.main()
