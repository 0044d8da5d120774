"""A referral as FHIR R4 resources after the Gravity SDOH Clinical Care IG: the ServiceRequest
(SDOHCC ServiceRequest: the need's SDOH category, the child as subject, the requester, the
consent as supporting information) and its Task (SDOHCC Task For Referral Management:
``intent=order``, ``code=fulfill``, ``focus`` the ServiceRequest, ``owner`` the receiving
organisation, status, business status). Validated by ``fhir.resources`` (R4B models, which
read R4 ServiceRequest and Task unchanged). The future API (``/fhir/R4/``) serves these.

Only what the packet shares goes in: the child's first name, never screening answers, never
another caregiver. The staff's reason stays out (``reasonCode`` carries the need's words)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from dyadcare.referrals import sharing, workflow
from dyadcare.referrals.models_referral import Referral

SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare"
CATEGORY_SYSTEM = f"{SDOHCC}/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
TASK_CODE_SYSTEM = "http://hl7.org/fhir/CodeSystem/task-code"
BUSINESS_STATUS_SYSTEM = "urn:dyadcare:referral-outcome"
PROFILE_SR = f"{SDOHCC}/StructureDefinition/SDOHCC-ServiceRequest"
PROFILE_TASK = f"{SDOHCC}/StructureDefinition/SDOHCC-TaskForReferralManagement"


def _subject(referral: Referral, packet: sharing.Packet) -> dict[str, Any]:
    ref: dict[str, Any] = {"reference": f"Patient/{referral.child_id}"}
    if packet.child_first_name:
        ref["display"] = packet.child_first_name
    return ref


def _organization(referral: Referral) -> dict[str, Any]:
    org: dict[str, Any] = {"display": referral.organization_name or referral.service_name}
    if referral.service_id:
        org["reference"] = f"HealthcareService/{referral.service_id}"
    return org


def service_request_resource(referral: Referral) -> dict[str, Any]:
    """The referral's ServiceRequest as a validated FHIR R4 resource (a dict)."""
    packet = sharing.packet(referral, language="en", today=timezone.localdate())
    need = workflow.needs().get(referral.need)
    category = need.category if need else "sdoh-category-unspecified"
    data: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": str(referral.pk),
        "meta": {"profile": [PROFILE_SR]},
        "status": "active" if not workflow.is_final(referral.status) else "completed",
        "intent": "order",
        "category": [{"coding": [{"system": CATEGORY_SYSTEM, "code": category}]}],
        "code": {"text": referral.service_name},
        "subject": _subject(referral, packet),
        "authoredOn": referral.created_at.isoformat(),
        "requester": {"reference": f"Practitioner/{referral.requester_id}"},
        "performer": [_organization(referral)],
    }
    if packet.need:
        data["reasonCode"] = [{"text": packet.need}]
    if getattr(referral, "consent", None) is not None:
        data["supportingInfo"] = [{"reference": f"Consent/{referral.consent.pk}"}]
    if referral.goal_id:
        data["extension"] = [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/resource-pertainsToGoal",
                "valueReference": {"reference": f"Goal/{referral.goal_id}"},
            }
        ]
    return ServiceRequest.model_validate(data).model_dump(mode="json", exclude_none=True)


def task_resource(referral: Referral) -> dict[str, Any]:
    """The referral's Task (its fulfilment) as a validated FHIR R4 resource (a dict)."""
    packet = sharing.packet(referral, language="en", today=timezone.localdate())
    data: dict[str, Any] = {
        "resourceType": "Task",
        "id": str(referral.pk),
        "meta": {"profile": [PROFILE_TASK]},
        "status": referral.status,
        "intent": "order",
        "code": {"coding": [{"system": TASK_CODE_SYSTEM, "code": "fulfill"}]},
        "focus": {"reference": f"ServiceRequest/{referral.pk}"},
        "for": _subject(referral, packet),
        "authoredOn": referral.created_at.isoformat(),
        "lastModified": referral.updated_at.isoformat(),
        "requester": {"reference": f"Practitioner/{referral.requester_id}"},
        "owner": _organization(referral),
    }
    if referral.business_status:
        outcome = workflow.workflow().outcomes.get(referral.business_status)
        coding = {"system": BUSINESS_STATUS_SYSTEM, "code": referral.business_status}
        if outcome:
            coding["display"] = outcome.label["en"]
        data["businessStatus"] = {"coding": [coding]}
    if referral.status_reason:
        data["statusReason"] = {"text": referral.status_reason}
    return Task.model_validate(data).model_dump(mode="json", exclude_none=True)
