"""Uploaded spreadsheets are hostile until measured.

``check_spreadsheet`` looks at an uploaded xlsx/csv file's size and shape *before* any parser
touches it.  A native reader (python-calamine) allocates the whole rectangle from A1 to the
sheet's farthest cell: one far cell (``XFD1048576`` in a 4.9 KB file) asks for 512 GiB and
the process aborts (SIGABRT — no ``except`` catches it).  So the check reads the package
with :mod:`zipfile` only:

* the number of members, their uncompressed sizes and the compression ratio (zip bombs);
* for every worksheet, its declared ``<dimension ref="…">`` in the first bytes of the XML,
  then a streaming pass over the sheet XML for the farthest row and column a cell names —
  the real extent, whatever the dimension claims;

and refuses with a clear Russian message (:class:`SpreadsheetRefused`) when the file is too
large, is not an xlsx/csv, or would unpack into more rows, columns or cells than the caller
allows.  Legacy binary workbooks (.xls, .ods) are refused: their shape cannot be measured
without a parser; people save them as .xlsx.

Every spreadsheet upload calls this one function: the results import, the roadmap import,
the attendance list, the school context file (and whatever comes next)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls / .doc (Office 97–2003)

MAX_MEMBERS = 1000  # an xlsx written by Excel or LibreOffice has a few dozen
MAX_RATIO = 200  # uncompressed / compressed size of one member
RATIO_FLOOR = 10 * 2**20  # …judged only for members larger than this (small XML compresses well)
HEAD_BYTES = 64 * 1024  # the <dimension> element sits near the start of the sheet XML
CHUNK = 4 * 2**20
OVERLAP = 64  # bytes carried between chunks so that no reference is cut in two

# A calamine cell is ~32 bytes: 20 million cells are about 640 MB of memory.
DEFAULT_MAX_CELLS = 20_000_000
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384


class SpreadsheetRefused(ValueError):
    """The uploaded file is not a spreadsheet we agree to parse; ``str()`` is the message and
    ``code`` says why: «size» (bytes or unpacked size), «kind» (not an xlsx/csv), «shape»
    (rows, columns, cells) or «damaged»."""

    def __init__(self, message: str, code: str = "kind"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Limits:
    """How much of a spreadsheet a reader agrees to parse."""

    max_bytes: int | None = None  # None: settings.UPLOAD_MAX_BYTES
    max_rows: int = 100_000
    max_columns: int = 100
    max_cells: int = DEFAULT_MAX_CELLS
    max_uncompressed: int = 512 * 2**20
    kinds: tuple[str, ...] = ("xlsx", "csv")


@dataclass(frozen=True)
class Shape:
    kind: str  # "xlsx" or "csv"
    rows: int  # the farthest row found (an upper bound for csv: its line count)
    columns: int  # the farthest column found (0 when unknown: csv)


_REF = re.compile(rb"\$?([A-Z]{1,4})\$?(\d{1,9})")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]*)"')
_ROW_TAG = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_WIDE = re.compile(rb'\br="\$?([A-Z]{2,})\$?\d')  # cells in columns past Z (rare in our files)
_WORKSHEET = re.compile(r"^xl/(?:worksheets|chartsheets|dialogsheets|macrosheets)/[^/]+\.xml$", re.IGNORECASE)


def column_number(letters: str | bytes) -> int:
    """«A» → 1, «Z» → 26, «AA» → 27, «XFD» → 16384."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def check_spreadsheet(data: bytes, name: str = "", limits: Limits | None = None) -> Shape:
    """Measure an uploaded spreadsheet before any parser reads it; raise SpreadsheetRefused.

    ``data`` is the whole file (uploads are bounded by ``max_bytes`` and read into memory by
    every reader anyway); ``name`` is the name the user gave it (its extension must agree
    with its content)."""
    limits = limits or Limits()
    max_bytes = limits.max_bytes or settings.UPLOAD_MAX_BYTES
    if len(data) > max_bytes:
        raise SpreadsheetRefused(
            _("The file is too large: %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(max_bytes)},
            "size",
        )
    if not data:
        raise SpreadsheetRefused(_("The file is empty."), "size")
    lower = (name or "").lower()
    accepted = _accepted(limits.kinds)
    if lower.endswith((".xls", ".ods", ".xlsb", ".xlsm")) or (data.startswith(OLE_MAGIC) and not lower):
        raise SpreadsheetRefused(
            _("Files of Excel 97–2003 (.xls), .xlsb, .xlsm and .ods are not accepted: save the file as .xlsx.")
        )
    if data.startswith(XLSX_MAGIC):
        if "xlsx" not in limits.kinds or (lower and not lower.endswith(".xlsx")):
            raise SpreadsheetRefused(accepted)
        return _check_xlsx(data, limits)
    if lower.endswith(".xlsx"):
        raise SpreadsheetRefused(_("The file is not an xlsx spreadsheet."))
    if "csv" not in limits.kinds or not lower.endswith((".csv", ".txt")):
        raise SpreadsheetRefused(accepted)
    return _check_csv(data, limits)


def _accepted(kinds) -> str:
    if tuple(kinds) == ("xlsx",):
        return _("Only .xlsx files are accepted.")
    return _("Only .xlsx and .csv files are accepted.")


def _too_big(rows: int, columns: int, limits: Limits) -> str | None:
    if rows > limits.max_rows:
        return _("The sheet reaches row %(rows)s; at most %(limit)s rows are accepted.") % {
            "rows": f"{rows:,}".replace(",", " "),
            "limit": f"{limits.max_rows:,}".replace(",", " "),
        }
    if columns > limits.max_columns:
        return _("The sheet reaches column %(col)s (number %(n)s); at most %(limit)s columns are accepted.") % {
            "col": _column_letters(columns),
            "n": columns,
            "limit": limits.max_columns,
        }
    if rows * max(columns, 1) > limits.max_cells:
        return _("The sheet spans %(cells)s cells; at most %(limit)s are accepted.") % {
            "cells": f"{rows * max(columns, 1):,}".replace(",", " "),
            "limit": f"{limits.max_cells:,}".replace(",", " "),
        }
    return None


def _column_letters(n: int) -> str:
    letters = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _check_xlsx(data: bytes, limits: Limits) -> Shape:
    import io

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise SpreadsheetRefused(_("The file is not an xlsx spreadsheet.")) from None
    if len(infos) > MAX_MEMBERS:
        raise SpreadsheetRefused(_("The file is not an xlsx spreadsheet."))
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed or any(
        i.file_size > RATIO_FLOOR and (not i.compress_size or i.file_size / i.compress_size > MAX_RATIO) for i in infos
    ):
        raise SpreadsheetRefused(_("The file unpacks to an unreasonable size (a zip bomb?) and was refused."), "size")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise SpreadsheetRefused(_("The file is not an xlsx spreadsheet."))
    sheets = [i for i in infos if _WORKSHEET.match(i.filename)]
    if not sheets:
        raise SpreadsheetRefused(_("The file is not an xlsx spreadsheet."))
    rows = columns = 0
    try:
        for info in sheets:
            r, c = _sheet_extent(zf, info, limits)
            rows, columns = max(rows, r), max(columns, c)
    except SpreadsheetRefused:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise SpreadsheetRefused(_("The spreadsheet could not be read; it may be damaged."), "damaged") from None
    return Shape("xlsx", rows, columns)


def _sheet_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> tuple[int, int]:
    """The farthest (row, column) of one sheet: its declared dimension, then every row tag and
    every cell past column Z or past the rows limit's order of magnitude, read in chunks.
    Raises SpreadsheetRefused as soon as a limit is passed."""
    # Cells with as many digits as the rows limit (or more) are parsed; fewer digits are below it.
    deep = re.compile(rb'\br="\$?[A-Z]{1,4}\$?(\d{%d,})"' % len(str(limits.max_rows)))
    rows, columns = 0, 0
    with zf.open(info) as fh:
        head = fh.read(HEAD_BYTES)
        m = _DIMENSION.search(head)
        if m:
            last = m.group(1).split(b":")[-1]
            ref = _REF.fullmatch(last.strip())
            if ref:
                rows, columns = int(ref.group(2)), column_number(ref.group(1))
                if message := _too_big(rows, columns, limits):
                    raise SpreadsheetRefused(message, "shape")
        # The declared dimension may lie (or be absent): the cells say where the sheet ends.
        found_rows = found_columns = 0
        tail = b""
        chunk = head
        while chunk:
            text = tail + chunk
            for ref in _WIDE.finditer(text):
                found_columns = max(found_columns, column_number(ref.group(1)))
            for ref in deep.finditer(text):
                found_rows = max(found_rows, int(ref.group(1)))
            cut = max(text.rfind(b"<row "), text.rfind(b":row "))
            if cut >= 0:
                row = _ROW_TAG.match(text, cut if text[cut] == ord("<") else text.rfind(b"<", 0, cut + 1))
                if row:
                    found_rows = max(found_rows, int(row.group(1)))
            if message := _too_big(found_rows, max(found_columns, columns), limits):
                raise SpreadsheetRefused(message, "shape")
            tail = text[-OVERLAP:]
            chunk = fh.read(CHUNK)
    return max(rows, found_rows), max(columns, found_columns)


def _check_csv(data: bytes, limits: Limits) -> Shape:
    if b"\x00" in data:  # binary, or text that could be stored nowhere (PostgreSQL refuses NUL)
        raise SpreadsheetRefused(_("The file is not a text (csv) file."))
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if lines > limits.max_rows:
        raise SpreadsheetRefused(
            _("The file has %(rows)s lines; at most %(limit)s rows are accepted.")
            % {"rows": f"{lines:,}".replace(",", " "), "limit": f"{limits.max_rows:,}".replace(",", " ")},
            "shape",
        )
    return Shape("csv", lines, 0)


def read_upload(upload, limits: Limits | None = None) -> bytes:
    """The bytes of an uploaded file (Django's UploadedFile or any file object), checked by
    ``check_spreadsheet``; reads at most one byte past the size limit."""
    limits = limits or Limits()
    max_bytes = limits.max_bytes or settings.UPLOAD_MAX_BYTES
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)
    check_spreadsheet(data, getattr(upload, "name", "") or "", limits)
    return data
