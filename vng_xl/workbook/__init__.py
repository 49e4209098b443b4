"""Building the official workbook and reading/writing workbooks headlessly."""
