"""IMPORT-REPORT.md: every construct of the form that was not carried over, or changed, with its
sheet and row, so the admin can finish the bundle by hand."""

from __future__ import annotations

from dataclasses import dataclass, field

from intake_tui.i18n import _


@dataclass(frozen=True)
class Line:
    sheet: str
    row: int | None
    text: str
    todo: bool = False  # something the admin must fill in (purpose), not a lost construct
    pyxform: bool = False  # one of pyxform's own warnings about the form, as it gives it

    def __str__(self) -> str:
        where = f"{self.sheet}:{self.row}" if self.row else self.sheet
        return f"- `{where}`: {self.text}"


@dataclass
class Report:
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # information, not a construct left out
    _seen: set[Line] = field(default_factory=set, repr=False, compare=False)

    def add(
        self, sheet: str, row: int | None, text: str, *, todo: bool = False, pyxform: bool = False
    ) -> None:
        line = Line(sheet, row, text, todo, pyxform)
        if line not in self._seen:  # a set: a large form has hundreds of lines
            self._seen.add(line)
            self.lines.append(line)

    def markdown(self, form: str, bundle_id: str) -> str:
        changes = [line for line in self.lines if not (line.todo or line.pyxform)]
        todos = [line for line in self.lines if line.todo]
        warned = [line for line in self.lines if line.pyxform]
        out = [
            "# " + _("Import report: {form} → {bundle}").format(form=form, bundle=bundle_id),
            "",
            *self.notes,
            "",
            _("Everything below was not carried over as written, or needs a person."),
            "",
            "## " + _("Not carried over or changed ({n})").format(n=len(changes)),
            "",
            *(str(line) for line in changes),
            "",
            "## " + _("To fill in before real use ({n})").format(n=len(todos)),
            "",
            *(str(line) for line in todos),
            "",
            "## " + _("pyxform's warnings about the form ({n})").format(n=len(warned)),
            "",
            *(str(line) for line in warned),
            "",
        ]
        return "\n".join(out)
