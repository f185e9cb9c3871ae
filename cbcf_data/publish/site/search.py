"""The offline search index: a small JSON list of meetings, commitments, people, topics and
instruments, written as a script (`search-<lang>.js`) because browsers refuse to `fetch` a JSON
file from `file://`; `site.js` matches every word typed against each entry's text.
"""

from __future__ import annotations

import json
from typing import Any

from cbcf_data.publish.site import i18n
from cbcf_data.publish.site.views import Page, meeting_flag, meetings_by_date, record_inferred


def _entry(page: Page, table: str, record: Any, extra: list[str]) -> dict[str, str]:
    title = page.name(table, record)
    words = [record.key if isinstance(record.key, str) else "", title, *extra]
    kind = i18n.message("person" if table == "people" else table[:-1], page.lang)
    flag = meeting_flag(record) if table == "meetings" else ("inferred" if record_inferred(record) else "")
    return {"type": kind, "title": title, "flag": i18n.message(flag, page.lang) if flag else "",
            "url": f"{table}/{record.key}.html", "text": " ".join(w for w in words if w).lower()}


def index(page: Page) -> list[dict[str, str]]:
    """Every entry of the index, in the page's language; URLs are relative to the language's folder."""
    ds = page.ds
    entries = []
    for m in meetings_by_date(ds):
        topics = [page.name("topics", t) for t in ds.related(m, "topics")]
        entries.append(_entry(page, "meetings", m, [m.city or "", m.subdivision or "", m.summary or "", *topics]))
    for c in ds.commitments.values():
        topics = [page.name("topics", t) for t in ds.related(c, "topics")]
        entries.append(_entry(page, "commitments", c, [c.quote or "", page.code("modality", c.modality), *topics]))
    for person in sorted(ds.people.values(), key=lambda p: p.name):
        roles = [a.role for a in ds.related(person, "attendances")]
        entries.append(_entry(page, "people", person, roles))
    for topic in ds.topics.values():
        entries.append(_entry(page, "topics", topic, [topic.label, topic.label_fr, topic.description]))
    for instrument in ds.instruments.values():
        entries.append(_entry(page, "instruments", instrument, [page.code("instrument_kind", instrument.kind)]))
    return entries


def index_script(page: Page) -> str:
    """The index as a script that sets `window.CBCF_SEARCH`."""
    data = json.dumps(index(page), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"window.CBCF_SEARCH = {data};\n"
