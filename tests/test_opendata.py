"""The open data of the demo build: the Parquet files hold what the CSV files hold, typed,
and nothing suppressed; the data package describes every file in /data/ and validates."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import frictionless
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.base.registry import Registry, load_registry
from pipeline.build import build, compute, prepare
from pipeline.site.files import FORMULA_PREFIXES, csv_safe
from tests.conftest import NOW, ROOT

TABLES = ("statistics", "institution-months")


def csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    return header, rows


def unescaped(cell: str) -> str:
    """A CSV cell as the data had it: the formula guard (a leading ') taken off."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_PREFIXES) else cell


def test_parquet_holds_the_csv_cell_for_cell_typed(site, site_data):
    assert_parquet_is_the_csv(site, load_registry(site_data))
    stats = pq.read_table(site / "data" / "statistics.parquet").to_pylist()
    assert any(r["indicator_label"] == "受理投诉举报" for r in stats)  # Chinese kept


def assert_parquet_is_the_csv(site: Path, reg: Registry) -> None:
    """Each Parquet file holds its CSV file's columns and rows, cell for cell: the CSV's
    formula guard taken off, a blank or the suppression marker null, figures typed."""
    marker = f"<{reg.config.suppression_threshold}"
    counts = {c for c, i in reg.indicators.items() if i.kind == "count"}
    figures = {*reg.indicators, *reg.measures}
    markers = 0
    for name in TABLES:
        header, rows = csv_rows(site / "data" / f"{name}.csv")
        table = pq.read_table(site / "data" / f"{name}.parquet")
        assert table.column_names == header
        types = dict(zip(table.column_names, table.schema.types, strict=True))
        assert types["period"] == pa.string()  # YYYY-MM as text, as in the CSV
        numeric = {"value", "reporting", "expected", *figures} & set(header)
        for column in numeric:
            whole = column in counts or column in ("reporting", "expected")
            assert types[column] == (pa.int64() if whole else pa.float64()), column
        assert all(types[c] == pa.string() for c in header if c not in numeric)
        parquet_rows = [list(r.values()) for r in table.to_pylist()]
        assert len(parquet_rows) == len(rows) > 0
        for csv_row, parquet_row in zip(rows, parquet_rows, strict=True):
            expected = []
            for column, cell in zip(header, map(unescaped, csv_row), strict=True):
                if column not in numeric:
                    expected.append(cell)
                elif cell in ("", marker):
                    markers += cell == marker
                    expected.append(None)
                else:
                    expected.append(float(cell) if "." in cell else int(cell))
            assert parquet_row == expected, (name, csv_row)
    assert markers > 0  # suppressed cells were among those compared


def test_a_negative_figure_stays_a_number_in_the_csv():
    # A cell that is a number is not a formula; one that only starts like one is escaped.
    assert csv_safe(["-3", "-0.25", "-1+2", "-", "=1", "+86 10", "@x"]) == [
        "-3",
        "-0.25",
        "'-1+2",
        "'-",
        "'=1",
        "'+86 10",
        "'@x",
    ]


def test_no_suppressed_value_reaches_a_parquet_file(site, site_data):
    """Every cell the suppression hides (its value is still in the canonical table) is
    null in the Parquet files, and no column's footer statistics reveal one."""
    prep = prepare(site_data, NOW, run_collect=False)
    table = compute(prep, NOW, lambda _: None).aggregates.table
    hidden = table[table.suppressed]
    assert (hidden.value >= 1).any()  # real figures were hidden
    stats = {
        (r["level"], r["entity_id"], r["period_type"], r["period"], r["indicator"]): r
        for r in pq.read_table(site / "data" / "statistics.parquet").to_pylist()
    }
    months = {
        (r["institution_id"], r["period"]): r
        for r in pq.read_table(site / "data" / "institution-months.parquet").to_pylist()
    }
    seen = {"statistics": 0, "institution-months": 0}
    for cell in hidden.itertuples():
        if cell.level != "institution":
            row = stats[(cell.level, cell.entity, cell.period_type, cell.period, cell.indicator)]
            assert row["value"] is None and row["status"] == "suppressed", row
            seen["statistics"] += 1
        elif cell.period_type == "month":
            assert months[(cell.entity, cell.period)][cell.indicator] is None
            seen["institution-months"] += 1
    assert all(seen.values()), seen
    for name in TABLES:
        file = pq.ParquetFile(site / "data" / f"{name}.parquet")
        values = file.read()
        for g in range(file.metadata.num_row_groups):
            group = file.metadata.row_group(g)
            for c in range(group.num_columns):
                chunk = group.column(c)
                column = values.column(chunk.path_in_schema).drop_null()
                if chunk.statistics is None or not chunk.statistics.has_min_max:
                    continue
                # Footer statistics come from published cells only.
                assert chunk.statistics.min == min(column.to_pylist())
                assert chunk.statistics.max == max(column.to_pylist())


def test_the_data_package_lists_every_file_and_validates(site):
    data = site / "data"
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    paths = [r["path"] for r in package["resources"]]
    files = {p.name for p in data.iterdir() if p.is_file()} - {"index.html", "datapackage.json"}
    assert sorted(paths) == sorted(files)
    for resource in package["resources"]:
        assert {"name", "path", "format", "mediatype", "title", "description"} <= set(resource)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in resource["description"])
        if resource["format"] in ("csv", "parquet"):
            for field in resource["schema"]["fields"]:
                assert field["type"] and field.get("title"), (resource["name"], field)
    assert package["licenses"][0]["name"] == "CC-BY-4.0" and package["sources"]
    keys = {r["name"]: r["schema"].get("primaryKey") for r in package["resources"] if "schema" in r}
    assert keys["institution-months"] == keys["institution-months-parquet"]
    assert keys["institution-months"] == ["institution_id", "period"]

    report = frictionless.validate(data / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "message"])
    rows = {task.name: task.stats.get("rows") for task in report.tasks}
    for resource in package["resources"]:  # every row was read, not just the header
        if resource["format"] == "csv":
            assert rows[resource["name"]] == len(csv_rows(data / resource["path"])[1]) > 0
        if resource["format"] == "parquet":
            assert (
                rows[resource["name"]] == pq.ParquetFile(data / resource["path"]).metadata.num_rows
            )


def test_the_package_refuses_a_csv_that_breaks_its_schema(site, tmp_path):
    """The validation is a real one: the published description of statistics.csv
    refuses the file once a figure in it is not a number."""
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"] = [r for r in package["resources"] if r["name"] == "statistics"]
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    header, rows = csv_rows(site / "data" / "statistics.csv")
    rows[0][header.index("value")] = "约12"
    with (tmp_path / "statistics.csv").open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows([header, *rows])
    report = frictionless.validate(tmp_path / "datapackage.json")
    errors = [(t.name, e.type, e.field_name) for t in report.tasks for e in t.errors]
    assert errors == [("statistics", "type-error", "value")]


def test_two_builds_write_the_same_parquet_bytes(site, site_data, tmp_path):
    """A second build, in another process (another hash seed), gives the same bytes; the
    files carry no time stamp."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    env |= {"PYTHONPATH": str(ROOT), "TZ": "UTC", "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    again = tmp_path / "again"
    command = [sys.executable, "-m", "pipeline", "build", "--data", site_data, "--out", again]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    for name in TABLES:
        first = (site / "data" / f"{name}.parquet").read_bytes()
        assert first == (again / "data" / f"{name}.parquet").read_bytes(), name
        meta = pq.ParquetFile(site / "data" / f"{name}.parquet").metadata
        assert set(meta.metadata) == {b"ARROW:schema"}
        assert meta.created_by.startswith("parquet-cpp-arrow version")
    assert (site / "data" / "datapackage.json").read_bytes() == (
        again / "data" / "datapackage.json"
    ).read_bytes()


@pytest.mark.parametrize("name", TABLES)
def test_a_journalist_reads_the_parquet_with_duckdb(site, name):
    """DuckDB, in a process of its own (as a journalist runs it; it also keeps DuckDB out
    of the test process, whose builds fork), reads the types the package declares."""
    path = (site / "data" / f"{name}.parquet").as_posix()
    script = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect()\n"
        "types = con.sql(f\"DESCRIBE SELECT * FROM '{sys.argv[1]}'\").fetchall()\n"
        "count = con.sql(f\"SELECT count(*) FROM '{sys.argv[1]}'\").fetchall()[0][0]\n"
        "print(json.dumps({'types': {c[0]: c[1] for c in types}, 'rows': count}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, path], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    read = json.loads(done.stdout)
    assert read["rows"] == len(csv_rows(site / "data" / f"{name}.csv")[1])
    assert read["types"]["period"] == "VARCHAR"
    if name == "statistics":
        assert read["types"]["value"] == "DOUBLE"
        assert read["types"]["indicator_label"] == "VARCHAR"
    else:
        assert read["types"]["staff_trained"] == "BIGINT"
        assert read["types"]["training_coverage"] == "DOUBLE"


def test_text_escaped_in_the_csv_is_itself_in_parquet_and_the_package_holds(data_dir, tmp_path):
    """Names a spreadsheet would run as formulas: escaped in the CSV (a text column of the
    package accepts that), unescaped in the Parquet file, and the package validates."""
    registry = data_dir / "registry" / "institutions.csv"
    text = registry.read_text(encoding="utf-8")
    text = text.replace(",青岚区人民医院,", ',"=HYPERLINK(""https://x.example"",""区人民医院"")",')
    text = text.replace(",城东街道,", ",-城东街道,")
    registry.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    build(data_dir, out, now=NOW, config_file=ROOT / "mkdocs.yml")
    header, rows = csv_rows(out / "data" / "institution-months.csv")
    name = header.index("institution_name")
    escaped = {r[name] for r in rows if r[0] == "qinglan-renmin"}
    assert escaped == {'\'=HYPERLINK("https://x.example","区人民医院")'}
    months = pq.read_table(out / "data" / "institution-months.parquet").to_pylist()
    names = {r["institution_name"] for r in months if r["institution_id"] == "qinglan-renmin"}
    assert names == {'=HYPERLINK("https://x.example","区人民医院")'}
    stats = pq.read_table(out / "data" / "statistics.parquet").to_pylist()
    assert "-城东街道" in {r["entity_id"] for r in stats if r["level"] == "district"}
    assert "'-城东街道" in (out / "data" / "statistics.csv").read_text(encoding="utf-8-sig")
    assert_parquet_is_the_csv(out, load_registry(data_dir))
    report = frictionless.validate(out / "data" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
