"""The VNG functions as a LibreOffice Calc add-in: the extension generated from the registry, and
LibreOffice itself computing VNG formulas with it (compared with the document and our own engine)."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from lxml import etree

from tests.kadernota_figures import KERNORGANISATIE
from tests.workbook_fixtures import built_workbook
from vng_xl.cli import main
from vng_xl.functions import FUNCTIONS
from vng_xl.libreoffice import calc, fout, names, runner, session
from vng_xl.libreoffice.addin import IDENTIFIER, idl_name
from vng_xl.ooxml.package import write_cells
from vng_xl.recalc.engine import FormulaUnsupported, evaluate
from vng_xl.recalc.libreoffice_engine import formula_cells

OOR = "{http://openoffice.org/2001/registry}"


@pytest.fixture(scope="module")
def oxt(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    path = tmp_path_factory.mktemp("oxt") / "vng.oxt"
    assert main(["libreoffice", "build", str(path)]) == 0
    return zipfile.ZipFile(path)


def test_the_extension_lists_every_part_it_holds(oxt: zipfile.ZipFile) -> None:
    manifest = etree.fromstring(oxt.read("META-INF/manifest.xml"))
    listed = [e.get("{http://openoffice.org/2001/manifest}full-path") for e in manifest]
    assert listed and all(name in oxt.namelist() for name in listed)


def test_the_interface_has_every_function_with_its_arguments(oxt: zipfile.ZipFile) -> None:
    text = oxt.read("vng_xl_addin.idl").decode()
    for fn in FUNCTIONS.values():
        if fn.name == "VNG_FOUT":  # gets the cells (errors included) and, hidden, the document
            params = "[in] com::sun::star::beans::XPropertySet document, [in] com::sun::star::table::XCellRange cel"
        else:
            params = ", ".join(f"[in] any {idl_name(a.name)}" for a in fn.args)
        assert f" {fn.name}({params});" in text
    assert "van_jaar" not in text and "[in] any vanJaar" in text  # LibreOffice refuses _ in an argument


def test_the_help_is_the_registrys_dutch_help_with_the_excel_name(oxt: zipfile.ZipFile) -> None:
    root = etree.fromstring(oxt.read("CalcAddIns.xcu"))
    functions = root.find(f"node/node/node[@{OOR}name='AddInFunctions']")
    assert [n.get(f"{OOR}name") for n in functions] == list(FUNCTIONS)
    for node in functions:
        fn = FUNCTIONS[node.get(f"{OOR}name")]
        props = {p.get(f"{OOR}name"): p.findtext("value") for p in node.findall("prop")}
        assert props["Description"] == fn.help
        assert props["CompatibilityName"] == fn.name
        params = node.find(f"node[@{OOR}name='Parameters']")
        assert [p.findtext("prop[@oor:name='DisplayName']/value", namespaces={"oor": OOR[1:-1]}) for p in params] == [
            a.name for a in fn.args
        ]


def test_the_config_points_at_this_vng_xl(oxt: zipfile.ZipFile) -> None:
    config = json.loads(oxt.read("vng_xl_addin.json"))
    assert config["functions"] == list(FUNCTIONS)
    assert any(Path(p, "vng_xl", "functions", "registry.py").is_file() for p in config["source"])


def test_ranges_arrive_as_blocks_and_results_leave_as_rows() -> None:
    assert calc.call("VNG_INDEX", ("A", 2027.0, None)) == ((0.039,),)
    rows = calc.call("VNG_GEWOGEN_INDEX", (((39059724.0,), (2362584.0,)), (("A",), ("B",)), 2026.0, None, None))
    assert len(rows) == 1 and len(rows[0]) == 1 and isinstance(rows[0][0], float)
    block = calc.argument(((1.0, None), ("a", 2.0)))
    assert block.shape == (2, 2) and block[0, 1] is None


def test_bad_input_is_refused_with_the_dutch_message_for_the_component_to_raise() -> None:
    with pytest.raises(calc.CellFailure, match='^#VNG! indextype: onbekend indextype "X"'):
        calc.call("VNG_INDEX", ("X", 2027.0, None))


def test_a_non_finite_result_is_an_internal_error_not_a_number() -> None:
    with pytest.raises(ValueError):
        calc.result(np.array([1.0, np.inf]))


# --- LibreOffice itself computes -----------------------------------------------------------------


def api_formula(dutch: str) -> str:
    """A Dutch Excel formula in LibreOffice's API notation: `;` between arguments, `|` between rows of {...}."""
    parts = re.split(r'("(?:[^"]|"")*")', dutch)
    out, depth = [], 0
    for i, part in enumerate(parts):
        if i % 2:
            out.append(part)
            continue
        chars = []
        for ch in part:
            depth += ch == "{"
            depth -= ch == "}"
            chars.append("|" if ch == ";" and depth else ch)
        out.append("".join(chars))
    return "".join(out)


def needs_no_workbook(formula: str) -> bool:
    """Whether a formula refers to no cell and no name (our engine says so)."""
    try:
        evaluate(formula, dutch=True)
    except FormulaUnsupported:
        return False
    return True


#: The registry's examples LibreOffice can compute on an empty sheet (no cell references, no names).
EXAMPLES = [formula for fn in FUNCTIONS.values() for formula, _ in fn.examples if needs_no_workbook(formula)]

SALARISSEN_2027 = '=VNG_RAMING(39059724;"A";2027)'


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh LibreOffice profile with the add-in installed."""
    profile = tmp_path_factory.mktemp("lo-profile")
    installed = session.install(profile)
    assert [IDENTIFIER, "vng_xl.oxt"] in installed
    return profile


@pytest.fixture(scope="module")
def computed(profile: Path) -> dict[str, list[list[dict[str, object]]]]:
    """LibreOffice, with the add-in installed in a fresh profile, computing every example."""
    shapes = {f: np.shape(evaluate(f, dutch=True).block) for f in EXAMPLES}
    jobs = [[api_formula(f), *shapes[f]] if shapes[f] != (1, 1) else api_formula(f) for f in EXAMPLES]
    jobs += [SALARISSEN_2027, '=VNG_INDEX("X";2027)', "=VNG_INDEXFACTOR()"]
    results = session.evaluate(jobs, profile)
    return dict(zip([*EXAMPLES, SALARISSEN_2027, "bad", "missing"], results))


@pytest.mark.libreoffice
def test_libreoffice_computes_the_salaries_2027_of_the_document(computed) -> None:
    (([cell],)) = computed[SALARISSEN_2027]
    assert round(cell["value"]) == KERNORGANISATIE["Salarissen"][3]  # 41.394.714


#: Examples where LibreOffice is known to give something else than our engine, and why.
EXPECTED_DIFFERENCES = {
    '=VNG_FOUT(VNG_RAMING(100;"C";2027))': "Calc calls no add-in with an error value as argument: the cell is "
    "#VALUE!; in LibreOffice VNG_FOUT takes a reference to the cell (tested below)",
}


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    "formula",
    [
        pytest.param(f, marks=pytest.mark.xfail(strict=True, reason=EXPECTED_DIFFERENCES[f]))
        if f in EXPECTED_DIFFERENCES
        else f
        for f in EXAMPLES
    ],
)
def test_libreoffice_gives_what_our_engine_gives(computed, formula: str) -> None:
    ours = evaluate(formula, dutch=True).block
    theirs = [[cell.get("value", cell.get("text")) for cell in row] for row in computed[formula]]
    assert np.shape(theirs) == np.shape(ours)
    for mine, lo in zip(np.ravel(np.array(ours, dtype=object)), np.ravel(np.array(theirs, dtype=object))):
        if isinstance(mine, str):
            assert lo == mine
        else:
            assert lo == pytest.approx(mine, rel=1e-9, abs=1e-12)


@pytest.mark.libreoffice
def test_bad_input_is_the_error_value_in_libreoffice(computed) -> None:
    assert computed["bad"] == [[{"error": 519, "text": "#VALUE!"}]]  # 519: Calc's #VALUE! (#WAARDE!)
    assert computed["missing"] == [[{"error": 519, "text": "#VALUE!"}]]


#: A bad line among good ones, its totals, and VNG_FOUT on each: formula k sits in cell A(2k+1).
LINES = {
    "good": '=VNG_RAMING(39059724;"A";2027)',  # A1
    "bad": '=VNG_RAMING(100;"C";2027)',  # A3
    "sum": "=SUM(A1;A3)",  # A5
    "average": "=AVERAGE(A1:A3)",  # A7
    "fout bad": "=VNG_FOUT(A3)",
    "fout sum": "=VNG_FOUT(A5)",
    "fout average": "=VNG_FOUT(A7)",
    "fout good": "=VNG_FOUT(A1)",
    "fout block": "=VNG_FOUT(A1:A7)",
    "division": "=1/0",  # A19
    "fout division": "=VNG_FOUT(A19)",
    "bad by reference": "=VNG_RAMING(A1;A25;2027)",  # A23
    "type": '="X"',  # A25
    "fout by reference": "=VNG_FOUT(A23)",
}
RAMING_C = 'VNG_RAMING: indextype: onbekend indextype "C"; kies A (loon) of B (prijs)'  # the registry's example


@pytest.mark.libreoffice
def test_a_bad_line_makes_every_total_over_it_an_error_and_vng_fout_gives_the_message(profile: Path) -> None:
    cells = dict(zip(LINES, (block[0][0] for block in session.evaluate(list(LINES.values()), profile))))
    assert round(cells["good"]["value"]) == KERNORGANISATIE["Salarissen"][3]
    for name in ("bad", "sum", "average", "bad by reference"):
        assert cells[name] == {"error": 519, "text": "#VALUE!"}, name  # never a partial total
    for name in ("fout bad", "fout sum", "fout average", "fout block"):
        assert cells[name] == {"text": RAMING_C}, name
    assert cells["fout good"] == {"text": ""}
    assert cells["fout division"]["text"].startswith("#DEEL/0!: geen melding van een VNG-functie in deze cel")
    assert cells["fout by reference"] == {
        "text": 'VNG_RAMING: indextype: onbekend indextype "X"; kies A (loon) of B (prijs)'
    }


@pytest.mark.libreoffice
def test_a_missing_vng_xl_gives_a_dutch_message_and_uninstall_removes_it(tmp_path: Path) -> None:
    nowhere = str(tmp_path / "nowhere")
    session.install(tmp_path / "profile", env={"python": "0.0", "source": [nowhere], "site_packages": [nowhere]})
    (((cell,),), ((why,),)) = session.evaluate([SALARISSEN_2027, "=VNG_FOUT(A1)"], tmp_path / "profile")
    assert cell == {"error": 519, "text": "#VALUE!"}
    assert why["text"].startswith("numpy ontbreekt voor Python 3.") or why["text"].startswith("vng_xl niet gevonden")
    assert main(["libreoffice", "uninstall", "--profile", str(tmp_path / "profile")]) == 0
    ((cell,),) = session.evaluate([SALARISSEN_2027], tmp_path / "profile")[0]
    assert cell.get("error") and cell["text"] == "#NAME?"  # the function is gone


# --- .xlsx files: LibreOffice 7.4 reads the add-in's programmatic name, not the Excel name ---------


def test_a_copy_for_libreoffice_names_every_vng_call_as_the_add_in_and_leaves_strings_alone() -> None:
    xml = '<f>VNG_RAMING(B5,&quot;VNG_INDEX(&quot;)+vng_index("A",2027)+MYVNG_INDEX(1)+ROUND(1,0)</f>'
    assert names.rename_part(xml) == (
        '<f>vng.xl.VngFunctions.VNG_RAMING(B5,&quot;VNG_INDEX(&quot;)+vng.xl.VngFunctions.VNG_INDEX("A",2027)'
        "+MYVNG_INDEX(1)+ROUND(1,0)</f>"
    )
    assert names.rename_part("<c><v>VNG_RAMING(1)</v></c>") == "<c><v>VNG_RAMING(1)</v></c>"  # only formulas


@pytest.mark.libreoffice
def test_libreoffice_computes_an_xlsx_through_the_renamed_copy(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = '=VNG_RAMING(39059724,"A",2027)'
    book.active["A2"] = '=ROUND(VNG_RAMING(39059724,"A",2027),0)&" VNG_RAMING("'
    book.save(tmp_path / "book.xlsx")
    assert names.copy_for_libreoffice(tmp_path / "book.xlsx", tmp_path / "book-lo.xlsx") == 1
    session.install(tmp_path / "profile")
    (cells,) = session.compute([tmp_path / "book-lo.xlsx"], tmp_path / "profile")
    assert round(cells["Sheet!A1"]["value"]) == KERNORGANISATIE["Salarissen"][3]
    assert cells["Sheet!A2"]["text"] == f"{KERNORGANISATIE['Salarissen'][3]} VNG_RAMING("


def test_a_workbook_libreoffice_saved_gets_excels_names_back_and_strings_stay() -> None:
    saved = (
        "<f>ROUND(VNG.XL.VNGFUNCTIONS.VNG_RAMING(39059724,&quot;A&quot;,2027),0)&amp;&quot; "
        "vng.xl.VngFunctions.VNG_RAMING(&quot;+Vng.Xl.VngFunctions.vng_fout(A3)+X.VNG.XL.VNGFUNCTIONS.VNG_INDEX(1)</f>"
    )
    assert names.rename_part(saved, names.restore_formula) == (
        "<f>ROUND(VNG_RAMING(39059724,&quot;A&quot;,2027),0)&amp;&quot; "
        "vng.xl.VngFunctions.VNG_RAMING(&quot;+VNG_FOUT(A3)+X.VNG.XL.VNGFUNCTIONS.VNG_INDEX(1)</f>"
    )


def formulas(path: Path) -> dict[str, list[str]]:
    """Each sheet part's <f> elements, as written."""
    with zipfile.ZipFile(path) as z:
        return {
            n: re.findall(r"<f\b[^>]*>.*?</f>|<f\b[^>]*/>", z.read(n).decode())
            for n in z.namelist()
            if n.startswith("xl/worksheets/sheet")
        }


def test_renaming_for_libreoffice_and_back_gives_the_built_workbooks_formulas_exactly(tmp_path: Path) -> None:
    names.copy_for_libreoffice(built_workbook(), tmp_path / "lo.xlsm")
    renamed = formulas(tmp_path / "lo.xlsm")
    assert sum(f.count("vng.xl.VngFunctions.VNG_") for fs in renamed.values() for f in fs) > 100
    back = {n: [names.restore_formula(f.upper()) for f in fs] for n, fs in renamed.items()}  # LibreOffice: upper
    assert back == {n: [f.upper() for f in fs] for n, fs in formulas(built_workbook()).items()}


@pytest.mark.libreoffice
def test_a_workbook_libreoffice_recalculates_and_saves_has_the_vng_names_as_excel_writes_them(
    tmp_path: Path, profile: Path
) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Blad"
    book.active["A1"] = 39059724
    book.active["B1"] = '=VNG_RAMING(A1,"A",2027)'
    book.active["B2"] = '=VNG_FOUT(B3)&" VNG_RAMING("'
    book.active["B3"] = "=VNG_RAMING(A1,'Invoer blad'!B1,2027)"  # VNG_FOUT follows it to the other sheet
    book.active["B4"] = "=SUM(B1,B3)"
    book.create_sheet("Invoer blad")["B1"] = "C"
    book.save(tmp_path / "book.xlsx")
    write_cells(tmp_path / "book.xlsx", tmp_path / "book.xlsx", {"Blad": {"A1": 40_000_000}})  # the edit
    names.copy_for_libreoffice(tmp_path / "book.xlsx", tmp_path / "lo.xlsx")
    (cells,) = session.compute([tmp_path / "lo.xlsx"], profile, save_as=[tmp_path / "saved.xlsx"])
    assert round(cells["Blad!B1"]["value"]) == round(40_000_000 * 1.020 * 1.039)  # DOMAIN.md: A 2026, 2027
    texts = [etree.fromstring(f).text for f in formulas(tmp_path / "saved.xlsx")["xl/worksheets/sheet1.xml"]]
    assert texts == [
        'VNG_RAMING(A1,"A",2027)',
        'VNG_FOUT(B3)&" VNG_RAMING("',
        "VNG_RAMING(A1,'Invoer blad'!B1,2027)",
        "SUM(B1,B3)",
    ]  # as Excel writes a workbook's own functions: no prefix (no _xlfn., which is for Excel's newer built-ins)
    saved = openpyxl.load_workbook(tmp_path / "saved.xlsx", data_only=True)["Blad"]
    assert saved["B3"].value == "#VALUE!" and saved["B4"].value == "#VALUE!"
    assert saved["B2"].value == f"{RAMING_C} VNG_RAMING("


@pytest.mark.libreoffice
def test_libreoffice_7_reads_only_the_renamed_copy_and_25_the_excel_names_too(tmp_path: Path, profile: Path) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = '=VNG_RAMING(39059724,"A",2027)'
    book.save(tmp_path / "book.xlsx")
    names.copy_for_libreoffice(tmp_path / "book.xlsx", tmp_path / "lo.xlsx")
    answer = session.run({"compute": [str(tmp_path / "book.xlsx"), str(tmp_path / "lo.xlsx")]}, profile)
    original, renamed = (cells["Sheet!A1"] for cells in answer["computed"])
    assert round(renamed["value"]) == KERNORGANISATIE["Salarissen"][3]
    if int(answer["version"].split(".")[0]) < 24:
        assert original == {"error": 525, "text": "#NAME?"}
    else:  # the Excel name through CompatibilityName: the same value, the renaming is not needed but harmless
        assert original == renamed


def vng_formula_cells(path: Path) -> set[str]:
    """Addresses ("Sheet!B5") of the cells whose formula calls a VNG function."""
    book = openpyxl.load_workbook(path)
    return {
        f"{ws.title}!{cell.coordinate}"
        for ws in book
        for row in ws.iter_rows()
        for cell in row
        if str(getattr(cell.value, "text", cell.value)).startswith("=") and "VNG_" in str(cell.value).upper()
    }


def cached_values(path: Path) -> dict[str, object]:
    return {f"{s}!{ref}": v for s, cells in formula_cells(path).items() for ref, v in cells.items()}


def same(ours: object, theirs: object) -> bool:
    if ours in (None, "") and theirs in (None, ""):  # an empty result: no cached value, or an empty text
        return True
    if isinstance(ours, float) and isinstance(theirs, float):
        return theirs == pytest.approx(ours, rel=1e-9, abs=1e-12)
    return theirs == ours


@pytest.mark.libreoffice
def test_libreoffice_recalculates_every_vng_formula_of_the_built_workbook_as_our_engine(tmp_path: Path) -> None:
    """The official workbook: each cell with a VNG formula, computed by LibreOffice, equals the value we stored."""
    source = built_workbook()
    stored = cached_values(source)
    vng_cells = vng_formula_cells(source)
    assert len(vng_cells) > 100
    copy = tmp_path / "lo.xlsm"
    names.copy_for_libreoffice(source, copy)
    session.install(tmp_path / "profile")
    (computed,) = session.compute([copy], tmp_path / "profile")
    differ = {}
    for address in vng_cells:
        cell = computed[address]
        theirs = cell.get("value", cell.get("text"))
        if not same(stored[address], theirs):
            differ[address] = (stored[address], cell)
    assert differ == {}


@pytest.mark.libreoffice
def test_recalc_with_libreoffice_follows_a_changed_input_as_our_engine_and_keeps_the_rest(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsm"
    shutil.copyfile(built_workbook(), book)
    write_cells(book, book, {"Kernorganisatie": {"C5": 40_000_000}})  # Salarissen 2025 (was 39.059.724)
    assert main(["recalc", str(book), "--engine", "libreoffice", "--out", str(tmp_path / "lo")]) == 0
    assert main(["recalc", str(book), "--out", str(tmp_path / "ours")]) == 0
    before, lo, ours = (cached_values(p) for p in (book, tmp_path / "lo" / book.name, tmp_path / "ours" / book.name))
    vng_cells = vng_formula_cells(book)
    assert sum(not same(before[a], lo[a]) for a in vng_cells) > 10  # the change went through
    assert {a: (ours[a], lo[a]) for a in vng_cells if not same(ours[a], lo[a])} == {}
    with zipfile.ZipFile(book) as a, zipfile.ZipFile(tmp_path / "lo" / book.name) as b:
        assert a.namelist() == b.namelist()
        kept = [n for n in a.namelist() if not n.startswith("xl/worksheets/sheet")]
        assert "xl/vbaProject.bin" in kept
        assert all(a.read(n) == b.read(n) for n in kept)  # VBA, buttons, charts byte-identical
    assert formulas(tmp_path / "lo" / book.name) == formulas(book)  # every formula as Excel wrote it


def test_vng_xl_soffice_chooses_the_libreoffice_to_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "soffice"
    other.write_text("#!/bin/sh\n")
    other.chmod(0o755)
    monkeypatch.setenv("VNG_XL_SOFFICE", str(other))
    assert runner.soffice() == str(other)
    monkeypatch.setenv("VNG_XL_SOFFICE", str(tmp_path / "nothing"))
    assert runner.soffice() is None
    assert main(["libreoffice", "install", "--profile", str(tmp_path / "p")]) == 2
    assert not (tmp_path / "p").exists()


def test_vng_fout_in_calc_computes_the_message_of_the_first_call_it_can_compute_again() -> None:
    assert fout.recomputed_message('=VNG.XL.VNGFUNCTIONS.VNG_RAMING(100;"C";2027)', None, None) == RAMING_C
    assert fout.recomputed_message('=ROUND(VNG_RAMING(100;"C";2027);0)+VNG_INDEX("A";2027)', None, None) == RAMING_C
    inner = fout.recomputed_message('=VNG_RAMING(100;VNG_INDEX("a;b)";2027);2027)', None, None)
    assert inner == 'VNG_INDEX: indextype: onbekend indextype "a;b)"; kies A (loon) of B (prijs)'
    assert fout.recomputed_message('=VNG_RAMING(100*2;"C";2027)', None, None) is None  # a calculation: unknown
    assert fout.recomputed_message('=VNG_RAMING(100;"A";2027)', None, None) is None  # no refusal
    assert fout.recomputed_message("=VNG_CONTRIBUTIE(1800)", None, None).startswith("VNG_CONTRIBUTIE: ")
    assert fout.recomputed_message('="VNG_CONTRIBUTIE(1800)"', None, None) is None  # a text, not a call
