"""Uploaded workbooks are XML: openpyxl parses them through defusedxml, so an entity bomb is refused
as an unreadable file at once instead of expanding in memory."""

import io
import zipfile

import openpyxl
import openpyxl.xml
import pytest

from clearance.spreadsheets import spreadsheet_read
from pcc_portal.exceptions import ApplicationError

BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{"&lol" + ("" if n == 1 else str(n - 1)) + ";" * 1}' * 10 + '">' for n in range(1, 10))
    + "]>"
)


def _workbook_with_entity_bomb() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["pcc", "name", "phone", "postcode"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = data.decode()
                body = body.split("?>", 1)[1] if body.startswith("<?xml") else body
                data = (BOMB + body.replace("<v>", "<v>&lol9;", 1)).encode()
            target.writestr(item, data)
    return out.getvalue()


def test_openpyxl_uses_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_entity_bomb_workbook_is_refused_as_unreadable():
    with pytest.raises(ApplicationError) as refused:
        spreadsheet_read(content=_workbook_with_entity_bomb(), max_rows=100, max_bytes=10_000_000)
    assert refused.value.code == "PCC_BULK_FILE_TYPE"
