"""Placeholder reserved for a change in progress."""

__all__: list[str] = []
