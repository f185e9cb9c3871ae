"""Layer 3, the dataset in memory: `load()` and the `Dataset` of `Table`s it returns.

Standard library only at import time (models are imported when a record is first typed), so
`import cbcf_data` and `load()` of the packaged dataset stay cheap.
"""

from cbcf_data.dataset.loading import load
from cbcf_data.dataset.tables import Dataset, Table

__all__ = ["Dataset", "Table", "load"]
