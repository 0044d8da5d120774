"""An X12 5010 837P (005010X222A1) professional claim interchange, written from plain values.

Pure Python: no database, no settings. The export service (``billing.export.batches``) turns a
clinic's released claim lines into the dataclasses below; ``write_837p`` gives the interchange's
text. One interchange holds one functional group with one transaction set:

- ISA/GS/ST/BHT, the submitter (loop 1000A) and the receiver (1000B);
- one billing provider (2000A/2010AA: the clinic's organisation NPI, tax ID and address);
- one subscriber per child (2000B/2010BA: the child is the subscriber, the Medi-Cal ID (CIN) is
  the member ID, SBR09 "MC" = Medicaid, the payer in 2010BB);
- one claim (2300) per child per date of service, with its diagnosis codes (HI), the rendering
  provider (2310B) and its service lines (2400: LX, SV1, DTP*472), a line rendered by someone
  else naming its own rendering provider (2420A);
- SE/GE/IEA with the segment count and the control numbers.

Values are cleaned to the X12 basic character set and the separators (``*``, ``:``, ``^``,
``~``) can never appear inside an element.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
SEGMENT = "~"
IMPLEMENTATION = "005010X222A1"
MAX_LINES_PER_CLAIM = 50  # 2400 loop repeat, 005010X222A1
MAX_DIAGNOSES = 12  # HI01-HI12
MAX_POINTERS = 4  # SV107-1..4

_NOT_BASIC = re.compile(r"[^A-Za-z0-9 !&'()+,\-./;?=%@\[\]_{}\\|<>#$\"]")


def clean(value: object, max_length: int | None = None) -> str:
    """The value in X12's basic character set, upper case, accents dropped (López: LOPEZ),
    separators removed, spaces squeezed."""
    text = unicodedata.normalize("NFKD", str(value or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NOT_BASIC.sub(" ", text).upper()
    text = " ".join(text.split())
    return text[:max_length].rstrip() if max_length else text


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


@dataclass(frozen=True)
class Address:
    line: str
    city: str
    state: str
    postal_code: str  # five or nine digits


@dataclass(frozen=True)
class Provider:
    """A person (rendering provider) or an organisation (billing provider) with its NPI."""

    npi: str
    last_or_org_name: str
    first_name: str = ""
    taxonomy: str = ""


@dataclass(frozen=True)
class BillingProvider:
    provider: Provider
    tax_id: str  # EIN, with or without the dash
    address: Address


@dataclass(frozen=True)
class Subscriber:
    """The child: billed under the child's Medi-Cal ID (billing.md §2A)."""

    member_id: str
    last_name: str
    first_name: str
    date_of_birth: date
    sex: str  # F, M or U
    address: Address | None  # the child's home (N3/N4), when known


@dataclass(frozen=True)
class ServiceLine:
    code: str  # HCPCS or CPT
    modifiers: tuple[str, ...]
    charge: Decimal
    units: int
    pointers: tuple[int, ...]  # 1-based positions in the claim's diagnosis codes
    rendering: Provider
    reference: str = ""  # the line's own id (REF*6R, echoed back in the 835)


@dataclass(frozen=True)
class Claim:
    control_number: str  # the patient control number (CLM01), at most 38 characters
    subscriber: Subscriber
    service_date: date
    diagnoses: tuple[str, ...]  # ICD-10-CM, the first is the principal
    lines: tuple[ServiceLine, ...]
    place_of_service: str = "11"  # office


@dataclass(frozen=True)
class Party:
    """The submitter or the receiver of the interchange."""

    name: str
    identifier: str
    contact_name: str = ""
    contact_phone: str = ""


@dataclass(frozen=True)
class Interchange:
    control_number: int  # ISA13 and GS06, 1..999999999
    created: datetime
    submitter: Party
    receiver: Party
    billing: BillingProvider
    payer: Party  # 2010BB: name and payer ID
    claims: tuple[Claim, ...]
    production: bool = False  # ISA15: P or T
    reference: str = ""  # BHT03, the batch's own reference
    claim_filing: str = "MC"  # SBR09: MC Medicaid


@dataclass
class _Segments:
    items: list[str] = field(default_factory=list)

    def add(self, *elements: object) -> None:
        values = [str(e) for e in elements]
        while values and values[-1] == "":
            values.pop()
        self.items.append(ELEMENT.join(values))


def _isa_field(value: str, width: int) -> str:
    return clean(value, width).ljust(width)


def _money(amount: Decimal) -> str:
    text = f"{amount.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _zip(code: str) -> str:
    digits = _digits(code)
    return digits if len(digits) in (5, 9) else digits[:5]


def _billing_zip(code: str) -> str:
    """2010AA N403 is nine digits in 5010; a five-digit code is padded with 9999 as payers ask."""
    digits = _digits(code)
    return digits if len(digits) == 9 else digits[:5] + "9999"


def _icd(code: str) -> str:
    return clean(code).replace(".", "").replace(" ", "")


def _address(seg: _Segments, address: Address, *, zip9: bool = False) -> None:
    seg.add("N3", clean(address.line, 55))
    postal = _billing_zip(address.postal_code) if zip9 else _zip(address.postal_code)
    seg.add("N4", clean(address.city, 30), clean(address.state, 2), postal)


def _person(seg: _Segments, qualifier: str, provider: Provider) -> None:
    entity = "1" if provider.first_name else "2"
    seg.add(
        "NM1", qualifier, entity, clean(provider.last_or_org_name, 60), clean(provider.first_name, 35),
        "", "", "", "XX", _digits(provider.npi),
    )  # fmt: skip


def _header(seg: _Segments, ix: Interchange) -> None:
    seg.add("ST", "837", "0001", IMPLEMENTATION)
    seg.add("BHT", "0019", "00", clean(ix.reference or ix.control_number, 30),
            ix.created.strftime("%Y%m%d"), ix.created.strftime("%H%M"), "CH")  # fmt: skip
    seg.add(
        "NM1",
        "41",
        "2",
        clean(ix.submitter.name, 60),
        "",
        "",
        "",
        "",
        "46",
        clean(ix.submitter.identifier, 80),
    )
    seg.add("PER", "IC", clean(ix.submitter.contact_name or ix.submitter.name, 60),
            "TE", _digits(ix.submitter.contact_phone) or "0000000000")  # fmt: skip
    seg.add(
        "NM1", "40", "2", clean(ix.receiver.name, 60), "", "", "", "", "46", clean(ix.receiver.identifier, 80)
    )
    seg.add("HL", "1", "", "20", "1")
    if ix.billing.provider.taxonomy:
        seg.add("PRV", "BI", "PXC", clean(ix.billing.provider.taxonomy, 50))
    _person(seg, "85", ix.billing.provider)
    _address(seg, ix.billing.address, zip9=True)
    seg.add("REF", "EI", _digits(ix.billing.tax_id))


def _subscriber(seg: _Segments, ix: Interchange, hl: int, child: Subscriber) -> None:
    seg.add("HL", str(hl), "1", "22", "0")
    seg.add("SBR", "P", "18", "", "", "", "", "", "", ix.claim_filing)
    seg.add("NM1", "IL", "1", clean(child.last_name, 60), clean(child.first_name, 35), "", "", "", "MI",
            clean(child.member_id, 80))  # fmt: skip
    if child.address is not None:
        _address(seg, child.address)
    seg.add(
        "DMG", "D8", child.date_of_birth.strftime("%Y%m%d"), child.sex if child.sex in ("F", "M") else "U"
    )
    seg.add("NM1", "PR", "2", clean(ix.payer.name, 60), "", "", "", "", "PI", clean(ix.payer.identifier, 80))


def _claim(seg: _Segments, claim: Claim) -> None:
    total = sum((line.charge for line in claim.lines), Decimal(0))
    seg.add("CLM", clean(claim.control_number, 38), _money(total), "", "",
            COMPONENT.join((claim.place_of_service, "B", "1")), "Y", "A", "Y", "Y")  # fmt: skip
    codes = [_icd(code) for code in claim.diagnoses[:MAX_DIAGNOSES]]
    seg.add("HI", *[COMPONENT.join(("ABK" if i == 0 else "ABF", code)) for i, code in enumerate(codes)])
    claim_renderer = claim.lines[0].rendering
    _person(seg, "82", claim_renderer)
    if claim_renderer.taxonomy:
        seg.add("PRV", "PE", "PXC", clean(claim_renderer.taxonomy, 50))
    for number, line in enumerate(claim.lines, start=1):
        _service_line(seg, claim, number, line, claim_renderer)


def _service_line(
    seg: _Segments, claim: Claim, number: int, line: ServiceLine, claim_renderer: Provider
) -> None:
    seg.add("LX", str(number))
    procedure = COMPONENT.join(("HC", clean(line.code, 48), *[clean(m, 2) for m in line.modifiers[:4]]))
    pointers = COMPONENT.join(str(p) for p in line.pointers[:MAX_POINTERS]) or "1"
    seg.add("SV1", procedure, _money(line.charge), "UN", str(line.units), "", "", pointers)
    seg.add("DTP", "472", "D8", claim.service_date.strftime("%Y%m%d"))
    if line.reference:
        seg.add("REF", "6R", clean(line.reference, 50))
    if _digits(line.rendering.npi) != _digits(claim_renderer.npi):
        _person(seg, "82", line.rendering)
        if line.rendering.taxonomy:
            seg.add("PRV", "PE", "PXC", clean(line.rendering.taxonomy, 50))


def group_by_subscriber(claims: Iterable[Claim]) -> list[tuple[Subscriber, list[Claim]]]:
    """Claims under their child (member ID), in first-seen order: one 2000B loop each."""
    groups: dict[str, tuple[Subscriber, list[Claim]]] = {}
    for claim in claims:
        groups.setdefault(claim.subscriber.member_id, (claim.subscriber, []))[1].append(claim)
    return list(groups.values())


def write_837p(ix: Interchange) -> str:
    """The interchange as text, one segment per line (the ``~`` terminator ends each)."""
    if not ix.claims:
        raise ValueError("An 837P needs at least one claim.")
    if not 0 < ix.control_number < 1_000_000_000:
        raise ValueError("The interchange control number is 1 to 999999999.")
    control = f"{ix.control_number:09d}"
    usage = "P" if ix.production else "T"
    envelope = _Segments()
    envelope.add(
        "ISA", "00", " " * 10, "00", " " * 10, "ZZ", _isa_field(ix.submitter.identifier, 15), "ZZ",
        _isa_field(ix.receiver.identifier, 15), ix.created.strftime("%y%m%d"), ix.created.strftime("%H%M"),
        REPETITION, "00501", control, "0", usage, COMPONENT,
    )  # fmt: skip
    envelope.add("GS", "HC", clean(ix.submitter.identifier, 15), clean(ix.receiver.identifier, 15),
                 ix.created.strftime("%Y%m%d"), ix.created.strftime("%H%M"), str(ix.control_number), "X",
                 IMPLEMENTATION)  # fmt: skip
    body = _Segments()
    _header(body, ix)
    hl = 1
    for child, claims in group_by_subscriber(ix.claims):
        hl += 1
        _subscriber(body, ix, hl, child)
        for claim in claims:
            _claim(body, claim)
    body.add("SE", str(len(body.items) + 1), "0001")
    trailer = _Segments()
    trailer.add("GE", "1", str(ix.control_number))
    trailer.add("IEA", "1", control)
    segments: Sequence[str] = [*envelope.items, *body.items, *trailer.items]
    return "".join(f"{s}{SEGMENT}\n" for s in segments)
