"""How figures are written on the page: one place, so tables, prose and charts always agree."""

from __future__ import annotations

from .records import EntryPath, Fact, PayBand

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
DASH = "\u2013"
# what pages (as `not_given`) and structured data say where the source gives none
NOT_GIVEN = "No figure in the source"


def _trim(value: float) -> str:
    """A number without a trailing .0, with at most two decimals."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def money(amount: int, currency: str) -> str:
    """An amount in compact form: 180000 USD -> $180K, 1250000 -> $1.25M."""
    symbol = _SYMBOLS.get(currency, currency + " ")
    thousands = _trim(amount / 1_000)
    # Choose the unit after rounding: 999,995 rounds to 1000K, which is written 1M.
    if amount >= 1_000_000 or thousands == "1000":
        return f"{symbol}{_trim(amount / 1_000_000)}M"
    if amount >= 1_000:
        return f"{symbol}{thousands}K"
    return f"{symbol}{amount}"


def band(b: PayBand) -> str:
    """A pay band as a range: $180K–$230K, $280K–$400K+ (open-ended), $500K+ (floor only)."""
    low = money(b.low, b.currency)
    if b.high is None:
        return f"{low}+"
    text = low if b.high == b.low else f"{low}{DASH}{money(b.high, b.currency)}"
    return text + ("+" if b.open_ended else "")


def band_words(b: PayBand) -> str:
    """A pay band spelled out for screen readers and titles, with no symbols to misread."""
    low = f"{b.low:,} {b.currency}"
    if b.high is None or b.high == b.low:
        return low + (" or more" if b.open_ended else "")
    return f"{low} to {b.high:,} {b.currency}" + (" or more" if b.open_ended else "")


def runway(path: EntryPath) -> str:
    """A runway in months, or an empty string when the source gives none."""
    if path.runway is None:
        return ""
    low, high = path.runway
    return f"{low} month{'' if low == 1 else 's'}" if low == high else f"{low}{DASH}{high} months"


def count_word(n: int) -> str:
    """Small whole numbers as words, as running prose writes them."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def fact(f: Fact) -> str:
    """A fact formatted by its unit: 80%, 2023–2024, three, 12 months."""
    value = _trim(f.value)
    high = None if f.high is None else _trim(f.high)
    if f.unit == "percent":
        return f"{value}%" if high is None else f"{value}{DASH}{high}%"
    if f.unit == "year":
        return value if high is None else f"{value}{DASH}{high}"
    if f.unit == "count" and high is None and float(f.value).is_integer():
        return count_word(int(f.value))
    plural = f.unit if (high is not None or f.value != 1) else f.unit[:-1]
    return f"{value} {plural}" if high is None else f"{value}{DASH}{high} {plural}"


def horizon(years: int) -> str:
    """A horizon in words: five years."""
    return f"{count_word(years)} year" + ("" if years == 1 else "s")
