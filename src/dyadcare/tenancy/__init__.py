"""Tenancy: networks, clinics, staff and their roles, the clinic scope, and the audit log."""
