"""The input layer: every supported input becomes the same columns, without touching the caller's data."""

import datetime as dt

import assay
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
from assay._frame import as_column, as_frame


def test_contiguous_float64_columns_cross_without_copy():
    df = pd.DataFrame({"a": np.arange(10.0), "b": np.ones(10)})
    frame = as_frame(df)
    assert np.shares_memory(frame.column("a").values, df["a"].to_numpy())
    fortran = np.asfortranarray(np.random.default_rng(0).normal(size=(50, 3)))
    frame = as_frame(fortran)
    assert np.shares_memory(frame.column("x1").values, fortran)


def test_c_ordered_and_float32_arrays_convert_once(rng):
    data = rng.normal(size=(100, 4))
    for variant in (data, np.asfortranarray(data), data.astype(np.float32), data[:, ::-1][:, ::-1], data[::2]):
        frame = as_frame(variant, feature_names=list("abcd"))
        assert frame.names == list("abcd")
        np.testing.assert_array_equal(frame.column("c").values, np.asarray(variant, dtype=np.float64)[:, 2])
        assert all(c.values.flags.c_contiguous for c in frame.columns)


def test_pandas_dtypes():
    df = pd.DataFrame(
        {
            "int": [1, 2, 3],
            "nullable_int": pd.array([1, None, 3], dtype="Int64"),
            "nullable_bool": pd.array([True, None, False], dtype="boolean"),
            "float32": np.array([1.5, np.nan, 2.5], dtype=np.float32),
            "text": pd.array(["a", None, "b"], dtype="string"),
            "objects": ["x", None, "x"],
            "cat": pd.Categorical(["lo", "hi", None]),
            "when": pd.to_datetime(["2024-01-01", None, "2024-01-02"]),
            "when_tz": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02"]).tz_localize("Europe/Berlin"),
            "delta": pd.to_timedelta([1, 2, None], unit="s"),
        }
    )
    before = df.copy(deep=True)
    frame = as_frame(df)
    kinds = {c.name: (c.kind, c.source_dtype) for c in frame.columns}
    assert kinds["nullable_int"] == ("numeric", "integer")
    assert kinds["text"] == ("categorical", "string")
    assert kinds["cat"] == ("categorical", "category")
    assert kinds["when"] == ("numeric", "datetime")
    np.testing.assert_array_equal(frame.column("nullable_int").values, [1, np.nan, 3])
    np.testing.assert_array_equal(frame.column("nullable_bool").values, [1, np.nan, 0])
    assert frame.column("objects").values.tolist() == [0, -1, 0]
    assert frame.column("when").values[1] != frame.column("when").values[1]  # NaT -> NaN
    assert frame.column("when").values[2] - frame.column("when").values[0] == 86400
    assert frame.column("when_tz").values[0] == pd.Timestamp("2023-12-31 23:00").timestamp()
    assert frame.column("delta").values[1] == 2.0
    pd.testing.assert_frame_equal(df, before)  # the caller's data is untouched
    report = assay.check(df)
    assert report.profile["text"]["missing"] == 1


def test_arrow_and_polars_give_the_same_profile_as_pandas(rng):
    df = pd.DataFrame({"x": rng.normal(size=500), "s": rng.choice(["p", "q", "r"], 500), "i": rng.integers(0, 9, 500)})
    df.loc[3, "x"] = np.nan
    expected = assay.profile(df).to_dict()
    table = pa.Table.from_pandas(df, preserve_index=False)
    assert assay.profile(table).to_dict() == expected
    assert assay.profile(pl.from_pandas(df)).to_dict() == expected
    dictionary = table.set_column(1, "s", table.column("s").dictionary_encode())
    assert assay.profile(dictionary).to_dict() == expected


def test_arrow_nulls_and_chunks():
    chunked = pa.chunked_array([[1.0, None], [3.0]])
    column = as_column(chunked, name="c")
    np.testing.assert_array_equal(column.values, [1.0, np.nan, 3.0])
    strings = as_column(pa.array(["a", None, "a"]), name="s")
    assert strings.values.tolist() == [0, -1, 0]


def test_numpy_strings_objects_and_mixed_types():
    frame = as_frame({"s": np.array(["b", "a", "b"]), "o": np.array([1, "1", None], dtype=object)})
    assert frame.column("s").labels == ["a", "b"]
    mixed = frame.column("o")
    assert mixed.type_counts == {"int": 1, "str": 1}
    assert len(set(mixed.labels)) == 2  # 1 and "1" stay apart
    report = assay.check({"o": np.array([1, "1", None, 2.5], dtype=object)})
    assert any(f.check == "mixed_types" for f in report.findings)


def test_target_can_be_an_array_or_a_series(rng):
    x = rng.normal(size=200)
    y = (x > 0).astype(int)
    by_array = assay.check({"x": x}, target=y)
    by_series = assay.check(pd.DataFrame({"x": x}), target=pd.Series(y, name="label"))
    assert any(f.check == "target_leakage" for f in by_array.findings)
    assert any(f.check == "target_leakage" and f.column == "x" for f in by_series.findings)
    assert by_series.inputs["target"] == "label"


def test_dates_from_python_objects():
    frame = as_frame({"d": np.array([dt.datetime(2020, 1, 1), dt.datetime(2020, 1, 2)], dtype="datetime64[s]")})
    assert frame.column("d").source_dtype == "datetime"
