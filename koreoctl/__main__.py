"""Entry point for ``python -m koreoctl``."""

from koreoctl.cli.app import main

main()
