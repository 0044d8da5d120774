"""Clinical data files: one loader, a JSON Schema per file, typed provenance. Pure Python.

``load("periodicity")`` (or a path) returns a checked :class:`DataFile`; its ``provenance``
method gives each rule's sources, confidence and effective dates as a :class:`Provenance`.
Every file ``<app>/data/<name>.json`` has its schema in ``schemas/<name>.schema.json`` here.
"""

from dyadcare.clinicaldata.loader import (
    DataFile,
    DataFileError,
    Problem,
    clear_cache,
    data_files,
    display_name,
    find,
    load,
    schema_path,
)
from dyadcare.clinicaldata.provenance import CONFIDENCES, Confidence, Effective, Provenance, Source

__all__ = [
    "CONFIDENCES",
    "Confidence",
    "DataFile",
    "DataFileError",
    "Effective",
    "Problem",
    "Provenance",
    "Source",
    "clear_cache",
    "data_files",
    "display_name",
    "find",
    "load",
    "schema_path",
]
