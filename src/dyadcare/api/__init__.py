"""Reserved for the FHIR R4 API (``/fhir/R4/``): the interface for EHRs and health plans. It
serves nothing yet; when it does, it imports only the domains' services and selectors, as the
staff and family pages do (import-linter enforces it)."""
