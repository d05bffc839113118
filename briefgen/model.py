"""The validated data types of a briefgen project: settings, sources, citations and facts. No I/O."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from briefgen.diagnostics import UNPRINTABLE, escaped

FORMAT_VERSION = 1

# Fields renamed by later format versions: {version: {(model, old name): new name}}. A project that still
# uses an old name gets "renamed to …" rather than a bare "unknown field".
RENAMED: dict[int, dict[tuple[str, str], str]] = {}


def renamed(model: str, name: str) -> tuple[str, int] | None:
    """The new name of a field a later format version renamed, and that version."""
    for version, names in sorted(RENAMED.items()):
        if (model, name) in names:
            return names[(model, name)], version
    return None

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
# What the JSON Schema can say of a date, so that an editor flags as much as it can: a year 1000 to 9999, a month
# 01 to 12, a day 01 to 31 (whether the day exists in its month only `check` knows).
SCHEMA_DATE_PATTERN = r"^[1-9][0-9]{3}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"

# A quote may keep the tabs and line breaks of the text it quotes: quotes are matched on normalised white space.
_QUOTE_SPACES = "\t\n\r\u2028\u2029"


def _refuse_control_characters(allowed: str) -> Callable[[str], str]:
    """A validator refusing what cannot be printed (the characters `diagnostics.UNPRINTABLE` escapes), but
    those in `allowed`: a paste accident, or text made to act on a terminal or read out of order."""

    def check(value: str) -> str:
        for found in UNPRINTABLE.finditer(value):
            if found.group() not in allowed:
                raise PydanticCustomError(
                    "control_character",
                    "contains a control character ({char}) at position {position}; {fix}",
                    {"char": escaped(found.group()), "position": found.start() + 1, "fix": _fix(found.group())},
                )
        return value

    return check


def _fix(char: str) -> str:
    if char == "\t":
        return "use spaces"
    return "write the field on one line" if char in _QUOTE_SPACES else "remove it"


# One line of text: titles, claims, notes, units, publishers, attributions, labels. No control character, no tab,
# no line break (a YAML block scalar's final line break is stripped with the other white space at the ends).
# The schema says the same as the validators (so that editors and check agree): white space at the ends is
# dropped, something must remain, and no character of `diagnostics.UNPRINTABLE` but those allowed.
_CONTROLS = "\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069"
_TEXT_PATTERN = rf"^\s*[^\s{_CONTROLS}](?:[^{_CONTROLS}]*[^\s{_CONTROLS}])?\s*$"
_QUOTE_PATTERN = rf"^\s*[^\s{_CONTROLS}](?:(?:[^{_CONTROLS}]|[\t\n\r\u2028\u2029])*[^\s{_CONTROLS}])?\s*$"
# A path inside seeds/: one line of text, not absolute, no '..' part.
_FILE_PATTERN = rf"^(?!\s*[/\\])(?!.*(?:^|[/\\])\.\.(?:[/\\]|\s*$)){_TEXT_PATTERN[1:]}"
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1),
    AfterValidator(_refuse_control_characters("")),
    WithJsonSchema({"type": "string", "pattern": _TEXT_PATTERN}),
]
# The words a source used: line breaks and tabs are white space when a quote is matched, other controls refused.
QuoteText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1),
    AfterValidator(_refuse_control_characters(_QUOTE_SPACES)),
    WithJsonSchema({"type": "string", "pattern": _QUOTE_PATTERN}),
]
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Number = StrictInt | StrictFloat

Qualifier = Literal["exact", "about", "nearly", "less-than", "at-least", "more-than", "up-to"]
Confidence = Literal["high", "moderate", "low"]
# ICD 203's expressions of likelihood, with their probability bands.
LIKELIHOODS = {
    "almost no chance": "1–5%",
    "very unlikely": "5–20%",
    "unlikely": "20–45%",
    "roughly even chance": "45–55%",
    "likely": "55–80%",
    "very likely": "80–95%",
    "almost certain": "95–99%",
}
Likelihood = Literal["almost no chance", "very unlikely", "unlikely", "roughly even chance", "likely", "very likely", "almost certain"]
Reliability = Literal["A", "B", "C", "D", "E", "F"]

RELIABILITY_LABELS = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day: `2025`, `2025-03` or `2025-03-27`."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """Read YYYY, YYYY-MM or YYYY-MM-DD (a YAML integer year or a date object also do)."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a whole number written another way (1e3): JSON Schema's integer takes it too
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        # Only spaces are forgiven around a date: a line break or a control character is not part of one.
        if not isinstance(value, str) or not re.fullmatch(DATE_PATTERN, value.strip(" ")):
            raise ValueError(f"{value!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
        parts = [int(p) for p in value.strip(" ").split("-")]
        year, month, day = (parts + [None, None])[:3]
        if not 1000 <= year <= 9999:  # type: ignore[operator]
            raise ValueError(f"{value!r} is not a date: the year must have four digits, from 1000")
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"{value!r} is not a date: month {month} does not exist")
        if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:  # type: ignore[arg-type]
            raise ValueError(f"{value!r} is not a date: day {day} does not exist in that month")
        return cls(year, month, day)

    @property
    def first(self) -> dt.date:
        """The first day the date can mean."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last(self) -> dt.date:
        """The last day the date can mean."""
        month = self.month or 12
        return dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def overlaps(self, other: PartialDate) -> bool:
        return self.first <= other.last and other.first <= self.last

    def display(self) -> str:
        """`27 March 2025`, `March 2025` or `2025`, as a reader writes it."""
        if self.month is None:
            return str(self.year)
        month = calendar.month_name[self.month]
        if self.day is None:
            return f"{month} {self.year}"
        return f"{self.day} {month} {self.year}"

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @classmethod
    def _validate(cls, value: object) -> PartialDate:
        try:
            return cls.parse(value)
        except ValueError as exc:
            raise PydanticCustomError("bad_date", str(exc)) from None

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate, serialization=core_schema.to_string_ser_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> dict:
        return {
            "anyOf": [
                {"type": "string", "pattern": SCHEMA_DATE_PATTERN},
                {"type": "integer", "minimum": 1000, "maximum": 9999},
            ],
            "description": "YYYY, YYYY-MM or YYYY-MM-DD",
        }


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Briefing(_Model):
    """One document a project builds: its template and the name of its output files."""

    name: Id = Field(..., description="Output files are output/<name>.md, .html and .pdf.")
    template: Text = Field(..., description="The Markdown template, under templates/.")
    label: Text = Field("Briefing", description="The small heading above the title, e.g. 'Executive summary'.")
    title: Text | None = Field(None, description="Overrides the project's title for this document.")
    short_title: Text | None = Field(None, description="Overrides the project's short title for this document.")
    subtitle: Text | None = Field(None, description="Overrides the project's subtitle for this document.")


class ConfidenceRule(_Model):
    """What a judgment of one confidence level needs from the facts it rests on."""

    origins: StrictInt = Field(..., ge=1, le=10, description="Independent origins its best-corroborated fact must have.")
    grades: list[Reliability] = Field(..., min_length=1, description="At least one source it rests on must be graded one of these.")


class Settings(_Model):
    """`briefgen.yaml`: what the briefing is called, how it looks, and how strict `check` is."""

    version: StrictInt = Field(FORMAT_VERSION, description="Format version of the project files.")
    title: Text
    short_title: Text | None = Field(
        None,
        description="The title in the running header of every PDF page; without it, the title shortened to fit one line.",
    )
    subtitle: Text | None = None
    date: PartialDate | None = Field(
        None, description="Briefing date (YYYY-MM-DD); `--date` overrides it. Without one: SOURCE_DATE_EPOCH, else today."
    )
    marking: Text | None = Field(None, description='Handling marking printed on every page, e.g. "UNCLASSIFIED".')
    author: Text | None = None
    lang: Text = "en"
    keywords: list[Text] = Field(default_factory=list)
    page_size: Literal["A4", "Letter"] = "A4"
    categories: dict[Id, Text] = Field(
        default_factory=dict,
        description="Fact categories in briefing order, each with its section heading; facts/<category>.yaml holds its facts.",
    )
    units: dict[Id, list[Text]] = Field(
        default_factory=dict, description="More unit words, by what they count: e.g. drones: [quadcopter]."
    )
    topics: dict[Id, Text] = Field(default_factory=dict, description="Readable labels for topic ids.")
    confidence_policy: dict[Literal["high", "moderate"], ConfidenceRule] = Field(
        default_factory=lambda: {
            "high": ConfidenceRule(origins=2, grades=["A", "B", "C"]),
            "moderate": ConfidenceRule(origins=2, grades=["A", "B", "C", "D"]),
        },
        description="What a judgment's evidence must hold for each confidence level; low needs nothing.",
    )
    template: Text = Field("briefing.md.j2", description="The Markdown template of the briefing, under templates/.")
    briefings: list[Briefing] | None = Field(
        None,
        min_length=1,
        description="Several documents from one fact base, e.g. the full briefing and a one-page summary. "
        "Without it, one briefing named 'briefing' from `template`.",
    )
    stale_after_days: Annotated[StrictInt, Field(ge=1)] | None = Field(
        365, description="Warn when the latest fact of a topic is older than this before the briefing date."
    )
    min_quote_words: Annotated[StrictInt, Field(ge=1)] = Field(4, description="Warn about quotes shorter than this.")
    pdf_tags: StrictBool = Field(True, description="Write a tagged PDF, for screen readers (a few per cent slower).")
    external_resources: Literal["error", "warn"] = Field(
        "error",
        description="A template or stylesheet that loads from the network or outside the project: stop the "
        "build (error), or leave the resource out and warn (warn). Nothing is fetched either way.",
    )
    max_input_bytes: Annotated[StrictInt, Field(ge=1024)] = Field(
        20_000_000, description="Refuse input files larger than this many bytes."
    )

    @field_validator("briefings")
    @classmethod
    def _unique_names(cls, value: list[Briefing] | None) -> list[Briefing] | None:
        names = [b.name for b in value or []]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise PydanticCustomError("duplicate_briefing", "two briefings are named '{name}'", {"name": twice[0]})
        return value

    def documents(self) -> list[Briefing]:
        """The documents to build, in order; the first is the main briefing."""
        return list(self.briefings or [Briefing(name="briefing", template=self.template)])

    @field_validator("date")
    @classmethod
    def _full_date(cls, value: PartialDate | None) -> PartialDate | None:
        if value is not None and value.day is None:
            raise PydanticCustomError("bad_date", "the briefing date needs a day: write YYYY-MM-DD")
        return value


class Source(_Model):
    """An archived article, registered in `seeds/sources.yaml`."""

    id: Id
    file: Annotated[Text, WithJsonSchema({"type": "string", "pattern": _FILE_PATTERN})] = Field(
        ..., description="The archived text, relative to seeds/."
    )
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        None, description="The SHA-256 of the archived text when it was registered; check reports a text changed since."
    )
    original_file: Annotated[Text, WithJsonSchema({"type": "string", "pattern": _FILE_PATTERN})] | None = Field(
        None, description="The web page or PDF the text was read from, archived beside it in seeds/."
    )
    title: Text
    short_title: Text | None = Field(None, description="Used in footnotes after the first full reference.")
    publisher: Text | None = Field(None, description="null where the text names none: never invent one.")
    author: Text | None = Field(None, description="The byline, as the article states it.")
    original_source: Text | None = Field(
        None, description="The outlet a rewritten text names as its source (e.g. 'Original Source: www.rferl.org')."
    )
    url: Annotated[Text, WithJsonSchema({"type": "string", "pattern": r'^\s*https?://[^\s<>"]+\s*$'})] | None = None
    published: PartialDate | None = None
    date_inferred: StrictBool = Field(False, description="true when `published` is inferred, not stated; say how in `note`.")
    accessed: PartialDate | None = None
    lang: Text | None = Field(None, description="The article's language, as its page states it (e.g. en-GB).")
    reliability: Reliability | None = Field(
        None, description="Admiralty source reliability, A (reliable) to F (cannot be judged); check asks for it when missing."
    )
    reliability_note: Text | None = None
    note: Text | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s<>\"]+", value):
            raise PydanticCustomError("bad_url", "'{url}' is not an http(s) URL", {"url": value})
        return value

    @field_validator("file", "original_file")
    @classmethod
    def _inside_seeds(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if value.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", value):
            raise PydanticCustomError("bad_path", "'{file}' must be a path inside seeds/", {"file": value})
        return value

    def has(self, field: str) -> bool:
        """Whether the sources file states this field, even as null."""
        return field in self.model_fields_set

    @property
    def grade(self) -> str:
        """The reliability grade, an ungraded source counting as F (reliability cannot be judged)."""
        return self.reliability or "F"

    @property
    def oldest_first(self) -> tuple:
        """Sort key: by publication date (undated sources first), then id."""
        return (self.published.sort_key if self.published else (0, 0, 0), self.id)


class Citation(_Model):
    """One source of a fact, with the exact words the source used."""

    source: Id
    quote: QuoteText
    attribution: Text | None = Field(None, description="Who the article credits, e.g. South Korea's Joint Chiefs of Staff.")
    origin: Text | None = Field(
        None,
        description="Who first said it, when the attribution does not say so in the same words: citations with one "
        "origin count as one, however many articles relay it. Defaults to the attribution (without 'via …').",
    )

    @property
    def said_by(self) -> str | None:
        """Who first said it: its `origin`, else its attribution without who relayed it ('…, via Yonhap') or what
        it was about ('…, on the troops' fitness'); None when the article credits no one."""
        return self.origin or (re.split(r",? via |, on ", self.attribution)[0] if self.attribution else None)

    def origin_key(self) -> str:
        """The independent origin this citation stands for, compared without case or punctuation; the article
        itself when no one is credited."""
        if not self.said_by:
            return f"source:{self.source}"
        return " ".join(re.findall(r"\w+", self.said_by.casefold().replace("’", "'").replace("'s ", " ")))


class Fact(_Model):
    """One sourced statement; the unit the briefing cites."""

    id: Id
    category: Id | None = Field(None, description="Defaults to the name of the fact file.")
    claim: Text
    value: Number | None = Field(None, description="The key number of the claim; must appear in a quote.")
    unit: Text | None = None
    qualifier: Qualifier | None = None
    topic: Id | None = Field(None, description="Groups facts that measure the same thing.")
    as_of: PartialDate = Field(..., description="The date the information refers to, not the publication date.")
    date_inferred: StrictBool = Field(False, description="true when `as_of` is worked out rather than stated; say how in `note`.")
    kind: Literal["fact", "assessment"] = "fact"
    confidence: Confidence | None = None
    sources: list[Citation] = Field(..., min_length=1)
    note: Text | None = None
    reviewed: dict[Annotated[str, StringConstraints(pattern=r"^BG[0-9]{3}$")], Text] = Field(
        default_factory=dict,
        description="Warnings a person has judged wrong for this fact, by code, each with the reason: "
        "e.g. BG107: the hedge applies to the date, not the number.",
    )

    def with_category(self, category: str) -> Fact:
        return self if self.category else self.model_copy(update={"category": category})


class Judgment(_Model):
    """An analytic judgment (judgments.yaml): what the analyst concludes, how confident, and on what facts."""

    id: Id
    statement: Text
    confidence: Confidence
    likelihood: Likelihood | None = Field(None, description="ICD 203's scale, from 'almost no chance' to 'almost certain'.")
    rests_on: list[Id] = Field(..., min_length=1, description="The facts the judgment rests on; each is cited with it.")
    rationale: Text | None = Field(None, description="Why this confidence: needed when the evidence alone does not allow it.")
    dissent: Text | None = Field(None, description="An alternative view, and who holds it.")
