"""What callers may send to the use cases, declared once as pydantic models.

The same model checks the JSON API and the web forms, and the API's OpenAPI document is
generated from it (``web/api/contract.py``): nothing is described twice. Rules a schema
does not state (does this user exist, does the category have this subtype, given the stored
one) stay in the services, which answer them with ``Unprocessable`` (422).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from annotated_types import Ge, Le
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError

from docservice.domain import CUSTOMER_TYPES

MAX_ID = 2**53  # ids beyond any row, kept inside every database's integer range
_DIGITS = re.compile(r"-?[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

CategoryName = Literal["product", "contract", "campaign", "customer", "other"]
VisibilityName = Literal["private", "team", "org", "custom"]
Permission = Literal["read", "write"]
CustomerType = Literal[CUSTOMER_TYPES]  # type: ignore[valid-type]
# A stage code; which codes exist is a setting (DOCSERVICE_CUSTOMER_STAGES), checked by the
# customer use cases.
CustomerStage = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


def whole_number(raw: Any, info: ValidationInfo) -> Any:
    """Text of ASCII digits as an int (query strings and form fields); JSON text stays text.

    Stricter than pydantic's own parsing, which takes ``1_000``, `` 5`` or ``5.0``: what the
    document says is an integer is all that is accepted."""
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)  # JSON Schema counts 7.0 as an integer
    if not isinstance(raw, str) or info.mode == "json":
        return raw
    if not _DIGITS.fullmatch(raw):
        raise PydanticCustomError("int_parsing", "not a whole number")
    try:
        return int(raw)
    except ValueError as exc:  # more digits than Python converts (a 5,000-digit page)
        raise PydanticCustomError("int_parsing_size", "too many digits") from exc


def _not_null(raw: Any) -> Any:
    if raw is None:
        raise PydanticCustomError("null_given", "leave the field out rather than send null")
    return raw


class _NullNotDocumented:
    """Drops the null branch from a field's JSON Schema (see :data:`Given`)."""

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler,
                                     ) -> JsonSchemaValue:
        found = handler(schema)
        branches = [b for b in found.pop("anyOf", []) if b.get("type") != "null"]
        if len(branches) == 1:
            found.update(branches[0])
        elif branches:
            found["anyOf"] = branches
        return found


T = TypeVar("T")
# A field the caller may leave out (None then) but not send as null.
Given = Annotated[T | None, BeforeValidator(_not_null), _NullNotDocumented()]


Id = Annotated[int, Ge(1), Le(MAX_ID), BeforeValidator(whole_number)]


def calendar_date(raw: Any) -> Any:
    """Text as ``2025-12-31`` only (pydantic would take a timestamp or a time of day too)."""
    if isinstance(raw, str) and raw != "":
        if not _ISO_DATE.fullmatch(raw):
            raise PydanticCustomError("date_parsing", "not a date like 2025-12-31")
        try:
            return date.fromisoformat(raw)
        except ValueError as exc:
            raise PydanticCustomError("date_parsing", "not a date like 2025-12-31") from exc
    return raw


Day = Annotated[date, BeforeValidator(calendar_date)]
NOT_BLANK = (r"[^\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f"
             r"\u3000\ufeff]")
"""At least one character that is not white space. Spelled out rather than ``\\S``, which
means other sets in JSON Schema's regular expressions (ECMA-262), in pydantic's (Rust) and in
Python's str.strip: this set covers all three, so what the document promises is accepted."""
Text = Annotated[str, StringConstraints(max_length=200)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NOT_BLANK)]
Subtype = Annotated[str, StringConstraints(max_length=32)]
Tag = Annotated[str, StringConstraints(max_length=100)]
CustomerName = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NOT_BLANK)]
def _pair(raw: Any) -> Any:
    """A JSON array as the tuple it stands for (strict checks after a validator want one)."""
    return tuple(raw) if isinstance(raw, list) else raw


Grant = Annotated[tuple[Annotated[str, StringConstraints(min_length=1, max_length=254)],
                        Permission], BeforeValidator(_pair)]


def _blank_is_none(raw: Any) -> Any:
    return None if raw == "" else raw


Clearable = BeforeValidator(_blank_is_none)  # "" clears a field, as null does
ClearableDate = Annotated[Day | Literal[""] | None, AfterValidator(_blank_is_none)]


class MetadataChanges(BaseModel):
    """Edits to a document's metadata and permissions; a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    title: Given[Title] = None
    category: Given[CategoryName] = None
    subtype: Annotated[Subtype | None, Clearable] = None
    tags: Given[list[Tag]] = None
    product: Annotated[Text | None, Clearable] = None
    customer: Annotated[Text | None, Clearable] = None
    status: Given[Annotated[str, StringConstraints(max_length=32)]] = None
    expires_on: ClearableDate = None
    starts_on: ClearableDate = None
    review_by: ClearableDate = None
    visibility: Given[VisibilityName] = None
    team_id: Id | None = None
    acl: Given[list[Grant]] = Field(None, description="custom grants: [who, read|write]; who is an "
                                               "e-mail address, a team name or user:1")

    def given(self) -> dict[str, Any]:
        """The fields the caller sent, by name."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class CustomerFields(BaseModel):
    """A customer's classification; a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    name: Given[CustomerName] = None
    type: Given[CustomerType] = None
    industry: Annotated[str, StringConstraints(max_length=100)] | None = None
    region: Annotated[str, StringConstraints(max_length=100)] | None = None
    stage: Given[CustomerStage] = Field(None, description="a buying stage code, one of the "
                                                           "installation's stages")
    aliases: Given[Annotated[list[CustomerName], Field(max_length=50)]] = Field(
        None, description="the customer's other names (other language, former names); "
                          "replaces the list")


class NewCustomer(CustomerFields):
    name: CustomerName


FollowKind = Literal["document", "customer", "product", "search"]
EmailMode = Literal["immediate", "daily", "off"]
WebhookStyle = Literal["slack", "teams", "generic"]


class NewSavedSearch(BaseModel):
    """A search to name and find again."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NOT_BLANK)]
    query: Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=NOT_BLANK)]


class NewFollow(BaseModel):
    """What to follow: a document, customer or saved search by ``id``, a product by name."""

    model_config = ConfigDict(extra="forbid")

    kind: FollowKind
    id: Id | None = Field(None, description="the document, customer or saved search")
    product: Annotated[str, StringConstraints(min_length=1, max_length=200,
                                              pattern=NOT_BLANK)] | None = None


class EmailChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: EmailMode


class NewWebhook(BaseModel):
    """A team's outgoing webhook (admins)."""

    model_config = ConfigDict(extra="forbid")

    team_id: Id
    name: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK)]
    url: Annotated[str, StringConstraints(min_length=8, max_length=2000,
                                          pattern=r"^https?://[^\s/]+")]
    style: WebhookStyle = "generic"
    language: Literal["en", "zh-CN"] = "en"
REPORT_NAMES = ("usage", "search", "customers", "freshness", "contribution")
CustomerDimension = Literal["type", "industry", "region", "stage"]


class ReportFilter(BaseModel):
    """What a report covers: a period (the last 90 days by default), the team of the people
    who used the material, the material's category (and subtype), and its customer's type,
    industry, region or buying stage; ``by`` picks the customer dimension rows group by."""

    model_config = ConfigDict(extra="forbid")

    since: Given[Day] = None
    until: Given[Day] = None
    team_id: Given[Id] = None
    category: Given[CategoryName] = None
    subtype: Given[Subtype] = None
    customer_type: Given[CustomerType] = None
    industry: Given[Text] = None
    region: Given[Text] = None
    stage: Given[CustomerStage] = None
    by: CustomerDimension = "stage"
