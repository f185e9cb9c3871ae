"""What a template needs besides the records: the page's language and place (for relative links),
labels, and the dataset's honesty marks (inferred values, low-reliability sources) found generically
from the models, so that a new `*_basis` field is marked without touching the site.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import cache
from typing import Any

from cbcf_data.dataset import Dataset
from cbcf_data.publish.site import i18n

#: Tables that get one page per record, in menu order. Their folders are the table names.
RECORD_TABLES = ("meetings", "commitments", "people", "topics", "instruments", "organizations", "sources")
#: The record field that names a record in lists and links, by table.
NAME_FIELDS = {"people": "name", "instruments": "title", "sources": "title", "organizations": "name",
               "topics": "label", "commitments": "summary"}
PHASE_WORDS = {"reestablished": "since_reestablishment"}


@dataclass(frozen=True)
class Page:
    """One page being rendered: its language, its path in the site, and the dataset."""

    lang: str
    path: str
    ds: Dataset

    @property
    def colon(self) -> str:
        """A colon as the language sets it: French puts a space before it."""
        return i18n.colon(self.lang)

    @property
    def other(self) -> str:
        """The other language."""
        return i18n.OTHER[self.lang]

    def t(self, key: str, **values: Any) -> Any:
        """Interface text in the page's language, as safe HTML: values are escaped unless they are
        already markup (a mark rendered by a macro)."""
        from markupsafe import Markup, escape

        text = i18n.MESSAGES[key][i18n.LANGS.index(self.lang)]
        return Markup(escape(text)).format(**values) if values else Markup(escape(text))

    def code(self, codelist: str, code: str | None) -> str:
        """A code's label in the page's language."""
        return i18n.code_label(codelist, code, self.lang)

    def date(self, value: str | None) -> str:
        """An ISO date in words."""
        return i18n.format_date(value, self.lang)

    def href(self, target: str) -> str:
        """A link from this page to `target`, a path from the site's root (relative, so file:// works)."""
        return "../" * self.path.count("/") + target

    def url(self, table: str, key: str) -> str:
        """The link to a record's page: `<lang>/<table>/<id>.html`."""
        return self.href(f"{self.lang}/{table}/{key}.html")

    def index(self, table: str) -> str:
        """The link to a table's list page in this language."""
        return self.href(f"{self.lang}/{table}/index.html")

    def switch(self) -> str:
        """The same page in the other language."""
        return self.href(self.other + self.path[len(self.lang):])

    def nav(self) -> list[tuple[str, str, bool]]:
        """The menu: (label, link, whether it is this page's section)."""
        items = [("home", "index.html"), *((t, f"{t}/index.html") for t in RECORD_TABLES),
                 ("charts", "charts.html"), ("progress", "progress.html"), ("data", "data.html"),
                 ("search", "search.html")]
        here = self.path[len(self.lang) + 1:]
        return [(self.t(key), self.href(f"{self.lang}/{target}"),
                 here == target or (target.endswith("/index.html") and here.startswith(target[: -len("index.html")])))
                for key, target in items]

    def name(self, table: str, record: Any) -> str:
        """A record's name in this language: a topic's label, a body's name, a meeting's title."""
        if table == "meetings":
            return meeting_title(record, self.lang)
        if table == "topics" and self.lang == "fr":
            return str(record.label_fr)
        if table == "organizations" and self.lang == "fr" and record.name_fr:
            return str(record.name_fr)
        return str(getattr(record, NAME_FIELDS[table]))

    def name_lang(self, table: str, record: Any = None) -> str:
        """The language of a table's names as shown on this page (English where no French exists:
        in a table, or, for `record`, an organization without a French name)."""
        if table == "organizations" and record is not None and self.lang == "fr" and not record.name_fr:
            return "en"
        return self.lang if table in ("meetings", "topics", "organizations") else "en"


def meeting_title(meeting: Any, lang: str) -> str:
    """`2024 — 3rd since reestablishment`, `2000 — 4th meeting`, in `lang`."""
    year = meeting.start_date[:4]
    if meeting.sequence is None:
        return f"{year} — {i18n.message('ordinal_unknown', lang)}"
    words = i18n.message(PHASE_WORDS[meeting.phase], lang) if meeting.phase in PHASE_WORDS else ""
    noun = {"en": "meeting", "fr": "réunion"}[lang]
    return f"{year} — {i18n.ordinal(meeting.sequence, lang)} {noun}" + (f" {words}" if words else "")


def meeting_flag(meeting: Any) -> str:
    """The message key of the mark a meeting's name needs: its existence or its ordinal (which the
    name shows) inferred; empty when both are stated."""
    if meeting.existence_basis == "inferred":
        return "existence_inferred"
    if meeting.sequence_basis == "inferred":
        return "ordinal_inferred"
    return ""


def inferred_fields(record: Any) -> set[str]:
    """Fields of `record` whose value is inferred, by its `*_basis` fields: `date_basis` marks
    `start_date`, `end_date` and `date`, `sequence_basis` marks `sequence`; the basis field itself is
    included. `existence_basis` and a plain `basis` mark the whole record (`record_inferred`)."""
    fields = type(record).model_fields
    found: set[str] = set()
    for name in fields:
        if (name == "basis" or name.endswith("_basis")) and getattr(record, name) == "inferred":
            found.add(name)
            stem = name[: -len("_basis")]
            found.update(f for f in fields if f == stem or f.endswith("_" + stem))
    return found


def record_inferred(record: Any) -> bool:
    """Whether the record as a whole is inferred (`existence_basis` or `basis` is `inferred`)."""
    return any(getattr(record, name, None) == "inferred" for name in ("existence_basis", "basis"))


@cache
def codelist_fields(model: type[Any]) -> dict[str, str]:
    """Field -> codelist name, for a model's fields drawn from a codelist."""
    from cbcf_data.model.table_schema import table_schema

    return {field["name"]: field["codelist"] for field in table_schema(model)["fields"] if "codelist" in field}


def record_rows(page: Page, record: Any) -> list[dict[str, Any]]:
    """Every non-empty field of a record for the page's generic 'record' table: its value as the
    dataset holds it, a label for coded values, a link for references, and the inferred mark."""
    model = type(record)
    coded = codelist_fields(model)  # type: ignore[arg-type]  # a class is hashable
    inferred = inferred_fields(record)
    rows = []
    for name in model.model_fields:
        value = getattr(record, name)
        if value is None:
            continue
        row: dict[str, Any] = {"field": name, "value": str(value), "inferred": name in inferred, "label": "", "href": ""}
        if name in coded:
            row["label"] = page.code(coded[name], value)
        target = model.foreign_keys.get(name)
        if name == "id" and model.table in RECORD_TABLES:
            target = None
        if target in RECORD_TABLES and value in page.ds.table(target):
            row["href"] = page.url(target, value)
        rows.append(row)
    return rows


def latest_assessment(ds: Dataset, commitment_id: str) -> Any:
    """The commitment's most recent assessment (by date, then party), or None."""
    found = ds.assessments.where("commitment_id", commitment_id)
    return max(found, key=lambda a: (a.as_of, a.party), default=None)


def meetings_by_date(ds: Dataset) -> list[Any]:
    """Every meeting, oldest first: sorted once per dataset (every meeting page asks; do not change
    the list)."""
    ordered = _by_date.get(ds)
    if ordered is None:
        ordered = _by_date[ds] = sorted(ds.meetings.values(), key=lambda m: (m.start_date, m.id))
        _date_rank[ds] = {meeting.id: at for at, meeting in enumerate(ordered)}
    return ordered


def meeting_rank(ds: Dataset, meeting_id: str) -> int:
    """A meeting's place in `meetings_by_date` (without scanning it)."""
    meetings_by_date(ds)
    return _date_rank[ds][meeting_id]


_by_date: weakref.WeakKeyDictionary[Dataset, list[Any]] = weakref.WeakKeyDictionary()
_date_rank: weakref.WeakKeyDictionary[Dataset, dict[str, int]] = weakref.WeakKeyDictionary()


def root_topic(ds: Dataset, topic_id: str) -> str:
    """The top-level topic above `topic_id` (itself when it has no parent); stops on a cycle."""
    seen = {topic_id}
    while (parent := ds.topics[topic_id].parent_id) and parent in ds.topics and parent not in seen:
        seen.add(parent)
        topic_id = parent
    return topic_id


def topic_trail(ds: Dataset, topic_id: str) -> list[Any]:
    """The topics above `topic_id`, broadest first."""
    trail, seen = [], {topic_id}
    parent = ds.topics[topic_id].parent_id
    while parent and parent in ds.topics and parent not in seen:
        seen.add(parent)
        trail.append(ds.topics[parent])
        parent = ds.topics[parent].parent_id
    return trail[::-1]


def topic_descendants(ds: Dataset, topic_id: str) -> list[str]:
    """`topic_id` and every topic under it."""
    found, queue = [topic_id], [topic_id]
    while queue:
        for child in ds.topics.where("parent_id", queue.pop()):
            if child.id not in found:
                found.append(child.id)
                queue.append(child.id)
    return found
