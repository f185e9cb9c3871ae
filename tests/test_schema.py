"""Generated files: committed schemas match the models, and drift is caught with a diff."""

from __future__ import annotations

import json

import jsonschema
from conftest import ROOT, run_cli

from cbcf_data.model.tables import MODELS
from cbcf_data.publish import schema


def test_committed_generated_files_are_current():
    assert schema.check(ROOT) == []


def test_schema_check_cli_is_clean():
    result = run_cli("schema", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_hand_edited_schema_fails_check_with_diff(repo_copy):
    path = repo_copy / "schema" / "people.schema.json"
    path.write_text(path.read_text().replace('"Full name as sources usually give it."', '"Edited by hand."'))
    result = run_cli("schema", "--check", "--root", str(repo_copy))
    assert result.returncode == 1
    assert "-  " in result.stdout and "Edited by hand." in result.stdout
    assert "schema/people.schema.json" in result.stdout


def test_schema_regenerates_a_stale_descriptor(repo_copy):
    descriptor = repo_copy / "datapackage.json"
    data = json.loads(descriptor.read_text())
    data["resources"][0]["schema"]["fields"].pop()
    descriptor.write_text(json.dumps(data))
    assert run_cli("schema", "--root", str(repo_copy)).returncode == 0
    assert run_cli("schema", "--check", "--root", str(repo_copy)).returncode == 0
    assert json.loads(descriptor.read_text())["title"] == data["title"]  # hand-kept metadata survives


def test_row_schemas_are_valid_2020_12_and_accept_the_data():
    import cbcf_data

    ds = cbcf_data.load()
    for model in MODELS:
        document = json.loads((ROOT / "schema" / f"{model.table}.schema.json").read_text())
        jsonschema.Draft202012Validator.check_schema(document)
        validator = jsonschema.Draft202012Validator(document)
        for record in ds.table(model.table).values():
            validator.validate(record.model_dump(mode="json"))


def test_table_schema_carries_keys_and_constraints():
    descriptor = json.loads((ROOT / "datapackage.json").read_text())
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert [r["name"] for r in descriptor["resources"]] == [m.table for m in MODELS]
    commitments = resources["commitments"]["schema"]
    fields = {f["name"]: f for f in commitments["fields"]}
    assert commitments["primaryKey"] == ["id"]
    assert {"fields": ["meeting_id"], "reference": {"resource": "meetings", "fields": ["id"]}} in commitments["foreignKeys"]
    assert fields["modality"]["constraints"]["enum"][0] == "commit"
    assert fields["summary"]["constraints"]["required"] is True
    assert "required" not in fields.get("quote", {}).get("constraints", {})
    assert fields["quote_start"]["type"] == "integer"
    topics = resources["topics"]["schema"]
    assert {"fields": ["parent_id"], "reference": {"fields": ["id"]}} in topics["foreignKeys"]  # v2: self-reference


def test_data_dictionary_lists_every_field_and_code():
    from cbcf_data.model import codelists

    text = (ROOT / "docs" / "data-dictionary.md").read_text()
    for model in MODELS:
        assert f"### `{model.table}`" in text
        for field in model.model_fields:
            assert f"| `{field}` |" in text, (model.table, field)
    for name, codelist in codelists.CODELISTS.items():
        assert f"### {name}" in text
        for code, entry in codelist.items():
            assert f"| `{code}` | {entry.label} |" in text


def test_contributing_block_is_generated_from_codelists():
    from cbcf_data.model import codelists

    text = (ROOT / "CONTRIBUTING.md").read_text()
    block = text.split("<!-- generated:codelists:start -->")[1].split("<!-- generated:codelists:end -->")[0]
    for code, entry in codelists.MODALITY.items():
        assert f"| `{code}` | {entry.definition} |" in block
    assert "(`cbcf-2024-c07`)" in block  # the pledge example quotes the archived text


def test_template_bundle_names_every_field():
    import yaml

    from cbcf_data.model.bundle import (
        NEW_TABLES,
        Bundle,
        BundleAssessment,
        BundleAttendance,
        BundleCommitment,
        BundleMention,
        BundleTopic,
    )
    from cbcf_data.model.tables import TABLES

    template = yaml.safe_load((ROOT / "records" / "templates" / "meeting.yaml").read_text())
    assert set(template) == set(Bundle.model_fields)
    assert set(template["meeting"]) == set(TABLES["meetings"].model_fields)
    for key, model in (("attendances", BundleAttendance), ("topics", BundleTopic), ("commitments", BundleCommitment),
                       ("instrument_mentions", BundleMention)):
        assert set(template[key][0]) == set(model.model_fields), key
    assert set(template["commitments"][0]["assessments"][0]) == set(BundleAssessment.model_fields)
    for key, table in NEW_TABLES.items():
        assert set(template[key][0]) == set(TABLES[table].model_fields), key


def test_every_field_is_described_by_its_own_docstring():
    # A description on a shared type (e.g. Date) would silently replace the field's docstring.
    import ast
    import inspect

    from cbcf_data.model import tables as models

    tree = ast.parse(inspect.getsource(models))
    for node in (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name in {m.__name__ for m in MODELS}):
        model = getattr(models, node.name)
        docs = {a.target.id: b.value.value for a, b in zip(node.body, node.body[1:])
                if isinstance(a, ast.AnnAssign) and isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant)}
        assert set(docs) == set(model.model_fields), model.table
        for name, doc in docs.items():
            assert model.model_fields[name].description == doc, f"{model.table}.{name}"
            assert schema.row_schema(model)["properties"][name].get("description", doc) == doc, f"{model.table}.{name}"
