"""A table's Frictionless Table Schema and a field's own JSON Schema, derived from its model.

Used by every layer above the models (validation hints, pandas dtypes, the data package, the
docs, the diff), so it lives here, beside the models it reads.
"""

from __future__ import annotations

import functools
import typing
from typing import Any

from cbcf_data.model.tables import Record

TABLE_SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"

#: JSON Schema keywords carried into Table Schema constraints, under their Table Schema names.
_CONSTRAINTS = {"enum": "enum", "pattern": "pattern", "minLength": "minLength", "maxLength": "maxLength",
                "minimum": "minimum", "maximum": "maximum"}


def field_schema(name: str, schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """A property's own schema (nullable unwrapped) and whether null is allowed."""
    prop = schema["properties"][name]
    options = prop.get("anyOf")
    if options:
        non_null = [option for option in options if option.get("type") != "null"]
        return {**non_null[0], **{k: v for k, v in prop.items() if k != "anyOf"}}, True
    return prop, False


def table_schema(model: type[Record]) -> dict[str, Any]:
    """Frictionless Table Schema of one table, derived from the model's JSON Schema."""
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    fields = []
    for name in model.model_fields:
        prop, nullable = field_schema(name, schema)
        constraints = {target: prop[key] for key, target in _CONSTRAINTS.items() if key in prop}
        if name in required and not nullable:
            constraints["required"] = True
        field: dict[str, Any] = {
            "name": name,
            "type": "integer" if prop.get("type") == "integer" else "string",
            "description": prop.get("description", ""),
        }
        codelist = codelist_of(model, name)
        if codelist is not None:
            # Table Schema v2 `categories`: the codes with their English labels, readable by any tool.
            from cbcf_data.model.codelists import CODELISTS

            field["categories"] = [{"label": code.label, "value": value} for value, code in CODELISTS[codelist].items()]
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    foreign_keys = []
    for name, table in model.foreign_keys.items():
        # Data Package v2: a reference to the same table omits `resource` (v1 wrote "").
        reference: dict[str, Any] = {"fields": ["id"]} if table == model.table else {"fields": ["id"], "resource": table}
        foreign_keys.append({"fields": [name], "reference": reference})
    result: dict[str, Any] = {
        "$schema": TABLE_SCHEMA_PROFILE,
        "fields": fields,
        "missingValues": [""],
        "primaryKey": list(model.primary_key),
    }
    if foreign_keys:
        result["foreignKeys"] = foreign_keys
    return result


@functools.cache
def codelists_of(model: type[Record]) -> dict[str, str]:
    """Field -> the name of the codelist its values come from, for each coded field of a table."""
    return {name: found for name, info in model.model_fields.items()
            if (found := _codelist_in(info.annotation, info.metadata)) is not None}


def codelist_of(model: type[Record], field: str) -> str | None:
    """The name of the codelist `field` of the table takes its values from, or None."""
    return codelists_of(model).get(field)


def _codelist_in(annotation: Any, metadata: list[Any]) -> str | None:
    from cbcf_data.model.types import Coded

    for item in metadata:
        if isinstance(item, Coded):
            return str(item)
    for arg in typing.get_args(annotation):  # through `X | None` and `Annotated[X, ...]`
        if isinstance(arg, Coded):
            return str(arg)
        found = _codelist_in(arg, [])
        if found is not None:
            return found
    return None
