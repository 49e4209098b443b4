"""The only zip/XML reader and writer of workbook packages: lossless edits, atomic writes."""
