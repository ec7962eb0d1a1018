"""Spreadsheets of checks in and out (issue 7, "bulk verification"): CSV or Excel workbooks (.xlsx).

In: a header row naming the columns pcc, name, phone and postcode (any case; the Korean headings
통관고유부호, 성명, 전화번호 and 우편번호 too), then up to BULK_VERIFICATION_MAX_ROWS rows. CSV may be
UTF-8 (with or without the byte-order mark Excel writes) or CP949/EUC-KR, which Korean Excel uses for
"CSV (쉼표로 분리)"; commas, tabs or semicolons separate the cells. A file that cannot be read this way
is refused as a whole (`ApplicationError`, 400). What is wrong with a ROW never refuses the file: the
row is checked like any other and its reasons say what is wrong (PCC_CODE_MISSING, PCC_CODE_FORMAT…).

Out: the same format, every uploaded column as it came, then `result` (match, mismatch or refused),
`reason` (the reason codes, space-separated) and `message` (what the reasons mean, in the language of
the upload request: Korean unless the client asked for English). Cells that a spreadsheet program
would run as a formula are neutralised the way staff exports are (staff/exports.py).
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pcc_portal.exceptions import ApplicationError
from staff.exports import csv_lines, safe_cell

CSV = "csv"
XLSX = "xlsx"
RESULT_COLUMNS = ("result", "reason", "message")

# The four columns a check reads, and the headings that name each (compared case-insensitively,
# without surrounding spaces). The Korean headings are the ones on UNI-PASS and forwarders' forms.
COLUMNS = ("pcc", "name", "phone", "postcode")
HEADINGS = {
    "pcc": ("pcc", "통관고유부호", "개인통관고유부호"),
    "name": ("name", "성명", "이름"),
    "phone": ("phone", "전화번호", "휴대전화번호"),
    "postcode": ("postcode", "우편번호"),
}
_HEADING_COLUMN = {heading: column for column, headings in HEADINGS.items() for heading in headings}

_ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 binary .xls
_DELIMITERS = (",", "\t", ";")
# A workbook is compressed XML: refuse one that would unpack to more than this many times the largest
# upload (a 100,000-row workbook unpacks to about 10 times its size), so a small "zip bomb" cannot
# fill the memory of the web process.
_XLSX_UNPACKED_FACTOR = 20

FILE_TYPE = "PCC_BULK_FILE_TYPE"
FILE_EMPTY = "PCC_BULK_FILE_EMPTY"
FILE_TOO_LARGE = "PCC_BULK_FILE_TOO_LARGE"
HEADER_MISSING = "PCC_BULK_HEADER_MISSING"
HEADER_DUPLICATE = "PCC_BULK_HEADER_DUPLICATE"
TOO_MANY_ROWS = "PCC_BULK_TOO_MANY_ROWS"

FILE_TYPE_MESSAGE = _(
    "The file is neither a CSV file nor an Excel workbook (.xlsx), or it is damaged. Save it from your "
    "spreadsheet program as CSV (UTF-8) or as an Excel workbook (.xlsx), not the older .xls, and send it again."
)
FILE_EMPTY_MESSAGE = _(
    "The file has no rows to check. Put the column names pcc, name, phone and postcode in the first row and "
    "one consignee in each row below."
)
FILE_TOO_LARGE_MESSAGE = _(
    "The file is larger than {megabytes} MB. Split it into smaller files and send each one; up to {rows} rows "
    "fit in one file."
)
HEADER_MISSING_MESSAGE = _(
    "The first row must name the columns pcc, name, phone and postcode (or 통관고유부호, 성명, 전화번호 and "
    "우편번호). Missing: {columns}."
)
HEADER_DUPLICATE_MESSAGE = _("The first row names the column {column} more than once. Keep one column of each name.")
TOO_MANY_ROWS_MESSAGE = _("The file has more than {rows} rows. Split it into files of at most {rows} rows each.")


def _refuse(code: str, message) -> ApplicationError:
    return ApplicationError(code, message, extra={"status": 400})


def file_too_large_error(*, max_bytes: int, max_rows: int) -> ApplicationError:
    return _refuse(
        FILE_TOO_LARGE,
        format_lazy(FILE_TOO_LARGE_MESSAGE, megabytes=max_bytes // (1024 * 1024), rows=f"{max_rows:,}"),
    )


@dataclass(frozen=True)
class Sheet:
    """An uploaded spreadsheet: its header and rows as text, every row as wide as the header."""

    file_format: str
    columns: list[str]
    rows: list[list[str]]

    @property
    def positions(self) -> dict[str, int]:
        return column_positions(self.columns)


def column_positions(columns: list[str]) -> dict[str, int]:
    """Where each of pcc, name, phone and postcode is in a header row (the first of each name)."""
    positions: dict[str, int] = {}
    for position, heading in enumerate(columns):
        column = _HEADING_COLUMN.get(heading.strip().casefold())
        if column is not None:
            positions.setdefault(column, position)
    return positions


def postcode_of_cell(text: str) -> str:
    """The postcode a cell meant. Spreadsheet programs store 04524 as the number 4524 unless the column
    is formatted as text, and Seoul's postcodes all begin with 0; a 5-digit postcode (DOMAIN.md §6)
    written with 4 digits lost that zero."""
    text = text.strip()
    return f"0{text}" if len(text) == 4 and text.isascii() and text.isdigit() else text


def _cell_text(value) -> str:
    """A workbook cell as the text a person sees in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone or postcode typed as a number
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _sheet(file_format: str, records: Iterator[list[str]], *, max_rows: int) -> Sheet:
    """Header (the first row with anything in it) and rows (blank rows skipped), checked for the four
    columns and the row limit."""
    header = next((record for record in records if any(cell.strip() for cell in record)), None)
    if header is None:
        raise _refuse(FILE_EMPTY, FILE_EMPTY_MESSAGE)
    header = [cell.strip() for cell in header]
    positions = column_positions(header)
    missing = [column for column in COLUMNS if column not in positions]
    if missing:
        raise _refuse(HEADER_MISSING, format_lazy(HEADER_MISSING_MESSAGE, columns=", ".join(missing)))
    for column in COLUMNS:
        if sum(1 for heading in header if _HEADING_COLUMN.get(heading.casefold()) == column) > 1:
            raise _refuse(HEADER_DUPLICATE, format_lazy(HEADER_DUPLICATE_MESSAGE, column=column))

    rows: list[list[str]] = []
    for record in records:
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) == max_rows:
            raise _refuse(TOO_MANY_ROWS, format_lazy(TOO_MANY_ROWS_MESSAGE, rows=f"{max_rows:,}"))
        rows.append(record)
    if not rows:
        raise _refuse(FILE_EMPTY, FILE_EMPTY_MESSAGE)
    # Cells beyond the header are kept (and given back) under unnamed columns, never dropped.
    width = max(len(header), *(len(row) for row in rows))
    columns = header + [""] * (width - len(header))
    for row in rows:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    return Sheet(file_format=file_format, columns=columns, rows=rows)


def _csv_text(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:  # a binary file that happens to decode
            return text
    raise _refuse(FILE_TYPE, FILE_TYPE_MESSAGE)


def _csv_records(text: str) -> tuple[str, Iterator[list[str]]]:
    """The separator is the one that makes the first line name the four columns (else a comma)."""
    first_line = next(iter(text.splitlines()), "")
    delimiter = next(
        (d for d in _DELIMITERS if len(column_positions(next(csv.reader([first_line], delimiter=d), []))) == 4),
        ",",
    )
    return delimiter, csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _read_csv(content: bytes, *, max_rows: int) -> Sheet:
    _delimiter, records = _csv_records(_csv_text(content))
    try:
        return _sheet(CSV, records, max_rows=max_rows)
    except csv.Error:  # e.g. a cell over the csv module's 128 KB limit: not a spreadsheet we can read
        raise _refuse(FILE_TYPE, FILE_TYPE_MESSAGE) from None


def _read_xlsx(content: bytes, *, max_rows: int, max_bytes: int) -> Sheet:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise _refuse(FILE_TYPE, FILE_TYPE_MESSAGE) from None
    if unpacked > max_bytes * _XLSX_UNPACKED_FACTOR:
        raise _refuse(FILE_TYPE, FILE_TYPE_MESSAGE)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl fails in many ways on a damaged or foreign file; all mean "not readable"
        raise _refuse(FILE_TYPE, FILE_TYPE_MESSAGE) from None
    try:
        if not workbook.worksheets:
            raise _refuse(FILE_EMPTY, FILE_EMPTY_MESSAGE)
        sheet = workbook.worksheets[0]
        # Some programs write a wrong size into the sheet, which read-only mode would trust and cut rows.
        sheet.reset_dimensions()
        records = ([_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True))
        return _sheet(XLSX, records, max_rows=max_rows)
    except ApplicationError:
        raise
    except Exception:  # damage found while reading the rows
        raise _refuse(FILE_TYPE, FILE_TYPE_MESSAGE) from None
    finally:
        workbook.close()


def spreadsheet_read(*, content: bytes, max_rows: int, max_bytes: int) -> Sheet:
    """The uploaded file as a `Sheet`, its format told by its content, not its name; a file that is
    not a readable CSV or .xlsx with the four columns and at most `max_rows` rows is refused (400)."""
    if not content:
        raise _refuse(FILE_EMPTY, FILE_EMPTY_MESSAGE)
    if len(content) > max_bytes:
        raise file_too_large_error(max_bytes=max_bytes, max_rows=max_rows)
    if content.startswith(_OLE_MAGIC):
        raise _refuse(FILE_TYPE, FILE_TYPE_MESSAGE)
    if content.startswith(_ZIP_MAGIC):
        return _read_xlsx(content, max_rows=max_rows, max_bytes=max_bytes)
    return _read_csv(content, max_rows=max_rows)


# --- The result file --------------------------------------------------------------------------------


def csv_result(rows: Iterable[list[str]]) -> Iterator[str]:
    """The result as CSV lines: UTF-8 with the byte-order mark (Excel then reads Korean right, whatever
    encoding came in), formula-like cells neutralised (staff/exports.py)."""
    return csv_lines(rows)


def xlsx_result(rows: Iterable[list[str]]) -> bytes:
    """The result as a workbook, every cell text, formula-like cells neutralised (staff/exports.py)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        # Control characters are not allowed in a workbook's XML (a CSV may carry them; a workbook cannot).
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", safe_cell(cell)) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def chunk_csv(rows: Iterable[list]) -> str:
    """Rows as CSV text: how a chunk's rows and results are sealed."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def chunk_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))
