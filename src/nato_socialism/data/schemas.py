"""Schemas of the bundled data files and the reader that enforces them.

Each CSV in ``data/files`` has a pandera schema stating the type, the allowed range and
whether a column may be empty. :func:`read_validated` reads a file with the conventions of
``SOURCES.md`` and turns any schema violation into one :class:`~nato_socialism.errors.UserError`
that names the file, the column, the first offending lines and values, and what was expected.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from nato_socialism.errors import UserError

ISO3_PATTERN = r"^[A-Z]{3}$|^OWID_[A-Z]{3}$"
UN_REGIONS = ("Africa", "Americas", "Asia", "Europe", "Oceania")
UN_SUBREGIONS = (
    "Northern Africa",
    "Sub-Saharan Africa",
    "Latin America and the Caribbean",
    "Northern America",
    "Central Asia",
    "Eastern Asia",
    "South-eastern Asia",
    "Southern Asia",
    "Western Asia",
    "Eastern Europe",
    "Northern Europe",
    "Southern Europe",
    "Western Europe",
    "Australia and New Zealand",
    "Melanesia",
    "Micronesia",
    "Polynesia",
)
# Years a data value may refer to; the upper bound leaves room for a refresh.
YEAR_MIN, YEAR_MAX = 1950, 2030
# How many offending values an error message shows per column and check.
SHOWN = 5

_whole = pa.Check(lambda s: s.isna() | (s % 1 == 0), name="whole_number")


def _number(
    low: float | None = None,
    high: float | None = None,
    *,
    positive: bool = False,
    whole: bool = False,
    nullable: bool = True,
) -> pa.Column:
    """Return a float column with a range check and a readable ``description``.

    The description is what error messages print as "expected".
    """
    checks = []
    if positive:
        checks.append(pa.Check.gt(0))
        expected = "a number > 0"
    elif low is not None and high is not None:
        checks.append(pa.Check.in_range(low, high))
        expected = f"a number from {low:g} to {high:g}"
    elif low is not None:
        checks.append(pa.Check.ge(low))
        expected = f"a number >= {low:g}"
    else:
        expected = "a number"
    if whole:
        checks.append(_whole)
        expected = expected.replace("a number", "a whole number")
    if nullable:
        expected += " (or empty)"
    return pa.Column(float, checks, nullable=nullable, coerce=True, description=expected)


def _text(*checks: pa.Check, expected: str = "non-empty text") -> pa.Column:
    return pa.Column(str, list(checks), nullable=False, description=expected)


def _year(nullable: bool = True) -> pa.Column:
    return _number(YEAR_MIN, YEAR_MAX, whole=True, nullable=nullable)


_ISO3 = pa.Check.str_matches(ISO3_PATTERN)
_ISO3_EXPECTED = "an ISO3 code (3 capital letters, or OWID_ plus 3 letters)"


# Columns are built by functions, not shared: pandera sets a column's name on the object.
def _bool() -> pa.Column:
    return pa.Column(bool, nullable=False, description="True or False")


def _indicators() -> dict[str, pa.Column]:
    """Return the indicator columns shared by the snapshot and the panel."""
    return {
        "gdppc_ppp_2021intl": _number(positive=True),
        "gdppc_maddison_2011intl": _number(positive=True),
        "vdem_electoral_democracy": _number(0, 1),
        "vdem_regime_row": _number(0, 3, whole=True),
        "vdem_liberal_democracy": _number(0, 1),
        "eiu_democracy_index": _number(0, 10),
        "polity2": _number(-10, 10, whole=True),
        "refugees_by_origin": _number(0, whole=True),
        "refugees_by_asylum": _number(0, whole=True),
    }


_SNAPSHOT_ONLY_INDICATORS = {
    "gdppc_ppp_current_intl": _number(positive=True),
    "migrant_stock": _number(0, whole=True),
    "migrant_stock_pct": _number(0, 100),
    "unemployment_pct": _number(0, 100),
    "gini": _number(0, 100),
    "extreme_poverty_pct": _number(0, 100),
    "life_expectancy": _number(0, 120),
    "urban_pct": _number(0, 100),
}


def _snapshot_columns() -> dict[str, pa.Column]:
    columns = {
        "iso3": pa.Column(
            str, _ISO3, unique=True, nullable=False, description=_ISO3_EXPECTED + ", unique"
        ),
        "name": _text(),
        "un_member": _bool(),
        "region_un": _text(
            pa.Check.isin(UN_REGIONS), expected="a UN region: " + ", ".join(UN_REGIONS)
        ),
        "subregion_un": _text(pa.Check.isin(UN_SUBREGIONS), expected="a UN M49 sub-region name"),
        "continent": _text(),
        "continent_owid": _text(),
        "population": _number(positive=True, whole=True, nullable=False),
        "population_year": _year(nullable=False),
        "population_source": _text(pa.Check.isin(["WB", "OWID"]), expected="WB or OWID"),
    }
    # Every indicator carries a `<column>_year` stating the year the value refers to,
    # except migrant_stock_pct which shares migrant_stock_year.
    for column, spec in {**_indicators(), **_SNAPSHOT_ONLY_INDICATORS}.items():
        columns[column] = spec
        if column != "migrant_stock_pct":
            columns[f"{column}_year"] = _year()
    return columns


SNAPSHOT_SCHEMA = pa.DataFrameSchema(_snapshot_columns(), name="countries_snapshot")

PANEL_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": pa.Column(str, _ISO3, nullable=False, description=_ISO3_EXPECTED),
        "name": _text(),
        "historical_entity": _bool(),
        "year": _year(nullable=False),
        "population_owid": _number(positive=True, whole=True),
        "population_wb": _number(positive=True, whole=True),
        **_indicators(),
    },
    unique=["iso3", "year"],
    name="country_year_panel",
)

CENTROIDS_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": pa.Column(str, _ISO3, unique=True, nullable=False, description=_ISO3_EXPECTED),
        "lat": _number(-90, 90, nullable=False),
        "lon": _number(-180, 180, nullable=False),
        "centroid_source": _text(),
    },
    name="geography_centroids",
)

NEIGHBOURS_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": pa.Column(str, _ISO3, nullable=False, description=_ISO3_EXPECTED),
        "neighbour": pa.Column(str, _ISO3, nullable=False, description=_ISO3_EXPECTED),
        "kind": _text(),
        "distance_km": _number(0, nullable=False),
    },
    unique=["iso3", "neighbour"],
    name="geography_neighbours",
)


# Party elections reach back before the panel (a 1950 start looks ten years back).
PARTY_YEAR_MIN = 1940
PARTY_SOURCES = ("parlgov", "vparty")
PARTY_CLASSES = ("radical_left", "moderate_left", "radical_right")


def _numbers(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Columns as numbers, NaN where a value is not one (its column check reports it)."""
    return frame[columns].apply(pd.to_numeric, errors="coerce")


# The class shares are rounded to 0.01 each, so their sum may pass `positioned` by 0.03.
_CLASSES_WITHIN_POSITIONED = pa.Check(
    lambda f: ~(_numbers(f, list(PARTY_CLASSES)).sum(axis=1, min_count=3)
                > _numbers(f, ["positioned"])["positioned"] + 0.05),
    error="radical_left + moderate_left + radical_right <= positioned (the classes are part of the "
    "positioned vote)",
)
_DATE_IN_YEAR = pa.Check(
    lambda f: f["date"].isna()
    | _numbers(f, ["year"])["year"].isna()
    | (f["date"].astype(str).str[:4] == _numbers(f, ["year"])["year"].astype("Int64").astype(str)),
    error="a date in the election's year",
)

PARTY_ELECTIONS_SCHEMA = pa.DataFrameSchema(
    {
        "iso3": pa.Column(str, _ISO3, nullable=False, description=_ISO3_EXPECTED),
        "source": _text(pa.Check.isin(PARTY_SOURCES), expected="parlgov or vparty"),
        "year": _number(PARTY_YEAR_MIN, YEAR_MAX, whole=True, nullable=False),
        "date": pa.Column(
            str, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$"), nullable=True,
            description="a date YYYY-MM-DD (or empty)",
        ),
        **{name: _number(0, 100, nullable=False) for name in (*PARTY_CLASSES, "positioned")},
        **{f"{name}_parties": pa.Column(str, nullable=True, description="text (or empty)")
           for name in PARTY_CLASSES},
    },
    checks=[_CLASSES_WITHIN_POSITIONED, _DATE_IN_YEAR],
    unique=["iso3", "source", "year", "date"],
    name="party_elections",
)


def read_validated(path: Path, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Read a bundled CSV and validate it against ``schema``.

    Parameters
    ----------
    path
        The CSV file (the caller has checked that it exists).
    schema
        One of the schemas of this module.

    Returns
    -------
    pandas.DataFrame
        The validated frame, numeric columns as float64.

    Raises
    ------
    UserError
        If the file is not CSV or violates the schema.
    """
    try:
        # "NA" is Namibia's ISO2 code and North America's continent code, not a missing value.
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise UserError(f"{path} is not a readable UTF-8 CSV file: {exc}") from None
    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise UserError(_summarise(path, schema, frame, exc.failure_cases)) from None


def _summarise(
    path: Path, schema: pa.DataFrameSchema, frame: pd.DataFrame, cases: pd.DataFrame
) -> str:
    """Turn pandera's failure cases into a short list: one line per column and check."""
    problems = [
        f"column '{column}' is missing"
        for column in cases.loc[cases["check"] == "column_in_dataframe", "failure_case"]
    ]
    repeated = cases.loc[cases["check"] == "multiple_fields_uniqueness", "index"]
    if not repeated.empty:
        keys = ", ".join(schema.unique)
        found = _row_list(frame, repeated.astype(int).drop_duplicates(), schema)
        problems.append(f"columns ({keys}): expected each ({keys}) once; repeated in {found}")
    # Checks across columns (schema ``checks``) name their rule in ``check``.
    across = (cases["schema_context"] == "DataFrameSchema") & ~cases["check"].isin(
        ["column_in_dataframe", "multiple_fields_uniqueness"]
    )
    for check, group in cases[across].groupby("check", sort=False):
        rows = group["index"].dropna().astype(int).drop_duplicates()
        if rows.empty:  # the check could not run on a broken column, reported below
            continue
        problems.append(f"rows: expected {check}; found {_row_list(frame, rows, schema)}")
    # A value that is not a number fails coercion, then the dtype and range checks too;
    # only the coercion failure says what is wrong.
    uncoercible = set(cases.loc[cases["check"].str.startswith("coerce_dtype"), "column"])
    for (column, check), group in cases[~across].groupby(["column", "check"], sort=False):
        if check in ("column_in_dataframe", "multiple_fields_uniqueness") or (
            column in uncoercible and not check.startswith("coerce_dtype")
        ):
            continue
        rows = group["index"].dropna().astype(int).drop_duplicates()
        if check.startswith(("coerce_dtype", "dtype")):
            expected = schema.columns[column].description.replace(" (or empty)", "")
        elif check == "field_uniqueness":
            expected = "unique values"
        elif check == "not_nullable":
            expected = "a value in every row"
        else:
            expected = schema.columns[column].description
        if rows.empty:  # the column as a whole has the wrong type
            found = f"type {group['failure_case'].iloc[0]}"
            if str(schema.columns[column].dtype) == "bool":
                odd = frame.index[~frame[column].astype(str).isin(["True", "False"])]
                found += ", e.g. " + _row_list(frame, odd.to_series(), schema, column, True)
        elif check == "not_nullable":
            found = "an empty field " + _row_list(frame, rows, schema, column)
        else:
            found = _row_list(frame, rows, schema, column, values=True)
        problems.append(f"column '{column}': expected {expected}; found {found}")
    listing = "\n".join(f"  - {problem}" for problem in problems)
    return f"{path} is not valid ({len(problems)} problem(s)):\n{listing}"


def _row_list(
    frame: pd.DataFrame,
    rows: pd.Series,
    schema: pa.DataFrameSchema,
    column: str | None = None,
    values: bool = False,
) -> str:
    """Describe the first offending rows as "'value' (line L, iso3 X, year Y)"."""
    described = []
    for row in rows.iloc[:SHOWN]:
        keys = [f"line {row + 2}"]  # +1 for the header, +1 because lines count from 1
        for key in ("iso3", "year"):
            if key != column and key in frame and key in schema.columns:
                keys.append(f"{key} {frame.at[row, key]}")
        where = f"({', '.join(keys)})"
        described.append(f"{_plain(frame.at[row, column])!r} {where}" if values else where)
    more = f" and {len(rows) - SHOWN} more" if len(rows) > SHOWN else ""
    return ", ".join(described) + more


def _plain(value: object) -> object:
    """Unwrap numpy scalars so that messages show 1.7, not np.float64(1.7)."""
    return value.item() if hasattr(value, "item") else value
