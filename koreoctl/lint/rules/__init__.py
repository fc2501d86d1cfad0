"""One module per lint rule: its ``RULE`` (code, name, severity), docstring docs and ``check``."""
