"""`related()`: from a record to the rows of another table that name it, that it names, or that a
link table joins it to — through narrower entries too, when the record is in a hierarchy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cbcf_data.dataset.hierarchy import parent_field
from cbcf_data.errors import NotFoundError

if TYPE_CHECKING:
    from cbcf_data.model.tables import Record


def related(ds: Any, record: Record, table: str, direct: bool) -> list[Any]:
    """See `Dataset.related` (which passes itself as `ds`)."""
    from cbcf_data.model.tables import MODELS, TABLES

    here, target = type(record), TABLES[table]
    rows = ds.table(table)
    if target is here:
        if parent_field(here) is None:
            raise _unrelated(here, table)
        return ds.table(table).descendants(record, direct)
    keys = [record.key]
    if not direct and parent_field(here) is not None:
        keys += [row.key for row in ds.table(here.table).descendants(record)]
    for field, referenced in target.foreign_keys.items():
        if referenced == here.table:
            return _merged([rows.where(field, key) for key in keys])
    for field, referenced in here.foreign_keys.items():
        if referenced == table:
            value = getattr(record, field)
            return [rows[value]] if value in rows else []
    for link in MODELS:
        to_here, to_target = key_field(link, here.table), key_field(link, table)
        if to_here and to_target and to_here != to_target:
            found = {getattr(row, to_target) for key in keys for row in ds.table(link.table).where(to_here, key)}
            return [rows[key] for key in sorted(found) if key in rows]
    raise _unrelated(here, table)


def _merged(groups: list[list[Any]]) -> list[Any]:
    """One list of the records of several lookups, each once, in key order."""
    if len(groups) == 1:
        return groups[0]
    unique = {record.key: record for group in groups for record in group}
    return [unique[key] for key in sorted(unique, key=lambda k: k if isinstance(k, tuple) else (k,))]


def key_field(link: type[Record], table: str) -> str | None:
    """The field of link's primary key that references `table`, if there is one."""
    for field in link.primary_key:
        if link.foreign_keys.get(field) == table:
            return field
    return None


def relations(model: type[Record]) -> list[str]:
    """The tables `related()` reaches from a record of `model`."""
    from cbcf_data.model.tables import MODELS

    found = {m.table for m in MODELS if model.table in m.foreign_keys.values() and m is not model}
    found |= {t for t in model.foreign_keys.values() if t != model.table}
    for link in MODELS:
        to_here = key_field(link, model.table)
        found |= {t for f in link.primary_key if to_here and f != to_here and (t := link.foreign_keys.get(f))}
    if parent_field(model) is not None:
        found.add(model.table)
    return sorted(found)


def _unrelated(model: type[Record], table: str) -> NotFoundError:
    return NotFoundError(f"{table} is not related to {model.table}; tables related to {model.table}: "
                         f"{', '.join(relations(model))}")
