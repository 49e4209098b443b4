"""Runs in LibreOffice's own Python (it needs `uno`): one headless soffice serves one job.

Reads a JSON job on stdin, writes a JSON answer on stdout. A job may add or remove the
extension and compute formulas or whole documents. This script imports nothing of vng_xl: the
venv side (vng_xl.libreoffice.session) starts it with LibreOffice's Python.
"""

import json
import os
import subprocess
import sys
import time

import uno
import unohelper
from com.sun.star.beans import PropertyValue
from com.sun.star.task import XInteractionHandler
from com.sun.star.ucb import XCommandEnvironment, XProgressHandler

FORMULA = 16  # com.sun.star.sheet.CellFlags.FORMULA


class Approving(unohelper.Base, XCommandEnvironment, XInteractionHandler, XProgressHandler):
    """Answers the extension manager's questions (install for this user?) with yes, as unopkg does."""

    def getInteractionHandler(self):
        return self

    def getProgressHandler(self):
        return self

    def handle(self, request):
        approve = uno.getTypeByName("com.sun.star.task.XInteractionApprove")
        for choice in request.getContinuations():
            if choice.queryInterface(approve):
                choice.select()
                return

    def push(self, status):
        pass

    def update(self, status):
        pass

    def pop(self):
        pass


def start(soffice, profile, timeout=60.0):
    """A headless soffice listening on a private pipe; returns (process, component context)."""
    pipe = f"vng-xl-{os.getpid()}"
    cmd = [soffice, "--headless", "--invisible", "--norestore", "--nologo", f"--accept=pipe,name={pipe};urp;"]
    if profile:
        cmd.insert(1, f"-env:UserInstallation={profile}")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + timeout
    while True:
        try:
            return proc, resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("LibreOffice did not start") from None
            time.sleep(0.2)


def stop(proc, ctx):
    try:
        ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx).terminate()
    except Exception:
        pass
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


def _extensions(ctx):
    return ctx.getValueByName("/singletons/com.sun.star.deployment.ExtensionManager")


def install(ctx, path):
    _extensions(ctx).addExtension(uno.systemPathToFileUrl(path), (), "user", None, Approving())


def remove(ctx, identifier, filename):
    _extensions(ctx).removeExtension(identifier, filename, "user", None, Approving())


def installed(ctx):
    """Identifier and file name of each extension in the user's profile."""
    found = []
    for ext in _extensions(ctx).getDeployedExtensions("user", None, Approving()):
        found.append([ext.getIdentifier().Value, ext.getName()])
    return found


def _hidden():
    prop = PropertyValue()
    prop.Name, prop.Value = "Hidden", True
    return (prop,)


def _cell(cell):
    """A computed cell: its number, or its text when it shows one, or its error code."""
    if cell.getError():
        return {"error": cell.getError(), "text": cell.getString()}
    if cell.getType().value == "TEXT" or (cell.getType().value == "FORMULA" and cell.FormulaResultType2 == 2):
        return {"text": cell.getString()}
    return {"value": cell.getValue()}


def evaluate(ctx, formulas):
    """Each formula (API notation: English names, `;`) in a cell of a new sheet; their results, in order.

    A formula given as [formula, rows, columns] is entered as an array formula over that block.
    """
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, _hidden())
    try:
        sheet = doc.Sheets.getByIndex(0)
        placed, row = [], 0
        for item in formulas:
            formula, rows, cols = (item, 1, 1) if isinstance(item, str) else item
            block = sheet.getCellRangeByPosition(0, row, cols - 1, row + rows - 1)
            if isinstance(item, str):
                block.getCellByPosition(0, 0).setFormula(formula)
            else:
                block.setArrayFormula(formula)
            placed.append((block, rows, cols))
            row += rows + 1
        doc.calculateAll()
        return [
            [[_cell(block.getCellByPosition(c, r)) for c in range(cols)] for r in range(rows)]
            for block, rows, cols in placed
        ]
    finally:
        doc.close(True)


#: The filters LibreOffice saves Excel workbooks with, by extension (as Excel itself writes them).
EXCEL_FILTERS = {".xlsx": "Calc MS Excel 2007 XML", ".xlsm": "Calc MS Excel 2007 VBA XML"}


def save(doc, path):
    """Store the document as an Excel workbook at `path` (its extension says which)."""
    prop = PropertyValue()
    prop.Name, prop.Value = "FilterName", EXCEL_FILTERS[os.path.splitext(path)[1].lower()]
    doc.storeToURL(uno.systemPathToFileUrl(path), (prop,))


def compute(ctx, path, save_as=None):
    """Open a workbook, recalculate everything, and return each formula cell: {"Sheet!A1": cell}.

    With `save_as`, the recalculated document is also saved there (an .xlsx or .xlsm).
    """
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, _hidden())
    try:
        doc.calculateAll()
        if save_as:
            save(doc, save_as)
        cells = {}
        for sheet in doc.Sheets:
            ranges = sheet.queryContentCells(FORMULA)
            for address in ranges.getRangeAddresses():
                for row in range(address.StartRow, address.EndRow + 1):
                    for col in range(address.StartColumn, address.EndColumn + 1):
                        cell = sheet.getCellByPosition(col, row)
                        cells[f"{sheet.Name}!{cell.AbsoluteName.split('.')[-1].replace('$', '')}"] = _cell(cell)
        return cells
    finally:
        doc.close(True)


def version(ctx):
    """LibreOffice's version, as its About box gives it (7.4.7.2, 25.2.3.2)."""
    provider = ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
    node = PropertyValue()
    node.Name, node.Value = "nodepath", "/org.openoffice.Setup/Product"
    access = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationAccess", (node,))
    return access.getByName("ooSetupVersionAboutBox")


def main():
    job = json.load(sys.stdin)
    proc, ctx = start(job["soffice"], job.get("profile"))
    answer = {"version": version(ctx)}
    try:
        if job.get("remove"):
            answer["removed"] = [name for name in installed(ctx) if name[0] == job["remove"]]
            for identifier, filename in answer["removed"]:
                remove(ctx, identifier, filename)
        if job.get("install"):
            install(ctx, job["install"])
        answer["installed"] = installed(ctx)
        if job.get("evaluate"):
            answer["evaluated"] = evaluate(ctx, job["evaluate"])
        if job.get("compute"):
            targets = job.get("save_as") or [None] * len(job["compute"])
            answer["computed"] = [compute(ctx, path, target) for path, target in zip(job["compute"], targets)]
    finally:
        stop(proc, ctx)
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
