"""`python -m vng_xl` runs the `vng-xl` command."""

from vng_xl.cli import run

run()
