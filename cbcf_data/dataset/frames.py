"""Tables as pandas DataFrames: typed columns (nullable `Int64`, `string`), codes as categoricals
in codelist order, and the primary key as the index. pandas is an optional extra."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cbcf_data.errors import CbcfDataError

if TYPE_CHECKING:
    from cbcf_data.model.tables import Record


def pandas_dtypes(model: type[Record]) -> dict[str, Any]:
    """Column -> pandas dtype of a table: `Int64` for integers, a categorical of its codelist for a
    coded field, `string` for the rest (pandas is imported only for the categoricals)."""
    from cbcf_data.model.codelists import CODELISTS
    from cbcf_data.model.table_schema import codelists_of, table_schema

    coded = codelists_of(model)
    dtypes: dict[str, Any] = {}
    for field in table_schema(model)["fields"]:
        name = field["name"]
        if name in coded:
            import pandas as pd

            dtypes[name] = pd.CategoricalDtype(list(CODELISTS[coded[name]]))
        else:
            dtypes[name] = "Int64" if field["type"] == "integer" else "string"
    return dtypes


def frame(model: type[Record], records: Iterable[Record], index: bool = True) -> Any:
    """One table's DataFrame; indexed by its primary key unless `index` is False."""
    try:
        import pandas as pd
    except ImportError:
        raise CbcfDataError("to_pandas() needs pandas: pip install 'cbcf-data[pandas]'") from None
    dtypes = pandas_dtypes(model)
    rows = [record.model_dump() for record in records]
    data = {column: [row[column] for row in rows] for column in dtypes}
    result = pd.DataFrame(data, columns=list(dtypes)).astype(dtypes)
    if index:
        result = result.set_index(list(model.primary_key))
    return result
