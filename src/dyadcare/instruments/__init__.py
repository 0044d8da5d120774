"""Instruments: the screening library (data files), the pure scoring engine, FHIR import."""
