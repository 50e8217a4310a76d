"""The ground truth of the synthetic data set: which seeded person records are one person.

`corridor seed` registers some victims again at other agencies, spelt their way
(`corridor.demo.duplicates`); linkage has to find those records among many different people
who share a name. The seed keeps what it knows here, beside the records and never in them
(a search, a list or an export of persons shows nothing of it), so that a benchmark can
score duplicate detection against the truth (`corridor.demo.ground_truth`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SeededIdentity(models.Model):
    """One seeded person record and the person it belongs to: every record of one person
    has the same `identity` (the reference the seed gave her first record)."""

    person = models.OneToOneField(
        "people.Person",
        verbose_name=_("person record"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    identity = models.CharField(_("identity"), max_length=32, db_index=True)
    original = models.BooleanField(
        _("first record"),
        default=True,
        help_text=_("The record with the case; the others were made by other agencies."),
    )
    variants = models.CharField(
        _("variants"),
        max_length=255,
        blank=True,
        help_text=_(
            "How this record differs from the first one, comma-separated "
            "(spelling, arabic_script, order_swapped, dob_1_january, phone_format...)."
        ),
    )

    class Meta:
        verbose_name = _("seeded identity")
        verbose_name_plural = _("seeded identities")

    def __str__(self) -> str:
        return f"{self.person_id} → {self.identity}"
