"""No outbound access: a workbook that links an image by URL, or another workbook, is exported and
rendered without a single request leaving the machine, and the copy says what it dropped."""

from __future__ import annotations

import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest

from tests.recalc_fixtures import REL, build_xlsx, members, sheet_xml
from vng_xl.cli import main
from vng_xl.export.values import export_values
from vng_xl.libreoffice.runner import convert, soffice

needs_libreoffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")

DRAWING = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="{REL}">'
    "<xdr:twoCellAnchor><xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row>"
    "<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>4</xdr:col><xdr:colOff>0</xdr:colOff>"
    "<xdr:row>8</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:pic><xdr:nvPicPr>"
    '<xdr:cNvPr id="2" name="Logo"/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill>'
    '<a:blip r:link="rId1"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr><a:xfrm>'
    '<a:off x="0" y="0"/><a:ext cx="1905000" cy="1333500"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
    "</a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>"
)
EXTERNAL_LINK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{REL}"><externalBook r:id="rId1"><sheetNames><sheetName val="Blad1"/></sheetNames>'
    "</externalBook></externalLink>"
)


def _rels(body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + body
        + "</Relationships>"
    ).encode()


def linked_workbook(path: Path, url: str) -> Path:
    """A workbook whose picture is linked (not embedded) at `url`, and which links another workbook."""
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Kadernota</t></is></c><c r="B1"><f>[1]Blad1!A1</f><v>2</v></c></row>'
    )
    sheet = sheet_xml(rows).replace("</worksheet>", '<drawing r:id="rId1"/></worksheet>')
    build_xlsx(path, {"Blad1": sheet})
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/drawings/drawing1.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/>'
        b'<Override PartName="/xl/externalLinks/externalLink1.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>',
    )
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"</sheets>", b'</sheets><externalReferences><externalReference r:id="rId99"/></externalReferences>'
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rId99" Type="{REL}/externalLink" Target="externalLinks/externalLink1.xml"/>'
        "</Relationships>".encode(),
    )
    parts["xl/externalLinks/externalLink1.xml"] = EXTERNAL_LINK.encode()
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = _rels(
        f'<Relationship Id="rId1" Type="{REL}/externalLinkPath" Target="{url}/bron.xlsx" TargetMode="External"/>'
    )
    parts["xl/worksheets/_rels/sheet1.xml.rels"] = _rels(
        f'<Relationship Id="rId1" Type="{REL}/drawing" Target="../drawings/drawing1.xml"/>'
    )
    parts["xl/drawings/drawing1.xml"] = DRAWING.encode()
    parts["xl/drawings/_rels/drawing1.xml.rels"] = _rels(
        f'<Relationship Id="rId1" Type="{REL}/image" Target="{url}/x.png" TargetMode="External"/>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


class Listener:
    """A loopback socket that counts connections, for at most `seconds`, and stops by itself."""

    def __init__(self, seconds: float = 180) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.requests: list[bytes] = []
        self.deadline = time.monotonic() + seconds
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.done.is_set() and time.monotonic() < self.deadline:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            conn.settimeout(1)
            try:
                self.requests.append(conn.recv(200))
            except OSError:
                self.requests.append(b"")
            conn.close()

    def close(self) -> None:
        time.sleep(0.5)  # a late request still counts
        self.done.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def listener():
    it = Listener()
    yield it
    it.close()


def test_the_values_copy_drops_external_links_and_says_so(tmp_path: Path, listener):
    src = linked_workbook(tmp_path / "linked.xlsx", listener.url)
    out = tmp_path / "copy.xlsx"
    report = export_values(src, out)
    assert f"{listener.url}/x.png" in report.extern and "xl/externalLinks/externalLink1.xml" in report.extern
    copy = members(out)
    assert "xl/externalLinks/externalLink1.xml" not in copy
    assert not any(b'TargetMode="External"' in data for name, data in copy.items() if name.endswith(".rels"))
    assert b"externalReferences" not in copy["xl/workbook.xml"]
    assert b"r:link" not in copy["xl/drawings/drawing1.xml"]
    assert listener.url.encode() not in b"".join(copy.values())


@needs_libreoffice
def test_export_pdf_makes_no_request(tmp_path: Path, listener, capsys):
    src = linked_workbook(tmp_path / "linked.xlsx", listener.url)
    out = tmp_path / "copy.xlsx"
    assert main(["export", str(src), str(out), "--pdf"]) == 0
    listener.close()
    assert listener.requests == []
    assert out.with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"
    assert "dropped 2 external links" in capsys.readouterr().out


@needs_libreoffice
def test_libreoffice_itself_fetches_nothing_a_workbook_links(tmp_path: Path, listener):
    """The converter's profile has linked content off, for a workbook that still links an image."""
    src = linked_workbook(tmp_path / "linked.xlsx", listener.url)
    (pdf,) = convert(src, "pdf", tmp_path / "out")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    listener.close()
    assert listener.requests == []
