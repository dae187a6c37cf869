"""Widgets of the interview: one per answer kind, each with its own tests."""
