from __future__ import annotations

import pytest

from dyadcare.tenancy.validators import npi_is_valid


@pytest.mark.parametrize("npi", ["1234567893", "1245319599"])
def test_valid_npis(npi: str) -> None:
    # 1234567893 is the worked example in CMS's check-digit note.
    assert npi_is_valid(npi)


@pytest.mark.parametrize("npi", ["1234567890", "123456789", "12345678931", "abcdefghij", ""])
def test_invalid_npis(npi: str) -> None:
    assert not npi_is_valid(npi)
