"""The command-line shell: the typer app, reporters and the one error boundary."""
