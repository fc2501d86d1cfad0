"""koreoctl: an offline toolchain for Koreo programs (test, lint, render, diff)."""

__version__ = "0.1.0"
