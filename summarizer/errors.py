"""The errors a user can see: one base class that carries its exit code.

Every module raises its own subclass, next to the code that knows why; the
CLI maps all of them in one place (`SummarizerError.exit_code`), the HTTP
service to a status, and a Python caller can catch the base class. The
message is one line, written for the user, and never holds a secret.
"""

from __future__ import annotations

#: Exit codes of the `summarizer` command.
EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 1, 2, 3


class SummarizerError(Exception):
    """A failure worth one line to the user; `exit_code` is what the CLI exits with.

    `details` are lines that led to it (the files skipped, the articles that
    failed), shown before it under `label`.
    """

    exit_code = EXIT_FAILED

    def __init__(self, message: str, *, details: list[str] | None = None, label: str = "failed") -> None:
        super().__init__(message)
        self.details = details or []
        self.label = label


class UsageError(SummarizerError):
    """Bad input or options: nothing was asked of a model."""

    exit_code = EXIT_USAGE
