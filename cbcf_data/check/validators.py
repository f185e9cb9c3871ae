"""The validator of a table's CSV rows (`row_validator`): shared by the row checks (`rows`) and
the rules that read a row again (`rules.located`), without either importing the other."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cbcf_data import signals

if TYPE_CHECKING:
    from cbcf_data.model.tables import Record


@functools.cache
def row_validator(model: type[Record]) -> Callable[[dict[str, Any]], Record]:
    """The model's validator for rows whose fields are exactly the model's: CSV rows under a
    checked header. It skips Pydantic's search of every row for unknown fields (a fifth of
    Pydantic's time) and is otherwise the model's own: same types, rules, records and errors
    (tested). Where the installed Pydantic cannot build it, the model's validator is used."""
    from pydantic_core import SchemaValidator

    schema = dict(model.__pydantic_core_schema__)
    node = schema
    while node.get("type") != "model":  # through the wrappers of the model's own validators
        if not isinstance(node.get("schema"), dict):
            return model.__pydantic_validator__.validate_python
        node["schema"] = node = dict(node["schema"])
    node["config"] = config = {**node.get("config", {}), "extra_fields_behavior": "ignore"}
    try:
        # Without _use_prebuilt=False, pydantic-core would reuse the model's compiled validator.
        # Built with the stops held back: pydantic-core turns a stop raised meanwhile into a SchemaError.
        with signals.held():
            validator = SchemaValidator(schema, config, _use_prebuilt=False)  # type: ignore[arg-type, call-arg]
    except TypeError:
        return model.__pydantic_validator__.validate_python
    return validator.validate_python
