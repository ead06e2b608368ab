"""Record IDs of a table may not differ only in the zeros before their number (EV-0014, EV-00014)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jkdata.columns import (
    take_texts,
)
from jkdata.problems import Problem
from jkdata.validate.structure import Table

# An ID's letters, then its number without leading zeros: EV-0014 and EV-00014 give EV-14.
_ID_NUMBER = r"^([^0-9]*?)0*([0-9]+)$"


def id_number_problems(table: Table) -> list[Problem]:
    """Two record IDs of a table must not differ only in the zeros before their number
    (`EV-0014` and `EV-00014`): readers, and sorting by number, take them for one record. IDs
    all of one width cannot (the usual case, and nothing is computed then)."""
    from jkdata.columns import codes_of, first_of_codes, fixed_width

    key = table.resource.primary_key
    if table.arrow is None or len(key) != 1 or len(table) < 2:
        return []
    column = table.column(key[0])
    if not pa.types.is_string(column.type) or fixed_width(column):
        return []
    codes, distinct = codes_of(pc.replace_substring_regex(column, _ID_NUMBER, r"\1\2"))
    if distinct == len(codes):
        return []
    first = first_of_codes(codes)
    rows = np.flatnonzero(first != np.arange(len(first)))
    values, earlier = take_texts(column, rows), take_texts(column, first[rows])
    return [
        Problem.of(
            "id_number",
            table.label,
            row + 2,
            key[0],
            value,
            other=other,
            other_row=int(first[row]) + 2,
        )
        for row, value, other in zip(rows.tolist(), values, earlier, strict=True)
        if value is not None and value != other  # an exact repeat is the primary key's problem
    ]
