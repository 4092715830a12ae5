"""Reading an HR export: the columns, CSV flavours, and where a problem is (row, column)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

COLUMNS = (
    "email",
    "full name",
    "title",
    "role",
    "manager email",
    "team",
    "business unit",
    "location",
    "start date",
)


@dataclass(frozen=True)
class ImportRowError:
    """One problem in the file. ``row`` is None for the file as a whole."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        return f"{where}, {self.column or 'file'}: {self.message}"


def error_order(e: ImportRowError) -> tuple[int, int]:
    """Errors sorted as HR reads them: by row, then left to right."""
    return (e.row or 0, COLUMNS.index(e.column) if e.column in COLUMNS else -1)


def _header_key(name: object) -> str:
    return " ".join(str(name or "").replace("_", " ").strip().lower().split())


def _cell(value: object) -> str:
    return "" if value is None else str(value).strip()


def read_text(file: IO | bytes | str) -> str:
    data = file.read() if hasattr(file, "read") else file
    if isinstance(data, bytes):
        return data.decode("utf-8-sig")
    return data.removeprefix("\ufeff")


def _pick_delimiter(first_line: str) -> str:
    """Spreadsheets in many locales save CSV with ';' or tabs: use whichever gives our header."""
    for delimiter in (",", ";", "\t"):
        names = {_header_key(cell) for cell in next(csv.reader([first_line], delimiter=delimiter))}
        if {"email", "full name"} <= names:
            return delimiter
    return ","


def read_csv_text(text: str) -> tuple[list[tuple[int, dict[str, str]]], list[ImportRowError]]:
    if not text.strip():
        return [], [ImportRowError(None, "", "The file is empty.")]
    first_line = text.splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_pick_delimiter(first_line))
    try:
        header = [_header_key(cell) for cell in next(reader)]
        errors = _check_header(header)
        if errors:
            return [], errors
        rows: list[tuple[int, dict[str, str]]] = []
        errors = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are common at the end of exports
            if any(cell.strip() for cell in cells[len(header) :]):
                errors.append(ImportRowError(number, "", "The row has more cells than the header."))
            rows.append(
                (number, {name: _cell(value) for name, value in zip(header, cells, strict=False)})
            )
    except csv.Error as exc:
        return [], [ImportRowError(None, "", f"The file is not valid CSV: {exc}.")]
    return rows, errors


def _check_header(header: list[str]) -> list[ImportRowError]:
    errors = []
    seen = set()
    for name in header:
        if name in COLUMNS and name in seen:
            errors.append(ImportRowError(1, name, "The column appears more than once."))
        seen.add(name)
    for name in COLUMNS:
        if name not in seen:
            errors.append(ImportRowError(1, name, f"Missing column “{name}” in the header row."))
    return errors


def read_mappings(
    rows: Iterable[Mapping[str, object]],
) -> tuple[list[tuple[int, dict[str, str]]], list[ImportRowError]]:
    parsed = []
    for number, row in enumerate(rows, start=2):
        parsed.append((number, {_header_key(k): _cell(v) for k, v in row.items()}))
    if not parsed:
        return [], [ImportRowError(None, "", "The file is empty.")]
    return parsed, _check_header(list(parsed[0][1]))
