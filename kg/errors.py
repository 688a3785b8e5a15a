"""The exception tree of newskg: every error the library raises on purpose.

    KgError                      base; the CLI maps it to exit code 2
    ├── InputError               one input (file, line, record) cannot be read; names it
    ├── ModelError               the spaCy pipeline cannot be loaded
    ├── OutputError              an output file or folder cannot be written
    ├── QueryError               a query cannot be read, is refused or fails, or its data
    │                            or endpoint cannot be reached (re-exported by kg.sparql)
    └── ValidationInputError     a file given to ``kg validate`` cannot be parsed

Library code raises; only ``kg.cli`` turns these into messages and exit codes.
Each message is one line that says what is wrong and what to do about it.
"""

from __future__ import annotations


class KgError(Exception):
    """Base of every error newskg raises on purpose."""


class InputError(KgError):
    """One input cannot be read; ``source`` names it (path, or path:line)."""

    def __init__(self, source: str, problem: str, hint: str = "") -> None:
        self.source = source
        self.problem = problem
        self.hint = hint
        text = f"{source}: {problem}"
        super().__init__(f"{text}; {hint}" if hint else text)


class ModelError(KgError):
    """The spaCy pipeline named by the user cannot be loaded."""


class OutputError(KgError):
    """An output file or folder cannot be written."""


class QueryError(KgError):
    """A query cannot be read, is refused, fails, or its data or endpoint cannot be reached."""


class ValidationInputError(KgError):
    """A file given for validation cannot be parsed as RDF."""
