"""Immutable result snapshots: the store (``store``), what a run records (``payload``) and
the differences between two of them (``diff``, the only deepdiff user)."""
