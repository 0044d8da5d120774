"""Turn a clinic's claim lines into the writers' plain values: the CSV rows and the 837P
interchange (one claim per child per date of service, at most 50 lines a claim).

Reads the lines with their child, household and rendering provider in a fixed number of
queries, whatever the number of lines. Nothing here writes.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dyadcare.billing.export import csvfile, x12
from dyadcare.billing.export.models import ExportSettings
from dyadcare.billing.internal.inputs import staff_inputs
from dyadcare.billing.models import BillingSettings, ClaimLine
from dyadcare.families.models import Household
from dyadcare.tenancy.models import Clinic, User

_ZIP = re.compile(r"\b(\d{5})(?:-?(\d{4}))?\b")
_STATE_ZIP = re.compile(r",?\s*\b([A-Z]{2})\s+\d{5}(?:-?\d{4})?\s*$")


@dataclass(frozen=True)
class Details:
    """Everything a file needs about the clinic and its providers, read once."""

    clinic: Clinic
    settings: BillingSettings
    export: ExportSettings
    npis: dict[uuid.UUID | None, str]  # user id -> NPI
    names: dict[uuid.UUID | None, tuple[str, str]]  # user id -> (last, first)


def clinic_address(clinic: Clinic) -> x12.Address:
    """The clinic's street, city, state and ZIP from its free-text address ("100 Main St,
    Oakland, CA 94607" or over two lines); the city field wins where it is filled."""
    text = " ".join((clinic.address or "").replace(",", ", ").split())
    found = list(_ZIP.finditer(text))
    postal = "".join(g or "" for g in found[-1].groups()) if found else ""
    street = (clinic.address or "").replace("\r", "").split("\n")[0].split(",")[0].strip()
    state_match = _STATE_ZIP.search(text.upper())
    return x12.Address(street, clinic.city or "", state_match.group(1) if state_match else "CA", postal)


def missing_clinic_details(clinic: Clinic) -> list[str]:
    """What an 837P needs from the clinic and does not have, in plain words."""
    address = clinic_address(clinic)
    missing = []
    if not clinic.billing_npi:
        missing.append(_("the clinic's organisation NPI"))
    if not clinic.tax_id:
        missing.append(_("the clinic's tax ID (EIN)"))
    if not address.line or not address.city or len(address.postal_code) not in (5, 9):
        missing.append(_("the clinic's street address, city and ZIP code"))
    return missing


def attach_households(lines: Sequence[ClaimLine]) -> None:
    """Read the children's households (their address) in one query and attach them."""
    wanted = {line.child.household_id for line in lines if line.child.household_id}
    found = {h.pk: h for h in Household.objects.filter(pk__in=wanted)}
    for line in lines:
        if line.child.household_id in found:
            line.child.household = found[line.child.household_id]


def read_details(clinic: Clinic, rendering: set[uuid.UUID | None]) -> Details:
    user_ids = {u for u in rendering if u is not None}
    settings = BillingSettings.objects.filter(clinic=clinic).first() or BillingSettings(clinic=clinic)
    export = ExportSettings.objects.filter(clinic=clinic).first() or ExportSettings(clinic=clinic)
    # The rendering NPI as the evaluator reads it: the clinic's billing profile, else the credential.
    npis: dict[uuid.UUID | None, str] = {
        uuid.UUID(key): staff.npi for key, staff in staff_inputs(user_ids).items() if staff.npi
    }
    names: dict[uuid.UUID | None, tuple[str, str]] = {
        u.pk: (u.last_name or u.username, u.first_name) for u in User.objects.filter(pk__in=user_ids)
    }
    return Details(clinic, settings, export, npis, names)


def diagnoses_for(line: ClaimLine, settings: BillingSettings) -> tuple[str, ...]:
    """The line's diagnosis codes; else the clinic's codes for its code, else its default ("*")."""
    codes = line.diagnosis_codes or settings.z_codes.get(line.code) or settings.z_codes.get("*") or []
    return tuple(str(c).strip().upper() for c in codes if str(c).strip())


def charge_for(line: ClaimLine, export: ExportSettings) -> Decimal:
    try:
        each = Decimal(str(export.fees.get(line.code, "0")))
    except InvalidOperation:
        each = Decimal(0)
    return (each * line.units).quantize(Decimal("0.01"))


def csv_rows(lines: Sequence[ClaimLine], details: Details) -> list[csvfile.Row]:
    rows = []
    for line in lines:
        last, first = details.names.get(line.rendering_id, ("", ""))
        rows.append(
            csvfile.Row(
                line_id=str(line.pk),
                billing_npi=details.clinic.billing_npi,
                child_last_name=line.child.family_name,
                child_first_name=line.child.given_name,
                date_of_birth=line.child.date_of_birth,
                medi_cal_id=line.medi_cal_id or line.child.medi_cal_id,
                plan=line.plan,
                service_date=line.service_date,
                code=line.code,
                modifiers=tuple(line.modifiers or ()),
                units=line.units,
                rendering_npi=details.npis.get(line.rendering_id, ""),
                rendering_name=f"{first} {last}".strip(),
                diagnosis_codes=diagnoses_for(line, details.settings),
                charge=charge_for(line, details.export),
            )
        )
    return rows


def _subscriber(line: ClaimLine, state: str) -> x12.Subscriber:
    child = line.child
    household = child.household
    address = None
    if household is not None and household.address_line and household.city:
        address = x12.Address(household.address_line, household.city, state, household.postal_code)
    return x12.Subscriber(
        member_id=line.medi_cal_id or child.medi_cal_id,
        last_name=child.family_name,
        first_name=child.given_name,
        date_of_birth=child.date_of_birth,
        sex=child.sex,
        address=address,
    )


def _claims(lines: Sequence[ClaimLine], details: Details, state: str) -> list[x12.Claim]:
    grouped: dict[tuple[object, object], list[ClaimLine]] = defaultdict(list)
    for line in lines:
        grouped[(line.child_id, line.service_date)].append(line)
    claims = []
    for (child_id, day), day_lines in grouped.items():
        for start in range(0, len(day_lines), x12.MAX_LINES_PER_CLAIM):
            chunk = day_lines[start : start + x12.MAX_LINES_PER_CLAIM]
            claims.append(
                _claim(chunk, details, state, f"{str(child_id)[:8]}-{day:%Y%m%d}-{start // 50 + 1}")
            )
    return claims


def _claim(lines: Sequence[ClaimLine], details: Details, state: str, control: str) -> x12.Claim:
    diagnoses: list[str] = []
    for line in lines:
        for code in diagnoses_for(line, details.settings):
            if code not in diagnoses and len(diagnoses) < x12.MAX_DIAGNOSES:
                diagnoses.append(code)
    service_lines = []
    for line in lines:
        own = diagnoses_for(line, details.settings)
        pointers = tuple(diagnoses.index(c) + 1 for c in own if c in diagnoses)[: x12.MAX_POINTERS] or (1,)
        last, first = details.names.get(line.rendering_id, ("", ""))
        who = x12.Provider(details.npis.get(line.rendering_id, ""), last, first)
        service_lines.append(
            x12.ServiceLine(line.code, tuple(line.modifiers or ()), charge_for(line, details.export),
                            line.units,
                            pointers, who, reference=str(line.pk).replace("-", "")[:30])
        )  # fmt: skip
    return x12.Claim(
        control, _subscriber(lines[0], state), lines[0].service_date, tuple(diagnoses), tuple(service_lines)
    )


def problems_before_837p(lines: Sequence[ClaimLine], details: Details) -> list[str]:
    """What stops an 837P of these lines, in plain words (nothing is written while any remains)."""
    problems = missing_clinic_details(details.clinic)
    if any(not diagnoses_for(line, details.settings) for line in lines):
        problems.append(
            _("a diagnosis code for every line (set the clinic's default codes in the billing settings)")
        )
    if any(not details.npis.get(line.rendering_id) for line in lines):
        problems.append(_("the NPI of every rendering provider"))
    if any(not (line.medi_cal_id or line.child.medi_cal_id) for line in lines):
        problems.append(_("the Medi-Cal ID (CIN) of every child"))
    return problems


def interchange(
    lines: Sequence[ClaimLine], details: Details, *, control: int, created: datetime
) -> x12.Interchange:
    if problems := problems_before_837p(lines, details):
        raise ValidationError(_("The 837P cannot be made without: %(what)s.") % {"what": "; ".join(problems)})
    clinic, settings, export = details.clinic, details.settings, details.export
    address = clinic_address(clinic)
    submitter_id = settings.submitter_id or clinic.billing_npi
    return x12.Interchange(
        control_number=control,
        created=created,
        submitter=x12.Party(
            clinic.name,
            submitter_id,
            export.contact_name or clinic.name,
            export.contact_phone or clinic.phone,
        ),
        receiver=x12.Party(export.payer_name, settings.receiver_id or export.payer_id),
        billing=x12.BillingProvider(
            x12.Provider(clinic.billing_npi, clinic.name, taxonomy=settings.taxonomy_code),
            clinic.tax_id,
            address,
        ),
        payer=x12.Party(export.payer_name, export.payer_id),
        claims=tuple(_claims(lines, details, address.state)),
        production=export.production,
        reference=f"{control}",
    )
