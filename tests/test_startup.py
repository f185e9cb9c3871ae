"""What keeps start-up short without changing anything a command does: the models' field
descriptions read with one parse (`model.docstrings`), and Pydantic's plugins in the CLI."""

from __future__ import annotations

import os
import sys

import pytest
from pydantic import BaseModel, ConfigDict
from pydantic._internal import _docs_extraction, _fields

from cbcf_data import cli
from cbcf_data.model import docstrings
from cbcf_data.model.tables import MODELS


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_descriptions_are_pydantics_own(model):
    own = _docs_extraction.extract_docstrings_from_cls(model, use_inspect=True)
    assert own and set(own) <= set(model.model_fields)
    assert {name: field.description for name, field in model.model_fields.items()} == {
        name: own.get(name) for name in model.model_fields}


def test_pydantic_gets_its_function_back():
    assert _fields.extract_docstrings_from_cls is _docs_extraction.extract_docstrings_from_cls


def test_other_classes_go_pydantics_way():
    restore = docstrings.read_once("cbcf_data.model.tables")
    try:
        assert _fields.extract_docstrings_from_cls is not _docs_extraction.extract_docstrings_from_cls

        class Meeting(BaseModel):  # the name of a model there, in another module
            model_config = ConfigDict(use_attribute_docstrings=True)
            place: str
            """Where it was held."""
    finally:
        restore()
    assert Meeting.model_fields["place"].description == "Where it was held."
    assert _fields.extract_docstrings_from_cls is _docs_extraction.extract_docstrings_from_cls


def test_the_cli_leaves_pydantic_plugins_off_unless_asked(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["cbcf-data", "--version"])
    for given, kept in ((None, "__all__"), ("", ""), ("logfire", "logfire")):
        if given is None:
            monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
        else:
            monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", given)
        with pytest.raises(SystemExit):
            cli.main()
        assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == kept
    capsys.readouterr()
