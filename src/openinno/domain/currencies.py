"""ISO 4217 currencies in active use, with their minor units (decimal places).

The list is ISO 4217 list one (2026) without funds, precious metals, drawing
rights and test codes (XTS, XXX, XAU, XDR, ...), and without codes withdrawn from
use (HRK, SLL, ZWL, CUC, ANG, BGN, ...).  A challenge's prizes may use only these:
an unknown code such as ``XYZ`` could not be formatted, compared or paid.

Minor units are ISO's, which differ from CLDR's display precision for a few codes
(CLDR shows HUF and IDR without decimals; ISO gives them two)."""

from __future__ import annotations

_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_TWO = (
    "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BRL BSD BTN BWP BYN"
    " BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP"
    " GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD"
    " KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN"
    " NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG"
    " SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD"
    " UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
)

MINOR_UNITS: dict[str, int] = dict(
    sorted(
        [(code, 0) for code in _ZERO.split()]
        + [(code, 3) for code in _THREE.split()]
        + [(code, 2) for code in _TWO.split()]
    )
)
CURRENCIES: tuple[str, ...] = tuple(MINOR_UNITS)


def minor_units(currency: str) -> int | None:
    """Decimal places of ``currency``; None for a code not in use."""
    return MINOR_UNITS.get(currency)
