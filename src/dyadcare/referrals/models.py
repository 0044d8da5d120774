"""The community resource directory, in the shape of Open Referral HSDS 3.0.

One directory per network, shared by its clinics: directory rows belong to a
``tenancy.Network`` (they hold no one's health information), and every selector filters by
the actor's network. A row keeps the HSDS id it was imported with (``hsds_id``, unique per
network, so importing again updates it) and its primary key is derived from the network and
that id (``internal/keys.py``), which lets the import link rows without looking them up.
HSDS fields the pages do not use (contacts, cost options, programs, funding, accessibility,
metadata…) are kept as HSDS JSON in ``extra`` so that an export gives them back.

A clinic's own words on a service (``DirectoryNote``) and its favourites (``Favourite``) are
clinic-scoped.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, ClassVar, Self

from django.db import models
from django.utils.translation import gettext_lazy as _

from dyadcare.tenancy.models import Network, User
from dyadcare.tenancy.scope import ClinicScopedModel


class DirectoryRow(models.Model):
    """What every directory row has: its network, its HSDS id and the HSDS fields kept as is."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    hsds_id = models.CharField(max_length=64)
    extra = models.JSONField(default=dict, blank=True)

    if TYPE_CHECKING:
        objects: ClassVar[models.Manager[Self]]

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["network", "hsds_id"], name="%(app_label)s_%(class)s_hsds_id")
        ]

    def __str__(self) -> str:
        return str(getattr(self, "name", "") or self.hsds_id)


class Taxonomy(DirectoryRow):
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    uri = models.CharField(max_length=500, blank=True)
    version = models.CharField(max_length=60, blank=True)

    class Meta(DirectoryRow.Meta):
        verbose_name_plural = "taxonomies"


class TaxonomyTerm(DirectoryRow):
    """A term (an Open Eligibility code, say); ``code`` is what the need mapping names."""

    code = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    parent_hsds_id = models.CharField(max_length=64, blank=True)
    taxonomy = models.ForeignKey(
        Taxonomy, on_delete=models.SET_NULL, null=True, blank=True, related_name="terms"
    )
    taxonomy_name = models.CharField(max_length=300, blank=True)  # HSDS `taxonomy` (free text)
    language = models.CharField(max_length=20, blank=True)
    term_uri = models.CharField(max_length=500, blank=True)

    class Meta(DirectoryRow.Meta):
        indexes = [models.Index(fields=["network", "code"])]


class Organization(DirectoryRow):
    name = models.CharField(max_length=300)
    alternate_name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    email = models.CharField(max_length=254, blank=True)
    website = models.CharField(max_length=500, blank=True)
    # Name and description in other languages: {"es": {"name": …, "description": …}}.
    translations = models.JSONField(default=dict, blank=True)


class Service(DirectoryRow):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DEFUNCT = "defunct", _("Defunct")
        TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")

    class ReferralChannel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")
        NONE = "none", _("Does not take referrals")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="services"
    )
    name = models.CharField(max_length=300)
    alternate_name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    email = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    interpretation_services = models.TextField(blank=True)
    application_process = models.TextField(blank=True)
    fees_description = models.TextField(blank=True)
    eligibility_description = models.TextField(blank=True)
    # HSDS eligibility: ages in years, as published (fractions allowed).
    minimum_age = models.FloatField(null=True, blank=True)
    maximum_age = models.FloatField(null=True, blank=True)
    alert = models.TextField(blank=True)
    translations = models.JSONField(default=dict, blank=True)
    # Local fields, not HSDS: how the service takes a referral, and when it was last checked.
    accepts_referrals_via = models.CharField(
        max_length=10, choices=ReferralChannel.choices, default=ReferralChannel.NONE
    )
    referral_contact = models.CharField(max_length=254, blank=True)
    last_verified_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(DirectoryRow.Meta):
        indexes = [
            models.Index(fields=["network", "status"]),
            models.Index(fields=["network", "status", "name"], name="referrals_service_by_name"),
            models.Index(fields=["network", "minimum_age", "maximum_age"], name="referrals_service_by_age"),
        ]


class Location(DirectoryRow):
    class Kind(models.TextChoices):
        PHYSICAL = "physical", _("Physical")
        POSTAL = "postal", _("Postal")
        VIRTUAL = "virtual", _("Virtual")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="locations"
    )
    location_type = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=300, blank=True)
    alternate_name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    transportation = models.TextField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta(DirectoryRow.Meta):
        indexes = [models.Index(fields=["network", "latitude", "longitude"])]


class ServiceAtLocation(DirectoryRow):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    description = models.TextField(blank=True)


class Address(DirectoryRow):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=300, blank=True)
    address_1 = models.CharField(max_length=300)
    address_2 = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=120)
    region = models.CharField(max_length=120, blank=True)
    state_province = models.CharField(max_length=120)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2)
    address_type = models.CharField(max_length=20)


class _Owned(DirectoryRow):
    """A row that hangs off a service, a location, a service at a location or an organization
    (HSDS lets phones, languages and schedules hang off several)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, null=True, related_name="+")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, related_name="+"
    )

    class Meta(DirectoryRow.Meta):
        abstract = True


class Phone(_Owned):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, related_name="+")
    number = models.CharField(max_length=60)
    extension = models.CharField(max_length=20, blank=True)
    type = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True)


class Language(_Owned):
    phone = models.ForeignKey(Phone, on_delete=models.CASCADE, null=True, related_name="+")
    name = models.CharField(max_length=120, blank=True)
    code = models.CharField(max_length=12, blank=True)  # ISO 639-1 or 639-3
    note = models.TextField(blank=True)

    class Meta(_Owned.Meta):
        indexes = [models.Index(fields=["network", "code"])]


class Schedule(_Owned):
    """iCal-like hours: ``freq`` WEEKLY or MONTHLY, ``byday`` like ``MO,TU``, opening times."""

    freq = models.CharField(max_length=10, blank=True)
    byday = models.CharField(max_length=60, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)


class ServiceArea(DirectoryRow):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=20, blank=True)
    uri = models.CharField(max_length=500, blank=True)


class Attribute(DirectoryRow):
    """A taxonomy term on a record; ``service`` is set when it tags a service, for search."""

    taxonomy_term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="+")
    link_id = models.CharField(max_length=64)
    link_type = models.CharField(max_length=60, blank=True)
    link_entity = models.CharField(max_length=40, blank=True)
    value = models.TextField(blank=True)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="attributes"
    )

    class Meta(DirectoryRow.Meta):
        indexes = [models.Index(fields=["taxonomy_term", "service"])]


class DirectoryNote(ClinicScopedModel):
    """A clinic's own note on a service (what worked, whom to ask): one per clinic and service."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("note"), max_length=2000)
    written_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic", "service"], name="referrals_note_once")]


class Favourite(ClinicScopedModel):
    """A service the clinic starred."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic", "service"], name="referrals_favourite_once")]


# The referral workflow (ServiceRequest, Task, consent and history) ---------------------------
from dyadcare.referrals.models_referral import Referral, ReferralConsent, ReferralEvent  # noqa: E402

__all__ = ["Referral", "ReferralConsent", "ReferralEvent"]
