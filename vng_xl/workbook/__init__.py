"""Building, reading and writing the official budget workbook."""
