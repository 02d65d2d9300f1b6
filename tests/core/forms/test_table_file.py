"""The table-file layer: CSV/XLSX bytes -> rows with every guard, rows -> CSV/XLSX bytes.

Bombs (width, cells, zip, XML entities, giant tokens) are built here with ``zipfile`` and
refused in under a second of CPU (``time.process_time``) without large memory (``tracemalloc``
peak); real-looking files are compared with openpyxl's own reading."""

from __future__ import annotations

import csv
import io
import time
import tracemalloc
import unicodedata
import warnings
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from core.forms.table_file import (
    MAX_RECORD_FIELDS,
    MESSAGES,
    TEXT_FORMAT_ROWS,
    Sheet,
    TableFileError,
    csv_bytes,
    read_table,
    xlsx_bytes,
)
from core.text import formula_safe

LIMITS = dict(max_rows=1_000, max_bytes=10_000_000)
BIG = dict(max_rows=50_000, max_bytes=20_000_000)  # a roster upload's limits
NAME = "Nguyễn Văn Ánh"
HEADER = ["Họ và tên", "Số CCCD", "Số điện thoại"]
ROWS = [
    [NAME, "048090001234", "0905123456"],
    ["Trần Thị Bích Ngọc", "079190000123", "0935000111"],
]

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PNS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


@pytest.fixture(autouse=True)
def _vi(settings):
    """Messages in Vietnamese; the catalog and openpyxl loaded before anything is timed."""
    with pytest.raises(TableFileError):
        read_table(
            "warm.xlsx",
            package(sheet('<row><c r="B1"><v>1</v></c></row>')),
            max_rows=1,
            max_bytes=10**6,
            max_columns=1,
        )
    read_table("warm.xlsx", package(sheet("<row><c><v>1</v></c></row>"), styles=STYLES), **LIMITS)


# -- builders -------------------------------------------------------------------------------------


def package(
    sheet_xml: bytes | str,
    *,
    strings: bytes | str | None = None,
    styles: bytes | str | None = None,
    workbook: str | None = None,
    extra: tuple[tuple[str, bytes | str], ...] = (),
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A minimal workbook openpyxl also opens: the given sheet XML (and shared strings,
    styles) written with ``zipfile``, as an attacker or an odd generator would."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        parts = {
            "workbook": "sheet.main",
            "worksheets/sheet1": "worksheet",
            "worksheets/sheet2": "worksheet",
        }
        if strings is not None:
            parts["sharedStrings"] = "sharedStrings"
        if styles is not None:
            parts["styles"] = "styles"
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            + "".join(
                f'<Override PartName="/xl/{p}.xml" ContentType="{CT}.{t}+xml"/>'
                for p, t in parts.items()
            )
            + "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PNS}"><Relationship Id="rId1" '
            f'Type="{RNS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            workbook
            or f'<workbook xmlns="{NS}" xmlns:r="{RNS}"><sheets>'
            '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        rels = (
            f'<Relationship Id="rId1" Type="{RNS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RNS}/worksheet" Target="/xl/worksheets/sheet2.xml"/>'
        )
        if strings is not None:
            rels += (
                f'<Relationship Id="rId3" Type="{RNS}/sharedStrings" Target="sharedStrings.xml"/>'
            )
            z.writestr("xl/sharedStrings.xml", strings)
        if styles is not None:
            rels += f'<Relationship Id="rId4" Type="{RNS}/styles" Target="styles.xml"/>'
            z.writestr("xl/styles.xml", styles)
        z.writestr(
            "xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PNS}">{rels}</Relationships>'
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        z.writestr("xl/worksheets/sheet2.xml", sheet('<row r="1"><c r="A1"><v>2</v></c></row>'))
        for name, data in extra:
            z.writestr(name, data)
    return buf.getvalue()


def sheet(rows_xml: str, head: str = "") -> str:
    return f'<worksheet xmlns="{NS}">{head}<sheetData>{rows_xml}</sheetData></worksheet>'


def sst(*items: str) -> str:
    return f'<sst xmlns="{NS}">' + "".join(f"<si>{i}</si>" for i in items) + "</sst>"


# cellXfs: 0 General, 1 builtin date (14), 2 custom dd/mm/yyyy, 3 time h:mm, 4 duration [h]:mm:ss
STYLES = (
    f'<styleSheet xmlns="{NS}"><numFmts count="1"><numFmt numFmtId="164" '
    'formatCode="dd/mm/yyyy"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/>'
    '</cellStyleXfs><cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
    '<xf numFmtId="20"/><xf numFmtId="46"/></cellXfs></styleSheet>'
)


def quietly(fn: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile's "Duplicate name", openpyxl's "no style"
        return fn()


def openpyxl_rows(data: bytes) -> list[list[object]]:
    """What openpyxl (read-only, cached values) reads, in read_table's conventions."""
    book = quietly(lambda: load_workbook(io.BytesIO(data), read_only=True, data_only=True))
    try:
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    out = []
    for row in rows:
        cells = ["" if v is None else v for v in row]
        cells = [int(v) if isinstance(v, float) and v.is_integer() else v for v in cells]
        while cells and (cells[-1] == "" or (isinstance(cells[-1], str) and not cells[-1].strip())):
            cells.pop()
        out.append(cells)
    while out and not out[-1]:
        out.pop()
    return out


def refused(filename: str, data: bytes, **limits: int) -> TableFileError:
    with pytest.raises(TableFileError) as info:
        read_table(filename, data, **{**LIMITS, **limits})
    return info.value


def cost(fn: Callable[[], object]) -> tuple[float, float, object]:
    """CPU seconds and traced peak MB of ``fn()``, and what it returned or raised."""

    def run() -> object:
        try:
            return fn()
        except TableFileError as exc:
            return exc

    started = time.process_time()
    outcome = run()
    cpu = time.process_time() - started
    tracemalloc.start()
    try:
        run()
        peak = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
    return cpu, peak, outcome


# -- CSV ------------------------------------------------------------------------------------------


def as_cp1258(text: str) -> bytes:
    """What Excel on a Vietnamese Windows writes as plain "CSV": base letters with circumflex,
    breve or horn precomposed, the five tone marks as combining characters (NFD itself cannot
    be encoded: cp1258 has no combining circumflex)."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def table_text(delimiter: str = ",") -> str:
    return "\r\n".join(delimiter.join(r) for r in [HEADER, *ROWS]) + "\r\n"


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: s.encode("utf-8-sig"),
        lambda s: s.encode("utf-16"),  # BOM + native order
        lambda s: b"\xff\xfe" + s.encode("utf-16-le"),
        lambda s: b"\xfe\xff" + s.encode("utf-16-be"),
        as_cp1258,
        lambda s: unicodedata.normalize("NFD", s).encode("utf-8"),  # decomposed (macOS)
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16le-bom", "utf16be-bom", "cp1258", "utf8-nfd"],
)
def test_every_encoding_reads_the_same_nfc_rows(encode):
    rows = read_table("ds.csv", encode(table_text()), **LIMITS)
    assert rows == [HEADER, *ROWS]
    assert all(unicodedata.is_normalized("NFC", c) for r in rows for c in r)


def test_cp1258_bytes_are_what_windows_writes():
    data = as_cp1258(NAME)
    assert b"\xea\xde" in data  # ê + combining tilde: "ễ"
    assert read_table("x.csv", data, **LIMITS) == [[NAME]]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("name", ["ds.csv", "ds.txt", "ds.tsv", "DS.CSV"])
def test_each_delimiter_is_sniffed(delimiter, name):
    assert read_table(name, table_text(delimiter).encode(), **LIMITS) == [HEADER, *ROWS]


def test_sniffing_keeps_commas_inside_semicolon_fields():
    text = 'Họ, tên;Địa chỉ\n"Lê, Văn";"1 Lê Lợi, Hải Châu"\nAn;2 Trần Phú\n'
    assert read_table("x.csv", text.encode(), **LIMITS) == [
        ["Họ, tên", "Địa chỉ"],
        ["Lê, Văn", "1 Lê Lợi, Hải Châu"],
        ["An", "2 Trần Phú"],
    ]
    one_column = "Họ và tên\nAn; Bình\n"
    assert read_table("x.csv", one_column.encode(), **LIMITS) == [["Họ và tên"], ["An; Bình"]]


def test_quoted_fields_keep_newlines_delimiters_and_spaces():
    text = 'a,b,c\r\n"Nguyễn\r\nVăn Ánh","x, y","  kept  "\r\n"say ""hi""",,\r\n'
    assert read_table("x.csv", text.encode("utf-8-sig"), **LIMITS) == [
        ["a", "b", "c"],
        ["Nguyễn\r\nVăn Ánh", "x, y", "  kept  "],
        ['say "hi"'],
    ]


def test_trailing_cells_and_rows_go_leading_and_middle_rows_stay():
    text = "\n\nh1,h2,,,\n,,\nv1,,v3,  ,\n,,,\n\n \n"
    assert read_table("x.csv", text.encode(), **LIMITS) == [
        [],
        [],
        ["h1", "h2"],
        [],
        ["v1", "", "v3"],
    ]


def test_cells_are_text_in_csv():
    rows = read_table("x.csv", b"id,n\n048090001234,1.5\n", **LIMITS)
    assert rows == [["id", "n"], ["048090001234", "1.5"]]


@pytest.mark.parametrize(
    "data",
    [
        b"a,b\n\x81\x8a,c\n",  # bytes Windows-1258 leaves undefined, not UTF-8 either
        b"a\x00,b\n",  # NUL without BOM (UTF-16 without BOM, a binary file)
        "a,b\n".encode("utf-16-le"),  # UTF-16 without BOM
        b"\xef\xbb\xbfa,\xff\n",  # says UTF-8, is not
        b"\xff\xfe" + b"a\x00\x00\xd8",  # UTF-16 with a lone surrogate
        b"\xff\xfe\x00\x00a\x00\x00\x00",  # UTF-32 (read as UTF-16: NUL)
    ],
)
def test_unrecognised_encodings_say_how_to_save_as_csv_utf8(data):
    err = refused("ds.csv", data)
    assert err.key == "forms.table.encoding" and "CSV UTF-8" in err.message


def test_size_and_emptiness():
    err = refused("x.csv", b"a,b\n" * 1000, max_bytes=3000)
    assert err.key == "forms.table.too_big" and "0.003 MB" in err.message
    for data in (b"", b"  \r\n\t", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n\n,,\n", "\n".encode("utf-16")):
        assert refused("x.csv", data).key == "forms.table.empty", data


def test_too_many_rows_quick_and_exact():
    err = refused("x.csv", b"h\n" + b"1\n" * 3000, max_rows=1000)
    assert err.key == "forms.table.too_many_rows" and err.params == {"n": 3000, "max": 1000}
    assert "chia" in err.message  # tells them to split the file
    err = refused("x.csv", b"h\n" + b"1\n" * 1001, max_rows=1000)
    assert err.params == {"n": 1001, "max": 1000}
    assert (
        len(
            read_table(
                "x.csv", b"h\n" + b"1\n" * 1000 + b"\n" * 900, max_rows=1000, max_bytes=10**6
            )
        )
        == 1001
    )


def test_too_many_columns():
    wide = ",".join(f"c{i}" for i in range(65)).encode()
    err = refused("x.csv", wide + b"\n1\n")
    assert err.key == "forms.table.too_many_columns" and err.params == {"n": 65, "max": 64}
    err = refused("x.csv", b"a,b\n1,2" + b"," * 70 + b"x\n")
    assert err.params["n"] == 72
    # blank cells beyond the limit (Excel's CSV of a sheet formatted far to the right) are fine
    assert read_table("x.csv", b"a,b" + b", " * 500 + b"\n1,2" + b"," * 500 + b"\n", **LIMITS) == [
        ["a", "b"],
        ["1", "2"],
    ]


def test_a_record_of_millions_of_fields_is_refused_before_it_is_split():
    data = b"a" + b"," * 5_000_000 + b"\n"  # 5 MB: the csv module alone would build 40 MB of fields
    cpu, peak, err = cost(lambda: read_table("x.csv", data, **BIG))
    assert isinstance(err, TableFileError) and err.key == "forms.table.too_many_columns"
    assert err.params["n"] > MAX_RECORD_FIELDS
    assert cpu < 1.0 and peak < 40, (cpu, peak)
    quoted = b"a,b\n" + b'"x\n",' * 300_000 + b"\n"  # the same across quoted newlines
    assert refused("x.csv", quoted, **BIG).key in (
        "forms.table.too_many_columns",
        "forms.table.too_many_rows",
    )


def test_a_field_over_128k_is_not_a_table():
    assert refused("x.csv", b"a\n" + b"x" * 200_000 + b"\n").key == "forms.table.not_table"


# -- file types -----------------------------------------------------------------------------------


def test_old_xls_is_refused_with_save_as_instructions():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    for name in ("ds.xls", "ds.xlsx", "ds.csv", "ds"):
        err = refused(name, ole)
        assert (
            err.key == "forms.table.old_xls"
            and ".xlsx" in err.message
            and "CSV UTF-8" in err.message
        )
    assert refused("ds.xls", xlsx_bytes([Sheet("a", ["x"], [])])).key == "forms.table.old_xls"


def test_types_by_content_then_extension():
    assert refused("ds.xlsx", table_text().encode()).key == "forms.table.not_table"
    assert refused("ds.xlsm", b"PK\x03\x04 but not a zip").key == "forms.table.not_table"
    for name in ("ds.pdf", "ds.docx", "ds.json", "ds.csv.exe"):
        assert refused(name, table_text().encode()).key == "forms.table.bad_type", name
    book = xlsx_bytes([Sheet("a", HEADER, ROWS)])
    assert read_table("renamed.csv", book, **LIMITS) == [HEADER, *ROWS]  # content wins
    assert read_table("C:\\fakepath\\ds.XLSX", book, **LIMITS) == [HEADER, *ROWS]
    assert read_table("", table_text().encode(), **LIMITS) == [HEADER, *ROWS]


# -- XLSX: content --------------------------------------------------------------------------------


def test_numbers_text_dates_and_types_as_openpyxl_gives_them():
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Ngày</t></is></c>'
        '<c r="C1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" s="1"><v>44449</v></c>'
        '<c r="C2"><v>4.8090001234E10</v></c><c r="D2"><v>2.5</v></c><c r="E2" t="b"><v>1</v></c>'
        '<c r="F2" t="e"><v>#N/A</v></c><c r="G2" t="str"><f>A2&amp;"!"</f><v>048!</v></c>'
        '<c r="H2"><f>1+1</f></c><c r="I2" s="2"><v>44449.5</v></c><c r="J2" s="3"><v>0.3333333333333333</v></c>'
        '<c r="K2" s="4"><v>1.5</v></c><c r="L2"><v>-7</v></c></row>'
    )
    strings = sst("<t>Số CCCD</t>", "<t>Số</t>", "<t>048090001234</t>")
    data = package(sheet(rows), strings=strings, styles=STYLES)
    got = read_table("x.xlsx", data, **LIMITS)
    assert got == [
        ["Số CCCD", "Ngày", "Số"],
        [
            "048090001234",  # a number kept as text stays text, leading zero and all
            datetime(2021, 9, 10),
            48090001234,  # an integral float is an int
            2.5,
            True,
            "#N/A",
            "048!",  # a formula: its cached value
            "",  # a formula without a cached value
            datetime(2021, 9, 10, 12, 0),
            dtime(8, 0),
            timedelta(hours=36),
            -7,
        ],
    ]
    assert got == openpyxl_rows(data)


def test_dates_count_from_1904_when_the_workbook_says_so():
    book = (
        f'<workbook xmlns="{NS}" xmlns:r="{RNS}"><workbookPr date1904="1"/><sheets>'
        '<sheet name="D" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    data = package(sheet('<row><c s="1"><v>42987</v></c></row>'), styles=STYLES, workbook=book)
    assert read_table("x.xlsx", data, **LIMITS) == [[datetime(2021, 9, 10)]] == openpyxl_rows(data)


def test_shared_strings_rich_text_phonetics_and_excel_escapes():
    strings = sst(
        '<r><rPr><b/><sz val="11"/></rPr><t>Nguyễn </t></r><r><t xml:space="preserve">Văn Ánh</t></r>',
        '<t>An</t><rPh sb="0" eb="1"><t>アン</t></rPh><phoneticPr fontId="1"/>',
        "<t>dòng 1_x000D_\ndòng 2 _x005F_x0041_ _x0041_</t>",
        "<t xml:space='preserve'>  cách  </t>",
        "<t>Nguye\u0302\u0303n</t>",  # decomposed in the file
    )
    rows = "".join(f'<row r="{i + 1}"><c r="A{i + 1}" t="s"><v>{i}</v></c></row>' for i in range(5))
    got = read_table("x.xlsx", package(sheet(rows), strings=strings), **LIMITS)
    assert got == [
        ["Nguyễn Văn Ánh"],
        ["An"],
        ["dòng 1\r\ndòng 2 _x0041_ A"],
        ["  cách  "],
        ["Nguyễn"],
    ]


def test_prefixed_namespaces_and_strict_open_xml():
    body = (
        f'<x:worksheet xmlns:x="{NS}"><x:sheetData><x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v>'
        '</x:c><x:c r="B1"><x:v>7</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    )
    strings = f'<x:sst xmlns:x="{NS}"><x:si><x:t>{NAME}</x:t></x:si></x:sst>'
    assert read_table("x.xlsx", package(body, strings=strings), **LIMITS) == [[NAME, 7]]
    strict = "http://purl.oclc.org/ooxml/spreadsheetml/main"
    body = (
        f'<worksheet xmlns="{strict}"><sheetData><row><c><v>1</v></c></row></sheetData></worksheet>'
    )
    assert read_table("x.xlsx", package(body), **LIMITS) == [[1]]


def test_excel_like_markup_gaps_and_trailing_empties():
    rows = (
        '<row r="2" spans="1:8" x14ac:dyDescent="0.25"><c r="A2" s="0"><v>1</v></c>'
        '<c r="C2"><v>3</v></c><c r="F2" s="1"/><c r="G2" t="s"/></row>'
        '<row r="5"><c r="B5" t="inlineStr"><is><t>  </t></is></c></row>'
        '<row r="7"><c><v>1</v></c><c><v>2</v></c><c r="E7"><v>5</v></c><c><v>6</v></c></row>'
        '<row r="9" customFormat="1" s="1"><c r="A9" s="1"/></row>'
        + "".join(f'<row r="{r}"><c r="B{r}" s="1"/></row>' for r in range(10, 600))
    )
    head = '<cols><col min="1" max="16384" width="9"/></cols>'
    xml = sheet(rows, head).replace(
        "<worksheet ",
        '<worksheet xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" mc:Ignorable="x14ac" ',
    )
    data = package(xml, strings=sst("<t>x</t>"), styles=STYLES)
    expected = [[], [1, "", 3], [], [], [], [], [1, 2, "", "", 5, 6]]
    assert read_table("x.xlsx", data, **LIMITS) == expected == openpyxl_rows(data)
    # openpyxl would pad every row to XFD and read 1,048,576 rows: not compared
    full = package(
        xml.replace("<cols>", '<dimension ref="A1:XFD1048576"/><cols>'), strings=sst("<t>x</t>")
    )
    assert read_table("x.xlsx", full, **LIMITS) == expected


def test_only_the_first_worksheet_in_tab_order_is_read():
    book = (
        f'<workbook xmlns="{NS}" xmlns:r="{RNS}"><sheets><sheet name="Second" sheetId="2" r:id="rId2"/>'
        '<sheet name="First" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    data = package(sheet("<row><c><v>1</v></c></row>"), workbook=book)
    assert read_table("x.xlsx", data, **LIMITS) == [[2]]  # sheet2.xml is the first tab
    two = xlsx_bytes(
        [Sheet("Danh sách", HEADER, ROWS), Sheet("Phường xã", ["Mã", "Tên"], [[1, "Hải Châu"]])]
    )
    assert read_table("x.xlsx", two, **LIMITS) == [HEADER, *ROWS]


def test_no_worksheet():
    book = f'<workbook xmlns="{NS}" xmlns:r="{RNS}"><sheets/></workbook>'
    err = refused("x.xlsx", package(sheet(""), workbook=book))
    assert err.key == "forms.table.no_sheet"
    assert refused("x.xlsx", package(sheet(""))).key == "forms.table.empty"


def test_xlsx_rows_and_columns_limits():
    rows = "".join(f"<row><c><v>{i}</v></c></row>" for i in range(12))
    err = refused("x.xlsx", package(sheet(rows)), max_rows=10)
    assert err.key == "forms.table.too_many_rows" and err.params == {"n": 11, "max": 10}
    far = '<row><c><v>1</v></c></row><row r="90000"><c><v>2</v></c></row>'
    err = refused("x.xlsx", package(sheet(far)), max_rows=10)
    assert err.params == {"n": 89999, "max": 10}
    header = (
        "<row>"
        + "".join(f'<c t="inlineStr"><is><t>h{i}</t></is></c>' for i in range(20))
        + "</row>"
    )
    err = refused("x.xlsx", package(sheet(header)), max_columns=16)
    assert err.key == "forms.table.too_many_columns" and err.params == {"n": 17, "max": 16}
    err = refused(
        "x.xlsx",
        package(
            sheet('<row><c r="A1"><v>1</v></c><c r="AA1" t="s"><v>0</v></c></row>'),
            strings=sst("<t> </t>"),
        ),
        max_columns=16,
    )
    assert err.params == {"n": 27, "max": 16}  # a text cell out there counts, even of spaces
    blank_far = '<row><c r="A1"><v>1</v></c><c r="AA1" t="inlineStr"><is><t> </t></is></c><c r="XFD1" s="1"/></row>'
    assert read_table("x.xlsx", package(sheet(blank_far)), **LIMITS, max_columns=16) == [[1]]


@pytest.mark.parametrize(
    "data",
    [
        package(sheet("<row><c><v>x</v></c></row>")),  # not a number
        package(sheet('<row><c t="s"><v>5</v></c></row>'), strings=sst("<t>a</t>")),  # no string 5
        package(sheet('<row><c t="s"><v>-1</v></c></row>'), strings=sst("<t>a</t>")),
        package(sheet('<row r="3"/><row r="2"/>')),  # rows backwards
        package(sheet('<row><c r="XFE1"><v>1</v></c></row>')),  # beyond Excel's last column
        package(sheet('<row><c r="1A"><v>1</v></c></row>')),
        package(sheet("<row><c><v>1</v></c>")),  # cut XML
        package(sheet("<row><c><v>&undefined;</v></c></row>")),
        package(f'<?xml version="1.0" encoding="UTF-16"?>{sheet("")}'.encode("utf-16")),
        quietly(lambda: package(sheet(""), extra=(("xl/worksheets/sheet1.xml", b""),))),  # twice
        xlsx_bytes([Sheet("a", ["x"], [])])[:-30],  # truncated zip
        b"PK\x03\x04" + bytes(range(256)) * 4,
    ],
)
def test_damaged_workbooks_are_not_a_table(data):
    assert refused("x.xlsx", data).key in ("forms.table.not_table", "forms.table.empty")


def test_missing_parts_and_odd_compression():
    good = package(sheet("<row><c><v>1</v></c></row>"))
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info, src.read(info))
    assert refused("x.xlsx", buf.getvalue()).key == "forms.table.not_table"
    bz = package(sheet("<row><c><v>1</v></c></row>"), compression=zipfile.ZIP_BZIP2)
    assert refused("x.xlsx", bz).key == "forms.table.not_table"  # bzip2 inflates unbounded


# -- XLSX: bombs ----------------------------------------------------------------------------------


def assert_cheap(
    data: bytes, key: str | None, *, cpu_max: float = 1.0, mb_max: float = 64, **limits: int
):
    cpu, peak, outcome = cost(lambda: read_table("bomb.xlsx", data, **{**BIG, **limits}))
    if key is None:
        assert isinstance(outcome, list), outcome
    else:
        assert isinstance(outcome, TableFileError) and outcome.key == key, outcome
    assert cpu < cpu_max, f"{cpu:.2f} s CPU"
    assert peak < mb_max, f"{peak:.0f} MB"
    return outcome


def test_width_bomb_one_cell_at_xfd_on_100000_rows():
    """The security review's workbook (~500 KB; today's reader: 31-88 s, 4.5-6.7 GB)."""
    rows = "".join(f'<row r="{i}"><c r="XFD{i}"><v>1</v></c></row>' for i in range(1, 100_001))
    data = package(sheet(rows))
    assert len(data) < 600_000
    assert_cheap(data, "forms.table.too_many_rows")
    assert_cheap(data, "forms.table.too_many_columns", max_rows=100_000)  # header check


def test_width_bomb_styled_empty_cells_under_a_full_dimension():
    row = '<c s="1"/>' * 16_384
    rows = "".join(f'<row r="{i}">{row}</row>' for i in range(1, 210))
    data = package(sheet(rows, '<dimension ref="A1:XFD1048576"/>'), styles=STYLES)
    assert_cheap(data, "forms.table.too_many_cells")
    assert_cheap(data, "forms.table.too_many_cells", max_columns=16)


def test_width_bomb_rows_of_16384_tiny_cells():
    row = "<c><v>1</v></c>" * 16_384
    data = package(sheet("".join(f"<row>{row}</row>" for _ in range(210))))
    assert_cheap(data, "forms.table.too_many_cells")
    one = package(sheet(f"<row>{row}</row>"))  # within the cell budget: the column check
    assert_cheap(one, "forms.table.too_many_columns")


def test_width_bomb_prefixed_cells_are_counted_too():
    row = "<x:c/>" * 16_384
    body = (
        f'<x:worksheet xmlns:x="{NS}"><x:sheetData>'
        + f"<x:row>{row}</x:row>" * 250
        + "</x:sheetData></x:worksheet>"
    )
    assert_cheap(package(body), "forms.table.too_many_cells")


def test_formatted_empty_cells_far_right_within_the_budget_are_read_quickly():
    rows = "".join(
        f'<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="XFD{i}" s="1"/></row>'
        for i in range(1, 50_001)
    )
    # about 0.6 s of CPU on a quiet core, 1.1 s seen on a shared CI core; reading the empty
    # cells out to the far right one by one would take minutes
    rows_read = assert_cheap(package(sheet(rows), styles=STYLES), None, cpu_max=3.0)
    assert len(rows_read) == 50_000 and rows_read[-1] == [50_000]


def test_a_workbook_that_unpacks_beyond_200_mb_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("xl/worksheets/sheet1.xml", sheet("<row><c><v>1</v></c></row>"))
        with z.open("xl/media/image1.png", "w") as big:
            zeros = b"\0" * (1 << 20)
            for _ in range(201):
                big.write(zeros)
    data = buf.getvalue()
    assert len(data) < 1_000_000
    err = assert_cheap(data, "forms.table.zip_bomb")
    assert "200 MB" in err.message


def test_a_zip_of_thousands_of_members_is_refused_before_it_is_listed():
    data = package(sheet(""), extra=tuple((f"xl/m{i}.xml", b"") for i in range(12_000)))
    assert_cheap(data, "forms.table.not_table", cpu_max=0.2)


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i + 1} "{("&lol" + (str(i) if i else "") + ";") * 10}">' for i in range(9)
    )
    + "]>"
)


@pytest.mark.parametrize("where", ["sheet", "strings", "workbook", "styles", "rels", "external"])
def test_billion_laughs_and_external_entities_are_refused(where):
    cell = '<row><c t="s"><v>0</v></c></row>'
    parts = {"sheet": sheet(cell), "strings": sst("<t>a</t>"), "styles": STYLES, "workbook": None}
    if where == "external":
        parts["sheet"] = (
            '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            + sheet('<row><c t="inlineStr"><is><t>&e;</t></is></c></row>')
        )
    elif where == "workbook":
        parts["workbook"] = (
            LAUGHS
            + f'<workbook xmlns="{NS}" xmlns:r="{RNS}"><sheets><sheet name="&lol9;" sheetId="1" r:id="rId1"/></sheets></workbook>'
        )
    elif where != "rels":
        parts[where] = LAUGHS + parts[where].replace("<t>a</t>", "<t>&lol9;</t>").replace(
            "<row>", "<row><c t='inlineStr'><is><t>&lol9;</t></is></c>"
        )
    data = package(
        parts["sheet"], strings=parts["strings"], styles=parts["styles"], workbook=parts["workbook"]
    )
    if where == "rels":
        buf = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
            for info in src.infolist():
                body = src.read(info)
                if info.filename == "_rels/.rels":
                    body = LAUGHS.encode() + body.replace(b'Id="rId1"', b'Id="&lol9;"')
                dst.writestr(info, body)
        data = buf.getvalue()
    err = assert_cheap(data, "forms.table.not_table", cpu_max=0.1, mb_max=5)
    assert err.params["detail"] == "DTD"


def test_giant_tags_and_comments_are_refused_without_buffering_them():
    attr = package(sheet("<row><c r='A1' x='" + ">" * 60_000_000 + "'><v>1</v></c></row>"))
    assert_cheap(attr, "forms.table.not_table", mb_max=16)
    comment = package(sheet("<row><c><v>1</v></c></row><!--" + "x" * 60_000_000 + "-->"))
    assert_cheap(comment, "forms.table.not_table", mb_max=16)
    text = package(sheet("<row><c t='inlineStr'><is><t>" + "x" * 3_000_000 + "</t></is></c></row>"))
    assert_cheap(text, "forms.table.not_table", mb_max=16)  # beyond any cell's length


def test_markup_beyond_what_the_cells_need_is_refused():
    junk = package(sheet("<row><c><v>1</v></c></row>" + "<x/>" * 5_000_000))
    assert_cheap(junk, "forms.table.not_table")


def test_shared_strings_bombs():
    cell = '<row><c t="s"><v>{}</v></c></row>'
    many = package(
        sheet(cell.format(0)),
        strings=f'<sst xmlns="{NS}">' + "<si><t>a</t></si>" * 150_000 + "</sst>",
    )
    assert_cheap(many, "forms.table.too_many_cells", max_rows=10)  # budget: 100,000 strings
    junk = package(
        sheet(cell.format(0)),
        strings=f'<sst xmlns="{NS}"><si><t>a</t>' + "<b/>" * 2_000_000 + "</si></sst>",
    )
    assert_cheap(junk, "forms.table.not_table")
    # only the strings up to the last one used are read, and only used ones are kept
    tail = package(sheet(cell.format(1)), strings=sst("<t>a</t>", "<t>b</t>") + "x" * 10_000_000)
    assert_cheap(tail, None, cpu_max=0.2)


# -- writers --------------------------------------------------------------------------------------

FORMULA_LIKE = ["=1+1", "+84905123456", "-5", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']


def test_csv_bytes_opens_in_excel_and_is_formula_safe():
    data = csv_bytes(HEADER, [*ROWS, FORMULA_LIKE[:3], [-5, 1.5, None]])
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = read_table("x.csv", data, **LIMITS)
    assert rows[:3] == [HEADER, *ROWS]  # diacritics, leading zeros
    # a phone typed +84... is neutralised too: the existing rule, kept
    assert rows[3] == ["'=1+1", "'+84905123456", "'-5"]
    assert rows[4] == ["-5", "1.5"]  # numbers are not text: untouched
    assert csv_bytes(["a"], [["x\x00y"]]).endswith(b"xy\r\n")


def test_xlsx_bytes_round_trip_text_columns_and_formula_safety():
    data = xlsx_bytes(
        [
            Sheet("Nhân viên", HEADER, [*ROWS, FORMULA_LIKE[:3]], text_columns={1, 2}),
            Sheet("Phường/xã: [danh sách]", ["Mã", "Tên"], [[20194, "Hải Châu"]]),
            Sheet("Phường/xã: [danh sách]", ["x"], []),
        ]
    )
    assert read_table("x.xlsx", data, **LIMITS) == [
        HEADER,
        *ROWS,
        ["'=1+1", "'+84905123456", "'-5"],
    ]
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Nhân viên", "Phường-xã- -danh sách-", "Phường-xã- -danh sách--2"]
    ws = book.worksheets[0]
    assert ws["B2"].number_format == "@" and ws["C2"].number_format == "@"
    assert ws[f"B{TEXT_FORMAT_ROWS + 1}"].number_format == "@"  # blank rows to type into
    assert ws["A2"].number_format == "General"
    assert ws["A4"].data_type == "s" and ws["A4"].value == "'=1+1"  # a string, never a formula
    assert ws["A1"].font.b and ws.freeze_panes == "A2"
    assert book.worksheets[1]["A2"].value == 20194


def test_xlsx_bytes_carries_what_xml_cannot():
    odd = ["dòng 1\r\ndòng 2", "bell\x07", "_x0041_ literal", "nul\x00gone", "\ufffe", "tab\tin"]
    data = xlsx_bytes([Sheet("a", ["h"] * len(odd), [odd])])
    assert read_table("x.xlsx", data, **LIMITS)[1] == [
        "dòng 1\r\ndòng 2",
        "bell\x07",
        "_x0041_ literal",
        "nulgone",
        "\ufffe",
        "tab\tin",
    ]


def test_xlsx_bytes_values_of_every_type():
    row = [
        datetime(2021, 9, 10, 1, 0, tzinfo=UTC),
        date(2021, 9, 10),
        3,
        2.5,
        float("nan"),
        None,
        True,
        object,
    ]
    data = xlsx_bytes([Sheet("a", ["h"] * len(row), [row], widths=[20])])
    assert read_table("x.xlsx", data, **LIMITS)[1] == [
        datetime(2021, 9, 10, 8, 0),  # Vietnam time: Excel has no time zones
        datetime(2021, 9, 10),
        3,
        2.5,
        "nan",
        "",
        True,
        str(object),
    ]


# -- properties -----------------------------------------------------------------------------------

NAMES = st.sampled_from(["x.csv", "x.xlsx", "x.txt", "x.tsv", "x.xlsm", "x"])


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=NAMES,
    data=st.one_of(
        st.binary(max_size=2_000), st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b)
    ),
)
def test_any_bytes_give_rows_or_a_file_error(name, data):
    try:
        rows = read_table(name, data, **LIMITS)
    except TableFileError as exc:
        assert exc.key in MESSAGES and exc.message
        return
    assert rows and all(isinstance(r, list) for r in rows)


_VALID = xlsx_bytes([Sheet("a", HEADER, ROWS, text_columns={1})])


@hsettings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, len(_VALID) - 1), st.integers(0, 255)), min_size=1, max_size=8
    )
)
@example(
    edits=[(_VALID.rindex(b"PK\x01\x02") + 6, 64)]
)  # "zip file version 6.4" (found by hypothesis)
def test_damaged_workbooks_give_rows_or_a_file_error(edits):
    data = bytearray(_VALID)
    for pos, byte in edits:
        data[pos] = byte
    try:
        read_table("x.xlsx", bytes(data), **LIMITS)
    except TableFileError:
        pass


def _expected(rows: list[list[object]], *, csv_text: bool) -> list[list[object]]:
    """What a table written by our writers reads back as: text NFC and formula-safe (no NUL),
    CSV numbers as text, XLSX numbers to Excel's precision, integral floats as int, trailing
    blanks trimmed."""
    out = []
    for row in rows:
        cells: list[object] = []
        for v in row:
            if isinstance(v, str):
                v = unicodedata.normalize("NFC", formula_safe(v.replace("\x00", "")))
            elif not csv_text and isinstance(v, int) and abs(v) >= 10**15:
                v = str(v)  # Excel keeps 15 digits
            elif not csv_text and isinstance(v, float):
                v = float(f"{v:.16g}")  # as openpyxl writes it
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            if csv_text and not isinstance(v, str):
                v = str(v)
            cells.append(v)
        while cells and isinstance(cells[-1], str) and not cells[-1].strip():
            cells.pop()
        out.append(cells)
    while out and not out[-1]:
        out.pop()
    return out


HEADERS = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyzđươ ", min_size=1, max_size=8), min_size=2, max_size=5
)
CELLS = st.one_of(
    st.text(max_size=12),
    st.text("Nguyễn Văn Ánh0123456789 =+-@\t\r\n,;\"'_x", max_size=12),
    st.integers(-(10**15), 10**15),
)


@hsettings(max_examples=150, deadline=None)
@given(header=HEADERS, rows=st.lists(st.lists(CELLS, max_size=5), max_size=6))
def test_csv_bytes_reads_back(header, rows):
    assume(any(h.strip() for h in header[1:]))
    got = read_table("x.csv", csv_bytes(header, rows), **LIMITS)
    assert got == _expected([header, *rows], csv_text=True)


@hsettings(max_examples=100, deadline=None)
@given(
    header=HEADERS,
    rows=st.lists(
        st.lists(st.one_of(CELLS, st.floats(-1e9, 1e9, allow_nan=False)), max_size=5), max_size=6
    ),
)
def test_xlsx_bytes_reads_back(header, rows):
    assume(any(h.strip() for h in header))  # a blank header and no rows is an empty file
    got = read_table("x.xlsx", xlsx_bytes([Sheet("T", header, rows, text_columns={0})]), **LIMITS)
    assert got == _expected([header, *rows], csv_text=False)


@hsettings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.text("abc Ánh", max_size=6),
                st.integers(-999, 999),
                st.floats(-1e6, 1e6, allow_nan=False),
            ),
            max_size=6,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_openpyxl_written_workbooks_read_as_openpyxl_reads_them(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    data = buf.getvalue()
    try:
        got = read_table("x.xlsx", data, **LIMITS)
    except TableFileError as exc:
        assert exc.key == "forms.table.empty"
        got = []
    assert got == [
        [unicodedata.normalize("NFC", c) if isinstance(c, str) else c for c in r]
        for r in openpyxl_rows(data)
    ]


def test_messages_have_both_languages_and_their_parameters():
    from core.i18n import t_in

    assert all(
        k.startswith("forms.table.") and v["vi"].strip() and v["en"].strip()
        for k, v in MESSAGES.items()
    )
    params = {"mb": 20, "n": 70_000, "max": 50_000}
    for key in MESSAGES:
        assert "{" not in t_in("vi", key, **params) and "{" not in t_in("en", key, **params), key
    assert t_in("en", "forms.table.encoding").count("CSV UTF-8") == 1


def test_messages_follow_the_language(settings):
    from core.i18n import set_locale

    set_locale("en")
    try:
        assert refused("x.pdf", b"x").message.startswith("Only Excel (.xlsx) or CSV")
    finally:
        set_locale("vi")
    assert refused("x.pdf", b"x").message.startswith("Chỉ nhận tệp Excel")


def test_csv_module_is_not_confused_by_our_bom():
    assert next(csv.reader(io.StringIO(csv_bytes(["a"], []).decode("utf-8-sig")))) == ["a"]
