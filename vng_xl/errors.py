"""One exception class per failure, each with a Dutch message for the cell and an English one for the CLI."""

from __future__ import annotations


class VngError(Exception):
    """Base class: bad input to the model or to a VNG function."""

    nl_template = "ongeldige invoer"
    en_template = "invalid input"

    def __init__(self, **details: object) -> None:
        self.details = details
        self.nl = self.nl_template.format(**details)
        self.en = self.en_template.format(**details)
        super().__init__(self.en)


class UnknownIndexType(VngError):
    """An index type other than A (loon) or B (prijs)."""

    nl_template = '{argument}: onbekend indextype "{value}"; kies A (loon) of B (prijs)'
    en_template = '{argument}: unknown index type "{value}"; use A (wage) or B (price)'


class YearOutsideIndexen(VngError):
    """A year the index series does not cover."""

    nl_template = "{argument}: jaar {value} valt buiten de indexen ({first}-{last})"
    en_template = "{argument}: year {value} is outside the index series ({first}-{last})"


class YearOrder(VngError):
    """A target year before the base year."""

    nl_template = "{argument}: jaar {value} ligt vóór {base_name} {base}"
    en_template = "{argument}: year {value} lies before {base_name} {base}"


class NotANumber(VngError):
    """Text, an empty cell or an error value where a number belongs."""

    nl_template = "{argument}: {value_nl} is geen getal{row_nl}"
    en_template = "{argument}: {value_en} is not a number{row_en}"


class NotAYear(VngError):
    """A year that is not a whole number in a sensible range."""

    nl_template = "{argument}: {value} is geen geldig jaartal"
    en_template = "{argument}: {value} is not a valid year"


class LengthMismatch(VngError):
    """Columns of cells that should pair up row by row but differ in length."""

    nl_template = "{argument}: {n} rijen, maar {other} heeft er {m}; geef even lange kolommen"
    en_template = "{argument}: {n} rows, but {other} has {m}; give columns of equal length"


class BadIndexen(VngError):
    """An index block that is not three rows: years, index A, index B."""

    nl_template = "indexen: {reason_nl}; verwacht 3 rijen (jaren, index A, index B)"
    en_template = "indexen: {reason_en}; expected 3 rows (years, index A, index B)"


class UnknownPost(VngError):
    """A Fonds GGU post that does not exist."""

    nl_template = 'post: onbekende post "{value}"; kies {allowed}'
    en_template = 'post: unknown item "{value}"; use one of: {allowed}'


class BadParameter(VngError):
    """A parameter outside its allowed range."""

    nl_template = "{argument}: {reason_nl}"
    en_template = "{argument}: {reason_en}"


class BadFile(VngError):
    """A file given on the command line or to a workbook that cannot be used; the message names it."""

    nl_template = "{file}: {reason_nl}"
    en_template = "{file}: {reason_en}"


class BadNumber(VngError):
    """A typed number that cannot be read (vng_xl.notation); the message names where and the value as typed."""

    nl_template = '{where_nl}: "{value}" is geen getal'
    en_template = '{where_en}: "{value}" is not a number'


class EmptyNumber(BadNumber):
    """Nothing typed where a number belongs."""

    nl_template = "{where_nl}: leeg; geef een getal"
    en_template = "{where_en}: empty; give a number"


class MisplacedSeparator(BadNumber):
    """Group or decimal signs that no notation allows where they stand (1..000, 1,2,3, 1.000.0)."""

    nl_template = '{where_nl}: "{value}" is geen getal: {hint_nl}'
    en_template = '{where_en}: "{value}" is not a number: {hint_en}'


class AmbiguousNumber(BadNumber):
    """A number that reads differently in Dutch and English notation (1.5 typed where Dutch is read)."""

    nl_template = '{where_nl}: "{value}" is dubbelzinnig: {hint_nl}'
    en_template = '{where_en}: "{value}" is ambiguous: {hint_en}'


class CurrencySign(BadNumber):
    """A € sign in a typed number: the unit (euro, € 1.000) is the field's, not the text's."""

    nl_template = '{where_nl}: "{value}": schrijf het getal zonder €-teken'
    en_template = '{where_en}: "{value}": write the number without the € sign'


class ExponentNotation(BadNumber):
    """A number in exponent notation (1,5E3), which typed figures do not use."""

    nl_template = '{where_nl}: "{value}": geen E-notatie; schrijf het getal uit'
    en_template = '{where_en}: "{value}": no exponent notation; write the number out'


class PercentNotAllowed(BadNumber):
    """A percentage where an amount or a count belongs."""

    nl_template = '{where_nl}: "{value}" is een percentage; hier hoort een getal zonder %'
    en_template = '{where_en}: "{value}" is a percentage; a number without % belongs here'


class LooksLikePercentage(BadNumber):
    """A rate of 1 or more without a % sign: 3 could mean 3% or 300%."""

    nl_template = '{where_nl}: "{value}" lijkt een percentage; schrijf {value}% of als fractie {fraction}'
    en_template = '{where_en}: "{value}" looks like a percentage; write {value}% or the fraction {fraction}'


class NotAWholeCount(BadNumber):
    """A count (inhabitants) with a fraction: 931,298 in Dutch notation is 931 point 298."""

    nl_template = '{where_nl}: "{value}" is geen geheel aantal'
    en_template = '{where_en}: "{value}" is not a whole number'


class NotPositive(BadNumber):
    """A count that is zero or negative."""

    nl_template = '{where_nl}: "{value}" moet groter dan 0 zijn'
    en_template = '{where_en}: "{value}" must be above 0'


class BadYear(BadNumber):
    """A typed year that is not four plain digits between 1900 and 2200."""

    nl_template = '{where_nl}: "{value}" is geen jaartal'
    en_template = '{where_en}: "{value}" is not a year'


class WriteRefused(VngError):
    """A file that was not written (a lock, a concurrent change, an OS error); the message names the path.

    Each subclass says why; in every case the file on disk is still what it was before.
    """

    nl_template = "{file}: niet geschreven: {reason_nl}"
    en_template = "{file}: not written: {reason_en}"


class OpenInExcel(WriteRefused):
    """Excel's owner file (~$name) lies beside the workbook: Excel has it open and would overwrite the change."""


class WriteLocked(WriteRefused):
    """Another vng-xl process is writing the same file and did not finish in time."""


class ChangedMeanwhile(WriteRefused):
    """The file changed on disk between reading it and writing it: writing would lose the other change."""


class TargetExists(WriteRefused):
    """An output file that already exists, where replacing it needs --force."""


class WriteFailed(WriteRefused):
    """The operating system refused the write: disk full, read-only, no such folder, a broken link."""
