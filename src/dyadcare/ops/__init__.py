"""Operator commands: serving the app, the background worker, record counts, translations.
An interface for operators, beside the staff pages, the family pages and the API."""
