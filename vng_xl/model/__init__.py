"""The Kadernota rules as pure, vectorised numpy: no Excel, no files, no I/O."""

from vng_xl.model.ggu import GguParameters, GguRaming, dekking, ggu_raming, herprioritering, in_euro, per_inwoner
from vng_xl.model.indexen import Indexen, alleen_lezen, doorgerekend, index_types
from vng_xl.model.kernorganisatie import (
    contributie,
    contributie_zonder_ingroei,
    excel_round,
    gewogen_index,
    ontwikkeling,
    raming,
)

__all__ = [
    "GguParameters",
    "GguRaming",
    "Indexen",
    "alleen_lezen",
    "contributie",
    "contributie_zonder_ingroei",
    "dekking",
    "doorgerekend",
    "excel_round",
    "gewogen_index",
    "ggu_raming",
    "herprioritering",
    "in_euro",
    "index_types",
    "ontwikkeling",
    "per_inwoner",
    "raming",
]
