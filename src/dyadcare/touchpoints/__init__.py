"""Touchpoints: the birth-to-3 periodicity schedule, corrected age, visits, what is due."""
