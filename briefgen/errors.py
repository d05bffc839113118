"""The error types a user can cause and fix; everything else is a bug and keeps its traceback."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefgen.diagnostics import Diagnostic


class BriefgenError(Exception):
    """One problem the user can fix, with where it is and a hint on how to fix it."""

    def __init__(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        code: str = "BG900",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.hint = hint
        self.code = code

    def diagnostics(self) -> list[Diagnostic]:
        """This error as the diagnostics the CLI prints."""
        from briefgen.diagnostics import Diagnostic

        return [
            Diagnostic(
                code=self.code,
                level="error",
                message=self.message,
                path=self.path,
                line=self.line,
                column=self.column,
                hint=self.hint,
            )
        ]


class CheckFailed(BriefgenError):
    """The fact base has errors; carries every diagnostic of the run, warnings included."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        errors = sum(1 for d in diagnostics if d.level == "error")
        super().__init__(f"{errors} error{'s' if errors != 1 else ''} in the fact base")
        self._diagnostics = diagnostics

    def diagnostics(self) -> list[Diagnostic]:
        return self._diagnostics
