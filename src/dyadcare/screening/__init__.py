"""Screening at the visit: sessions families answer on their phone or a clinic tablet, scored
results, sensitivity labels, and the flags and alerts that need a person."""
