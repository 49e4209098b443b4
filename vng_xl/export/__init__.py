"""Values-only copies and PDFs of a workbook, for people without Python and for publication."""
