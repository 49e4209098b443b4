"""LibreOffice: the headless runner (conversion, PDF)."""
