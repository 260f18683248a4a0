import re

import pdfplumber
import pytest

from wattcad.cli import main
from wattcad.footprints.printout import PT_PER_MM, RULER_MM

A4_PT = (210 / 25.4 * 72, 297 / 25.4 * 72)


def test_pdf_is_exactly_one_to_one(tmp_path):
    out = tmp_path / "print.pdf"
    assert main(["footprint", "print", "ade7816", "0603", "--out", str(out)]) == 0
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        assert (page.width, page.height) == pytest.approx(A4_PT, abs=0.01)
        # The ruler's baseline: the one horizontal line exactly 50 mm long.
        lengths = [ln["x1"] - ln["x0"] for ln in page.lines if abs(ln["y1"] - ln["y0"]) < 1e-6]
        assert any(abs(length - RULER_MM * PT_PER_MM) < 0.01 for length in lengths)
        # Its 51 mm ticks, 1 mm apart.
        ticks = sorted({round(ln["x0"], 3) for ln in page.lines if abs(ln["x1"] - ln["x0"]) < 1e-6})
        steps = [b - a for a, b in zip(ticks, ticks[1:])]
        assert len(ticks) >= 51 and all(abs(s - PT_PER_MM) < 0.01 for s in steps[:50])
        # The ADE7816 exposed pad, a 4.65 mm square filled polygon in copper colour.
        squares = [c for c in page.rects + page.curves if abs((c["x1"] - c["x0"]) - 4.65 * PT_PER_MM) < 0.01
                   and abs((c["bottom"] - c["top"]) - 4.65 * PT_PER_MM) < 0.01]
        assert squares, "no 4.65 mm exposed pad drawn at 1:1"
        text = page.extract_text()
        assert "LFCSP-40-1EP_6x6mm_P0.5mm_EP4.65x4.65mm" in text and "actual size" in text


def test_pdf_is_reproducible(tmp_path):
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    main(["footprint", "print", "ade7816", "--out", str(a)])
    main(["footprint", "print", "ade7816", "--out", str(b)])
    assert a.read_bytes() == b.read_bytes()


def test_svg_uses_millimetre_units(tmp_path):
    out = tmp_path / "print.svg"
    assert main(["footprint", "print", "ade7816", "--out", str(out), "--paper", "Letter"]) == 0
    svg = out.read_text()
    assert re.search(r'width="215.9mm" height="279.4mm" viewBox="0 0 215.9 279.4"', svg)
    baseline = re.findall(r'<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)" stroke="rgb\(0,0,0\)" stroke-width="0.2"', svg)
    assert any(abs(float(x2) - float(x1) - RULER_MM) < 1e-6 for x1, _, x2, _ in baseline)


def test_bad_print_requests_are_input_errors(tmp_path, capsys):
    assert main(["footprint", "print", "ade7816", "--out", str(tmp_path / "x.png")]) == 2
    assert "must end in .pdf or .svg" in capsys.readouterr().err
    assert main(["footprint", "print", "no-such-part", "--out", str(tmp_path / "x.pdf")]) == 2
    assert not (tmp_path / "x.pdf").exists()
