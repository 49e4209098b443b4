"""`python -m vng_xl` runs the `vng-xl` command."""

import sys

from vng_xl.cli import main

sys.exit(main())
