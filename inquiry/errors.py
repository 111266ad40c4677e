"""Errors a user can act on. Each names the file (and line) or the config field at fault."""

from __future__ import annotations


class InquiryError(Exception):
    """Base class: the CLI prints these as one clear line and exits non-zero."""


class ImportFailed(InquiryError):
    """A document could not be imported; nothing from the import was written."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path, self.message, self.line = path, message, line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class NotFound(InquiryError):
    """No node, run or runner by that id or name."""


class ConfigError(InquiryError):
    """A run configuration was rejected; ``field`` names the offending key."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"config field {field!r}: {message}")
