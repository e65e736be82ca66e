"""Reading data files for the command line and the audit: CSV, Parquet and JSON through pandas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import InvalidInputError, MissingDependencyError

__all__ = ["FORMATS", "input_file", "read_table"]

#: File formats by extension.
FORMATS = {".csv": "csv", ".parquet": "parquet", ".json": "json"}


def input_file(path: str | Path, what: str) -> Path:
    """An existing regular file, else an InvalidInputError naming it."""
    file = Path(path)
    if not file.exists():
        raise InvalidInputError(f"{what} {path}: no such file")
    if not file.is_file():
        raise InvalidInputError(f"{what} {path}: not a file (a directory?)")
    return file


def read_table(path: str | Path, what: str = "data", format: str | None = None) -> Any:
    """A pandas DataFrame read from a .csv, .parquet or .json file.

    Parameters
    ----------
    path : str or pathlib.Path
    what : str
        Named in error messages ("data", "reference", ...).
    format : {"csv", "parquet", "json"} or None
        None: from the extension.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    InvalidInputError
        A missing or unreadable file, or an unsupported format.
    MissingDependencyError
        Without pandas (or pyarrow for Parquet).
    """
    file = input_file(path, what)
    suffix = file.suffix.lower()
    if format is None:
        if suffix not in FORMATS:
            kind = f"type '{suffix}'" if suffix else "type (no extension)"
            raise InvalidInputError(f"{what} {path}: unsupported file {kind}; use .csv, .parquet or .json")
        format = FORMATS[suffix]
    try:
        import pandas as pd
    except ImportError:
        raise MissingDependencyError(
            "reading data files needs pandas, which is not installed: pip install 'assay[frames]'"
        ) from None
    readers = {"csv": pd.read_csv, "parquet": pd.read_parquet, "json": pd.read_json}
    try:
        return readers[format](file)
    except ImportError as error:  # parquet without pyarrow
        raise MissingDependencyError(
            f"{what} {path}: reading {format} needs {error.name or 'pyarrow'}: pip install 'assay[frames]'"
        ) from None
    except (ValueError, OSError) as error:  # pandas' parser errors and pyarrow's are ValueErrors
        raise InvalidInputError(f"{what} {path}: cannot read the file ({error})") from None
