"""Runs in LibreOffice's own Python: one headless soffice kept open for many requests, one JSON line each.

The venv side (vng_xl.libreoffice.live) writes a request per line on stdin and reads one answer
line per request: {"ok": result} or {"error": text}. Documents stay open between requests, so a
caller can open a workbook, change an input, let Calc recalculate and read cells and charts, as a
user working in LibreOffice would. Starting, installing and reading cells are driver.py's.
"""

import json
import sys
import time

import driver
import uno

ERROR_RESULT = 4  # com.sun.star.sheet.FormulaResult.ERROR
_documents = {}


def _desktop(ctx):
    return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)


def _split(address):
    """'Fonds GGU!E4:H4' -> ('Fonds GGU', 'E4:H4')."""
    sheet, _, ref = address.rpartition("!")
    return sheet.strip("'"), ref


def _address(sheet, cell):
    return f"{sheet.Name}!{cell.AbsoluteName.split('.')[-1].replace('$', '')}"


def op_install(ctx, path, identifier):
    for found, filename in driver.installed(ctx):
        if found == identifier:
            driver.remove(ctx, found, filename)
    driver.install(ctx, path)
    return driver.installed(ctx)


def op_open(ctx, path):
    doc = _desktop(ctx).loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, driver._hidden())
    _documents[len(_documents) + 1] = doc
    return len(_documents)


def op_new(ctx):
    doc = _desktop(ctx).loadComponentFromURL("private:factory/scalc", "_blank", 0, driver._hidden())
    _documents[len(_documents) + 1] = doc
    return len(_documents)


def op_set(ctx, doc, cells):
    """Type values or formulas (API notation, starting with '=') into cells, as a user would."""
    for address, value in cells.items():
        sheet, ref = _split(address)
        cell = _documents[doc].Sheets.getByName(sheet).getCellRangeByName(ref)
        if isinstance(value, str) and value.startswith("="):
            cell.setFormula(value)
        elif isinstance(value, str):
            cell.setString(value)
        else:
            cell.setValue(value)


def op_fill(ctx, doc, address, formulas):
    """Many formulas at once (rows of API-notation formulas) into a block; an array formula when a string."""
    sheet, ref = _split(address)
    block = _documents[doc].Sheets.getByName(sheet).getCellRangeByName(ref)
    if isinstance(formulas, str):
        block.setArrayFormula(formulas)
    else:
        block.setFormulaArray(tuple(tuple(row) for row in formulas))


def op_calculate(ctx, doc, full):
    """Recalculate (every formula when `full`, else only what changed); the seconds it took."""
    start = time.perf_counter()
    if full:
        _documents[doc].calculateAll()
    else:
        _documents[doc].calculate()
    return time.perf_counter() - start


def _column(index):
    """0 -> A, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def op_cells(ctx, doc):
    """Each formula cell's current result: {"Sheet!A1": cell}; reading a changed cell recalculates it.

    Values come a block at a time (one UNO call per block, not several per cell); only cells with an
    error are read one by one, as driver.compute reads every cell.
    """
    cells = {}
    for sheet in _documents[doc].Sheets:
        formulas = sheet.queryContentCells(driver.FORMULA)
        for address in formulas.getRangeAddresses():
            block = sheet.getCellRangeByPosition(
                address.StartColumn, address.StartRow, address.EndColumn, address.EndRow
            )
            for r, row in enumerate(block.getDataArray()):
                for c, value in enumerate(row):
                    ref = f"{sheet.Name}!{_column(address.StartColumn + c)}{address.StartRow + r + 1}"
                    cells[ref] = {"text": value} if isinstance(value, str) else {"value": value}
        for address in formulas.queryFormulaCells(ERROR_RESULT).getRangeAddresses():
            for row in range(address.StartRow, address.EndRow + 1):
                for col in range(address.StartColumn, address.EndColumn + 1):
                    cell = sheet.getCellByPosition(col, row)
                    cells[_address(sheet, cell)] = driver._cell(cell)
    return cells


def op_values(ctx, doc, addresses):
    """The current result of each named cell (formula or not)."""
    out = {}
    for address in addresses:
        sheet, ref = _split(address)
        out[address] = driver._cell(_documents[doc].Sheets.getByName(sheet).getCellRangeByName(ref))
    return out


def op_charts(ctx, doc):
    """Every chart's data sequences as the chart itself holds them: role, source range and values."""
    charts = []
    for sheet in _documents[doc].Sheets:
        table_charts = sheet.getCharts()
        for name in table_charts.getElementNames():
            model = table_charts.getByName(name).getEmbeddedObject()
            series_out = []
            for system in model.getFirstDiagram().getCoordinateSystems():
                for chart_type in system.getChartTypes():
                    for series in chart_type.getDataSeries():
                        for labeled in series.getDataSequences():
                            seq = labeled.getValues()
                            series_out.append(
                                {
                                    "role": seq.Role,
                                    "range": seq.getSourceRangeRepresentation(),
                                    "values": [v if isinstance(v, (int, float)) else None for v in seq.getData()],
                                }
                            )
            charts.append({"sheet": sheet.Name, "name": name, "series": series_out})
    return charts


def op_close(ctx, doc):
    _documents.pop(doc).close(True)


OPS = {name[3:]: fn for name, fn in globals().items() if name.startswith("op_")}


def main():
    config = json.loads(sys.stdin.readline())
    proc, ctx = driver.start(config["soffice"], config.get("profile"))
    try:
        print(json.dumps({"ok": "started"}), flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            op = request.pop("op")
            if op == "quit":
                break
            try:
                answer = {"ok": OPS[op](ctx, **request)}
            except Exception as exc:  # noqa: BLE001 - the caller gets the failure as an answer
                answer = {"error": f"{op}: {type(exc).__name__}: {exc}"}
            print(json.dumps(answer), flush=True)
    finally:
        for doc in list(_documents):
            try:
                op_close(ctx, doc)
            except Exception:  # noqa: BLE001 - closing on the way out
                pass
        driver.stop(proc, ctx)


if __name__ == "__main__":
    main()
