"""What the check layer reads of each table's model — its class's name, its fields in order, its
primary key and foreign keys, which fields are integers and which a row must fill — without
Pydantic: `MODELS` and `TABLES` of `Declared`, from `model/rowspec.py` (read from the models; a
test holds them equal). The release reads them too, so that it imports no model before its rows are
validated. `Declared.model` is the
Pydantic model itself, imported when a row needs it (a row `model.accept` does not take, a hint).
Standard library only.
"""

from __future__ import annotations

import functools
from typing import Any

from cbcf_data import signals
from cbcf_data.model.rowspec import DECLARED, ROWS


class Declared:
    """A table's model as the check layer reads it: `table`, `model_fields` (its field names, in
    order), `primary_key`, `foreign_keys`, `__name__`; `model` is the Pydantic model."""

    def __init__(self, table: str, name: str, fields: tuple[str, ...], primary_key: tuple[str, ...],
                 foreign_keys: dict[str, str]) -> None:
        self.table, self.__name__, self.primary_key, self.foreign_keys = table, name, primary_key, foreign_keys
        self.model_fields: dict[str, None] = dict.fromkeys(fields)

    @functools.cached_property
    def integers(self) -> tuple[str, ...]:
        """The integer fields, in order (Table Schema type `integer`; every other field is text)."""
        return tuple(name for name, _, kind, _ in ROWS[self.table][0] if kind == "int")

    @functools.cached_property
    def required(self) -> tuple[str, ...]:
        """The fields every row fills, in order (neither optional nor nullable: `required` in the
        Table Schema, NOT NULL in the release's SQLite file)."""
        return tuple(name for name, optional, _, _ in ROWS[self.table][0] if not optional)

    @functools.cached_property
    def model(self) -> Any:
        """The table's Pydantic model (importing Pydantic and building the models, once; kept, as
        it is asked for once per bad row). Built with the stops held back: pydantic-core turns a
        Ctrl-C that comes while it builds a model into a SchemaError (`cbcf_data.signals`)."""
        with signals.held():
            from cbcf_data.model.tables import TABLES as MODEL_TABLES

        return MODEL_TABLES[self.table]

    def __repr__(self) -> str:
        return f"<Declared {self.__name__}>"


def pydantic_model(model: Any) -> Any:
    """The Pydantic model of `model`: a `Declared` table's, or `model` itself (a model class already)."""
    return model.model if isinstance(model, Declared) else model


#: Every table in dependency order (as `model.tables.MODELS`). Typed `Any`: the check layer takes
#: a `Declared` wherever it takes a model class, reading only what both have.
MODELS: tuple[Any, ...] = tuple(Declared(table, *entry) for table, entry in DECLARED.items())
TABLES: dict[str, Any] = {model.table: model for model in MODELS}
