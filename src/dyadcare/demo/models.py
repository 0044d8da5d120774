"""What the demo generator remembers: the seed and the day its families' ages count from."""

from __future__ import annotations

from django.db import models

from dyadcare.tenancy.models import Network


class DemoNetwork(models.Model):
    network = models.OneToOneField(Network, on_delete=models.CASCADE, related_name="demo")
    seed = models.IntegerField()
    # Birth dates are drawn relative to this day, so that running the generator again on a
    # later day adds nothing and changes nothing.
    anchor_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"demo {self.network} seed {self.seed}"
