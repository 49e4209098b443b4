"""Readers of the user's own input files: index sets (CSV/TOML) and CBS municipality lists."""
