"""vng_xl: the VNG Kadernota 2026 budget model as Excel functions, workbook and batch tools."""

__version__ = "0.1.0"
