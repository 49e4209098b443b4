"""The Kadernota rules as pure, vectorised numpy: no Excel, no files, no I/O."""

from vng_xl.model.ggu import GguParameters, GguRaming, ggu_raming
from vng_xl.model.indexen import Indexen, index_types
from vng_xl.model.kernorganisatie import (
    contributie,
    excel_round,
    gewogen_index,
    raming,
)

__all__ = [
    "GguParameters",
    "GguRaming",
    "Indexen",
    "contributie",
    "excel_round",
    "gewogen_index",
    "ggu_raming",
    "index_types",
    "raming",
]
