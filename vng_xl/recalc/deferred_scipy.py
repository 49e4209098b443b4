"""scipy for `formulas`' statistics functions, loaded when one of them first runs.

`formulas` builds its function table by importing every function module, and its statistics
module imports scipy.stats, scipy.linalg and scipy.interpolate at the top: about two seconds
before the first formula, for functions (NORM.DIST, KURT, PERCENTILE ...) that most workbooks never
call. While the table is built, those names are stand-ins that import the real scipy on first use.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import types
from collections.abc import Iterator


class OnFirstUse:
    """A module (or one of its attributes) imported when first used, then used as it is."""

    def __init__(self, module: str, attribute: str | None = None) -> None:
        self._module, self._attribute = module, attribute

    def _real(self) -> object:
        module = importlib.import_module(self._module)
        return module if self._attribute is None else getattr(module, self._attribute)

    def __getattr__(self, name: str) -> object:
        return getattr(self._real(), name)

    def __call__(self, *args: object, **kwargs: object) -> object:
        return self._real()(*args, **kwargs)


@contextlib.contextmanager
def scipy_on_first_use() -> Iterator[None]:
    """While formulas' function modules are imported, `scipy` and `scipy.interpolate` are stand-in
    modules (removed again afterwards); where scipy is loaded already, nothing changes."""
    if "scipy" in sys.modules:
        yield
        return
    scipy = types.ModuleType("scipy")
    scipy.stats, scipy.linalg = OnFirstUse("scipy.stats"), OnFirstUse("scipy.linalg")
    interpolate = types.ModuleType("scipy.interpolate")
    interpolate.interp1d = OnFirstUse("scipy.interpolate", "interp1d")
    stand_ins = {"scipy": scipy, "scipy.interpolate": interpolate}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
