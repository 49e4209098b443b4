"""Packaging step the configuration in setup.cfg cannot express: the workbook's sources go into the wheel.

workbooks/*.toml and macros/*.bas stay at the top of the repository, where they are edited; a
built package carries a copy under vng_xl/bronnen/, so `vng-xl build` works after `pip install .`
from any folder. An editable install reads the repository's own folders instead.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: Source folder -> the files of it a package carries.
SOURCES = {"workbooks": "*.toml", "macros": "*.bas"}


class BuildWithSources(build_py):
    """build_py that also copies workbooks/ and macros/ into the package as vng_xl/bronnen/."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder, pattern in SOURCES.items():
            target = Path(self.build_lib) / "vng_xl" / "bronnen" / folder
            self.mkpath(str(target))
            for source in sorted(Path(folder).glob(pattern)):
                self.copy_file(str(source), str(target / source.name))


setup(cmdclass={"build_py": BuildWithSources})
