"""``oimtool convert``: a CSV/TSV/Excel export to the order-item JSON, row by row.

``header`` finds the header and plans the columns, ``cells`` reads each cell as its field's
value, ``rows`` turns a batch of rows into checked items, and ``run`` loops over the source's
rows (or its pieces, in worker processes) and writes the outputs.
"""

from .header import ConvertError, ReadOptions
from .run import Conversion

__all__ = ["Conversion", "ConvertError", "ReadOptions"]
