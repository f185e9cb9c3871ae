"""How a record shows itself: a one-line repr (`<Meeting cbcf-2024: 2024-07-11, Washington>`), an
HTML table in notebooks, and a `dir()` without Pydantic's deprecated v1 methods, which are
also refused with the name of their replacement (`record.dict()` → use `model_dump()`)."""

from __future__ import annotations

from typing import NoReturn

#: Fields that label a record's repr: the first group with a value filled wins (a person's name;
#: a meeting's date and place; a commitment's summary).
LABELS = (("name",), ("title",), ("label",), ("role",), ("start_date", "city"), ("summary",), ("status",), ("note",))
#: Characters a repr takes at most (its label is cut to fit, keeping at least 24).
REPR_WIDTH = 100
#: Pydantic v1 names still on every v2 model (deprecated), and what to use instead.
RETIRED = {
    "dict": "model_dump()", "json": "model_dump_json()", "copy": "model_copy()", "parse_obj": "model_validate()",
    "parse_raw": "model_validate_json()", "parse_file": "model_validate_json(path.read_text())",
    "from_orm": "model_validate()", "construct": "model_construct()", "schema": "model_json_schema()",
    "schema_json": "json.dumps(model_json_schema())", "validate": "model_validate()",
    "update_forward_refs": "model_rebuild()", "__fields__": "model_fields", "__fields_set__": "model_fields_set",
    "_iter": "model_dump()", "_copy_and_set_values": "model_copy()", "_get_value": "model_dump()",
    "_calculate_keys": "model_dump()",
}


#: Pydantic API read from the class, deprecated on an instance.
CLASS_ONLY = {"model_fields", "model_computed_fields"}


class _Retired:
    """A Pydantic v1 name: reading it raises AttributeError saying what replaces it."""

    def __init__(self, replacement: str) -> None:
        self.replacement = replacement
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> NoReturn:
        raise AttributeError(f"{self.name} is Pydantic v1 API, not part of cbcf_data records: use {self.replacement}")


class Display:
    """Mixed into every record: short repr, notebook HTML, v1 names hidden and refused."""

    __slots__ = ()

    for _name, _replacement in RETIRED.items():
        locals()[_name] = _Retired(_replacement)
    del _name, _replacement

    def _label(self) -> str:
        values = vars(self)
        for group in LABELS:
            filled = [str(values[field]) for field in group if values.get(field)]
            if filled:
                return ", ".join(filled)
        return ""

    def __repr__(self) -> str:
        key = getattr(self, "key", None)
        shown = "/".join(map(str, key)) if isinstance(key, tuple) else str(key)
        head = f"<{type(self).__name__} {shown}"
        label = " ".join(self._label().split())
        room = max(REPR_WIDTH - len(head) - 3, 24)
        if len(label) > room:
            label = label[: room - 1].rstrip() + "…"
        return head + (f": {label}" if label else "") + ">"

    def _repr_html_(self) -> str:
        import html  # here: a record printed as text, or a command, needs none of it

        rows = "".join(f"<tr><th style='text-align:left'>{html.escape(name)}</th><td style='text-align:left'>"
                       f"{html.escape(str(value))}</td></tr>" for name, value in vars(self).items() if value is not None)
        return f"<table><caption>{html.escape(repr(self))}</caption>{rows}</table>"

    def __getattr__(self, name: str) -> object:  # say what replaces a v1 name (Pydantic's says only "no attribute")
        if name in RETIRED:
            raise AttributeError(f"{name} is Pydantic v1 API, not part of cbcf_data records: use {RETIRED[name]}")
        return super().__getattr__(name)  # type: ignore[misc]

    def __dir__(self) -> list[str]:
        return sorted(name for name in object.__dir__(self) if name not in RETIRED and name not in CLASS_ONLY)

