"""The "not blank" rule reads the same in the API document, in pydantic and in Python."""

from __future__ import annotations

import re
import sys

import pytest
from pydantic import TypeAdapter, ValidationError

from docservice.inputs import NOT_BLANK, CustomerName

WHITE_SPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()] + ["\ufeff"]
NAME = TypeAdapter(CustomerName)


@pytest.mark.parametrize("blank", WHITE_SPACE, ids=lambda c: f"U+{ord(c):04X}")
def test_a_name_of_white_space_alone_is_refused_everywhere(blank: str) -> None:
    assert re.search(NOT_BLANK, blank * 2) is None  # what the document says (Python's re)
    with pytest.raises(ValidationError):
        NAME.validate_python(blank * 2)  # what the server checks (pydantic)


@pytest.mark.parametrize("name", ["Acme", " Acme ", "\u0085Acme", "华为", "\ufeffA"])
def test_a_name_with_any_other_character_is_accepted_and_not_blank_once_trimmed(name: str
                                                                              ) -> None:
    assert re.search(NOT_BLANK, name) is not None
    assert NAME.validate_python(name) == name
    assert name.strip()  # the services trim names: nothing the document allows ends up empty
