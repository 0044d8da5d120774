"""Exporting released claim lines: the practice-management CSV and the X12 837P (pure writers
in ``csvfile`` and ``x12``, pyx12's check in ``validate``), the batch service (``batches``)
and the file each batch keeps (``models``)."""
