"""What Spanscope's Debug This Call and Save as Test need from a tracked call (metadata
``spanscope.call``): the qualified name, whether it is a method, the parameters' kinds, which
arguments did not round-trip through JSON; and ``SPANSCOPE_REPLAY_OF`` marking a re-run's trace."""

import os
import unittest

from spanscope import track

from .support import InProcessTest


@track
def module_level(q, /, k=2, *more, flag=False, **extra):
    return q


class Service:
    @track
    def answer(self, q):
        return q

    @classmethod
    @track
    def build(cls, n):
        return n


class CallShape(InProcessTest, unittest.TestCase):
    def span(self):
        self.flush()
        [detail] = self.collector.details(self.project, 1)
        return detail, detail["spans"][0]

    def test_records_the_qualified_name_and_each_parameter_kind(self):
        module_level("hi", 3, 4, flag=True, extra_name="x")
        _, span = self.span()
        self.assertEqual(
            span["metadata"]["spanscope.call"],
            {
                "qualname": "module_level",
                "method": None,
                "params": [
                    ["q", "pos_only", False],
                    ["k", "pos", True],
                    ["more", "var_pos", False],
                    ["flag", "kw_only", True],
                    ["extra", "var_kw", False],
                ],
            },
        )

    def test_names_the_arguments_that_are_not_json(self):
        module_level(object(), {"ok": [1, 2.5]}, (1, 2))
        _, span = self.span()
        self.assertEqual(span["metadata"]["spanscope.call"]["lossy"], ["q", "more"])

    def test_tells_a_method_from_a_classmethod(self):
        Service().answer("x")
        _, span = self.span()
        self.assertEqual(span["metadata"]["spanscope.call"]["method"], "instance")
        self.assertEqual(span["metadata"]["spanscope.call"]["qualname"], "Service.answer")
        self.assertEqual(span["metadata"]["spanscope.call"]["params"], [["q", "pos", False]])

    def test_a_classmethod_is_a_class_call(self):
        Service.build(2)
        _, span = self.span()
        self.assertEqual(span["metadata"]["spanscope.call"]["method"], "class")
        self.assertEqual(span["metadata"]["spanscope.call"]["params"], [["n", "pos", False]])

    def test_a_replay_marks_its_trace_with_the_call_it_replays(self):
        os.environ["SPANSCOPE_REPLAY_OF"] = "trace-1/span-2"
        try:
            module_level("again")
            detail, _ = self.span()
        finally:
            del os.environ["SPANSCOPE_REPLAY_OF"]
        self.assertEqual(detail["trace"]["metadata"], {"replay_of": {"trace_id": "trace-1", "span_id": "span-2"}})


if __name__ == "__main__":
    unittest.main()
