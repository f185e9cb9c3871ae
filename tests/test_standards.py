"""The schemas are standard: JSON Schema 2020-12 that jsonschema, jsonschema-rs and ajv (strict
mode) all compile and agree on, no keyword of our own, dates that are real calendar dates in
every tool, and a descriptor that is a Data Package v2 by the v2 profile itself."""

from __future__ import annotations

import copy
import json

import jsonschema
import jsonschema_rs
import pytest
from conftest import ROOT
from external_tools import ajv, data_package_v2_profile

import cbcf_data
from cbcf_data.model.tables import MODELS

SCHEMAS = sorted((ROOT / "schema").glob("*.schema.json"))
#: Every keyword JSON Schema 2020-12 defines (core, applicator, validation, unevaluated, format,
#: content and meta-data vocabularies).
KEYWORDS = {
    "$schema", "$id", "$ref", "$defs", "$comment", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary",
    "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "prefixItems", "items", "contains",
    "properties", "patternProperties", "additionalProperties", "propertyNames", "type", "enum", "const",
    "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
    "maxItems", "minItems", "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties",
    "required", "dependentRequired", "unevaluatedItems", "unevaluatedProperties", "format", "contentEncoding",
    "contentMediaType", "contentSchema", "title", "description", "default", "deprecated", "readOnly", "writeOnly",
    "examples",
}
#: Keywords whose value is a map of names to schemas, or a list of schemas, or a schema.
MAPS = {"properties", "patternProperties", "$defs", "dependentSchemas"}
LISTS = {"allOf", "anyOf", "oneOf", "prefixItems"}
SUBSCHEMAS = {"not", "if", "then", "else", "items", "contains", "additionalProperties", "propertyNames",
              "unevaluatedItems", "unevaluatedProperties", "contentSchema"}
BAD_DATES = ["2024-13-45", "2024-13", "2024-00", "2023-04-31", "2024-02-30", "2024-1", "24-01-01"]


def keywords_of(schema: object) -> set[str]:
    """Every keyword used anywhere in a schema (values of `enum`, `examples`, `default` are data)."""
    if not isinstance(schema, dict):
        return set()
    found = set(schema)
    for key, value in schema.items():
        if key in MAPS:
            for sub in value.values():
                found |= keywords_of(sub)
        elif key in LISTS:
            for sub in value:
                found |= keywords_of(sub)
        elif key in SUBSCHEMAS:
            found |= keywords_of(value)
    return found


def instances() -> dict[str, list[object]]:
    """What each schema must accept: every row of its table, every meeting's bundle, the release."""
    from cbcf_data.edit.exporting import export_bundle
    from cbcf_data.publish.release import release_document

    ds = cbcf_data.load()
    found: dict[str, list[object]] = {
        f"{model.table}.schema.json": [r.model_dump(mode="json", exclude_none=True)
                                       for r in ds.table(model.table).values()]
        for model in MODELS
    }
    found["bundle.schema.json"] = [export_bundle(meeting_id) for meeting_id in ds.meetings]
    found["release.schema.json"] = [json.loads(json.dumps(release_document(ds)))]
    return found


def test_every_schema_uses_only_standard_keywords():
    for path in SCHEMAS:
        unknown = keywords_of(json.loads(path.read_text())) - KEYWORDS
        assert not unknown, f"{path.name}: not JSON Schema 2020-12 keywords: {sorted(unknown)}"


def test_jsonschema_and_jsonschema_rs_accept_the_data():
    for name, items in instances().items():
        schema = json.loads((ROOT / "schema" / name).read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        python, rust = jsonschema.Draft202012Validator(schema), jsonschema_rs.Draft202012Validator(schema)
        for item in items:
            python.validate(item)
            rust.validate(item)


def test_ajv_strict_compiles_every_schema_and_accepts_the_data():
    data = instances()
    cases = [{"name": path.name, "schema": json.loads(path.read_text()), "instances": data.get(path.name, [])}
             for path in SCHEMAS]
    results = ajv(cases)
    for case in cases:
        result = results[case["name"]]
        assert result["compiled"], f"ajv strict refuses {case['name']}: {result['error']}"
        assert all(result["valid"]), f"ajv rejects data of {case['name']}: {[e for e in result['errors'] if e][:3]}"
    assert {c["name"] for c in cases} >= {f"{m.table}.schema.json" for m in MODELS} | {"bundle.schema.json",
                                                                                       "release.schema.json"}


def _dated_meetings() -> tuple[dict[str, object], list[dict[str, object]]]:
    schema = json.loads((ROOT / "schema" / "meetings.schema.json").read_text())
    good = cbcf_data.load().meetings["cbcf-2012"].model_dump(mode="json", exclude_none=True)
    return schema, [{**good, "start_date": bad} for bad in BAD_DATES]


def test_impossible_dates_are_refused_by_jsonschema_and_jsonschema_rs():
    schema, bad = _dated_meetings()
    for item in bad:
        assert not jsonschema.Draft202012Validator(schema).is_valid(item), item["start_date"]
        assert not jsonschema_rs.Draft202012Validator(schema).is_valid(item), item["start_date"]


def test_impossible_dates_are_refused_by_ajv():
    schema, bad = _dated_meetings()
    assert ajv([{"name": "meetings", "schema": schema, "instances": bad}])["meetings"]["valid"] == [False] * len(bad)


def test_impossible_dates_are_refused_by_frictionless(repo_copy):
    from frictionless import Package

    path = repo_copy / "records" / "meetings.csv"
    path.write_text(path.read_text().replace("cbcf-2012,founding,12,stated,stated,2012-03-02",
                                             "cbcf-2012,founding,12,stated,stated,2012-02-30"))
    report = Package(str(repo_copy / "datapackage.json")).validate()
    assert ("constraint-error", "start_date") in {(t, f) for t, f in report.flatten(["type", "fieldName"])}


def test_the_calendar_check_stays_in_our_validator(tmp_path):
    # 29 February passes every pattern; only the calendar knows 2011 was not a leap year.
    import re

    from pydantic import ValidationError

    from cbcf_data.model.tables import Meeting
    from cbcf_data.model.types import DATE_PATTERN

    assert re.match(DATE_PATTERN, "2011-02-29")
    with pytest.raises(ValidationError, match="not a real calendar date"):
        Meeting.model_validate({**Meeting.example, "start_date": "2011-02-29", "id": "cbcf-2011"})


def test_datapackage_is_a_v2_data_package_by_the_v2_profile():
    profile = data_package_v2_profile()
    descriptor = json.loads((ROOT / "datapackage.json").read_text())
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}"
              for e in jsonschema.Draft7Validator(profile).iter_errors(descriptor)]
    assert errors == []
    broken = copy.deepcopy(descriptor)
    broken["resources"][0]["schema"]["fields"][0]["type"] = "text"
    assert not jsonschema.Draft7Validator(profile).is_valid(broken)  # the profile does judge


def test_self_references_omit_the_resource():
    descriptor = json.loads((ROOT / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        for foreign_key in resource["schema"].get("foreignKeys", []):
            assert foreign_key["reference"].get("resource") != "", resource["name"]
            if "resource" not in foreign_key["reference"]:
                model = next(m for m in MODELS if m.table == resource["name"])
                assert model.foreign_keys[foreign_key["fields"][0]] == model.table


def test_codelists_are_v2_categories_with_labels():
    from cbcf_data.model.codelists import MODALITY

    descriptor = json.loads((ROOT / "datapackage.json").read_text())
    commitments = next(r for r in descriptor["resources"] if r["name"] == "commitments")
    modality = next(f for f in commitments["schema"]["fields"] if f["name"] == "modality")
    assert modality["categories"] == [{"value": code, "label": entry.label} for code, entry in MODALITY.items()]
    assert modality["constraints"]["enum"] == list(MODALITY)
