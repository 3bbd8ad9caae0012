"""Integrations with client libraries (duck-typed: none of them is imported here)."""
