"""The data model: partial dates and the few rules pydantic cannot express by type alone."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from briefgen.model import Fact, PartialDate, Settings, Source


@pytest.mark.parametrize(
    ("raw", "iso", "shown"),
    [
        ("2025", "2025", "2025"),
        (2025, "2025", "2025"),
        ("2025-03", "2025-03", "March 2025"),
        ("2025-03-27", "2025-03-27", "27 March 2025"),
        (dt.date(2024, 6, 19), "2024-06-19", "19 June 2024"),
    ],
)
def test_partial_date_reads_year_month_or_day(raw: object, iso: str, shown: str) -> None:
    date = PartialDate.parse(raw)
    assert str(date) == iso
    assert date.display() == shown


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2025-13", "month 13 does not exist"),
        ("2025-02-30", "day 30 does not exist"),
        ("27/03/2025", "write YYYY, YYYY-MM or YYYY-MM-DD"),
        ("March 2025", "write YYYY, YYYY-MM or YYYY-MM-DD"),
        (True, "write YYYY, YYYY-MM or YYYY-MM-DD"),
    ],
)
def test_partial_date_rejects_what_is_not_a_date(raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PartialDate.parse(raw)


def test_partial_date_spans_its_whole_period() -> None:
    month = PartialDate.parse("2024-02")
    assert (month.first, month.last) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    year = PartialDate.parse("2025")
    assert year.overlaps(PartialDate.parse("2025-07-01"))
    assert not month.overlaps(PartialDate.parse("2024-03"))


def test_settings_need_a_full_briefing_date() -> None:
    with pytest.raises(ValidationError, match="needs a day"):
        Settings.model_validate({"title": "T", "categories": {"a": "A"}, "date": "2025-03"})


def test_source_url_must_be_http() -> None:
    base = {"id": "s", "file": "s.txt", "title": "T", "reliability": "B"}
    assert Source.model_validate({**base, "url": "https://example.org/a"}).url == "https://example.org/a"
    with pytest.raises(ValidationError, match="not an http"):
        Source.model_validate({**base, "url": "javascript:alert(1)"})


def test_source_file_must_stay_inside_seeds() -> None:
    with pytest.raises(ValidationError, match="inside seeds/"):
        Source.model_validate({"id": "s", "file": "../../etc/passwd", "title": "T", "reliability": "B"})


def test_source_remembers_which_fields_it_states_even_as_null() -> None:
    source = Source.model_validate({"id": "s", "file": "s.txt", "title": "T", "reliability": "F", "publisher": None})
    assert source.has("publisher") and not source.has("url")


def test_fact_value_must_be_a_number_not_a_boolean() -> None:
    base = {"id": "f", "claim": "C", "as_of": "2025", "sources": [{"source": "s", "quote": "q"}]}
    assert Fact.model_validate({**base, "value": 3000}).value == 3000
    with pytest.raises(ValidationError):
        Fact.model_validate({**base, "value": True})
    with pytest.raises(ValidationError):
        Fact.model_validate({**base, "value": "3,000"})
