"""Families: children, caregivers, the relationships between them, and households."""
