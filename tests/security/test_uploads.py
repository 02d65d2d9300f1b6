"""Issue 14 item 5: a pending, self-registered business uploads an XLSX width bomb as its
employee roster. On c45f022 the roster reader (openpyxl) spent 31-88 s and up to 4.5 GB on
a ~540 KB workbook before refusing it; the forms core's reader refuses by header and cell
budget first."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from apps.travel_permit import service
from apps.travel_permit.models import TravelPermitSettings
from core.forms.table import parse_upload
from core.forms.table_file import TableFileError
from tests.apps.travel_permit.conftest import register

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PNS = "http://schemas.openxmlformats.org/package/2006/relationships"


def width_bomb(rows: int) -> bytes:
    """One cell at column XFD (16,384) on each row and no ``<dimension>``: a reader that pads
    rows to their widest cell builds ``rows`` x 16,384 cells."""
    cells = "".join(f'<row r="{i}"><c r="XFD{i}"><v>1</v></c></row>' for i in range(1, rows + 1))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PNS}"><Relationship Id="rId1" '
            f'Type="{RNS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{NS}" xmlns:r="{RNS}"><sheets>'
            '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PNS}"><Relationship Id="rId1" Type="{RNS}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{NS}"><sheetData>{cells}</sheetData></worksheet>',
        )
    return buf.getvalue()


@pytest.mark.parametrize("rows", [1_000, 100_000])
def test_item5_pending_business_roster_width_bomb_is_refused_in_under_a_second(store, rows):
    """An unverified business's roster upload of a width bomb is refused whole, fast."""
    pending = register("cty_bom", 51, store)
    business = service.my_business(pending, store=store)
    assert business["status"] == "pending"
    data = width_bomb(rows)
    assert len(data) < 600_000
    settings = TravelPermitSettings()
    started = time.process_time()
    with pytest.raises(TableFileError) as refused:
        parse_upload(
            service.roster_form(business),
            "danh_sach.xlsx",
            data,
            max_rows=settings.max_roster_rows,
            max_bytes=settings.max_upload_mb * 1_000_000,
            unique=("cccd",),
        )
    assert time.process_time() - started < 1.0
    assert refused.value.key in {"forms.table.too_many_columns", "forms.table.too_many_rows"}
    assert service.list_employees(pending, store=store).empty
