"""A table's Frictionless Table Schema and a field's own JSON Schema, derived from its model.

Used by every layer above the models (validation hints, pandas dtypes, the data package, the
docs, the diff), so it lives here, beside the models it reads.
"""

from __future__ import annotations

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
        if "codelist" in prop:
            field["codelist"] = prop["codelist"]
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    foreign_keys = []
    for name, table in model.foreign_keys.items():
        # An empty resource name is a self-reference in both Data Package v1 and v2.
        resource_name = "" if table == model.table else table
        foreign_keys.append({"fields": [name], "reference": {"fields": ["id"], "resource": resource_name}})
    result: dict[str, Any] = {
        "$schema": TABLE_SCHEMA_PROFILE,
        "fields": fields,
        "missingValues": [""],
        "primaryKey": list(model.primary_key),
    }
    if foreign_keys:
        result["foreignKeys"] = foreign_keys
    return result
