"""The one exception family for fatal user problems, caught at the CLI boundary.

Hierarchy::

    KoreoctlError          a fatal problem in what the user asked for (exit code 2)
    └── UsageError         a bad flag combination or an unreadable/missing path
        └── RefusedPackage a child package refused for safety (koreoctl.project.vcs)

Expected failures of Koreo logic are never exceptions: they are ``koreoctl.outcome`` values.
Anything else that escapes is a bug and is reported as an internal error (exit code 3).
"""

from __future__ import annotations


class KoreoctlError(Exception):
    """A fatal problem with the user's input; the message is shown as one line."""

    exit_code = 2


class UsageError(KoreoctlError):
    """The command line cannot be acted on (missing path, conflicting options)."""
