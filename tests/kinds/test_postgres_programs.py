"""PostgreSQL's awk programs as programs, in every awk installed (mawk, gawk, busybox awk).

- csv_header.awk reads a CSV header as a CSV reader does: compared with Python's csv module.
- csv_shape.awk turns the table's columns and the header's names into the load's shape.
- db_error.awk turns psql's error output into devenv's one-line message.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devenv.kinds.programs import ROOT
from tests.kinds.seed_helpers import AWKS, installed, run_awk

HERE = ROOT / "postgres"
HEADER = ROOT / "csv_header.awk"  # shared with MySQL's program
SHAPE = HERE / "csv_shape.awk"
DB_ERROR = HERE / "db_error.awk"
BOM = b"\xef\xbb\xbf"


@pytest.fixture(params=sorted(AWKS))
def awk(request):
    if request.param not in installed(AWKS):
        pytest.skip(f"{request.param} not installed")
    return request.param


def test_the_images_awks_are_installed():
    # mawk is the Debian images' awk, busybox awk the alpine images'
    assert {"mawk", "busybox"} <= set(installed(AWKS))


# --- csv_header.awk ------------------------------------------------------------------------


def header_names(awk: str, data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    proc = run_awk(awk, HEADER, [path])
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode("utf-8")
    assert out == "" or out.endswith("\n")
    return out.split("\n")[:-1]


def python_header(data: bytes) -> list[str]:
    """The first record as Python's csv module reads it (BOM dropped as by utf-8-sig); [] when none."""
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return next(rows, [])


SAME_AS_PYTHON = {
    "plain": b"id,name,email\n1,a,b\n",
    "single column": b"id\n1\n",
    "quoted with commas": b'"last, first",id,"a,b,c"\nx,1,y\n',
    "doubled quotes": b'"say ""hi""",x,"""",""""""\n1,2,3,4\n',
    "quoted empty and trailing empty": b'"",a,\n1,2,3\n',
    "bom": BOM + b"id,name\n1,a\n",
    "crlf": b"id,name\r\n1,a\r\n",
    "bom and crlf": BOM + b'"id","full, name"\r\n1,"a, b"\r\n',
    "cr only": b"id,name\r1,a\r",
    "no final line break": b"id,name",
    "empty header line": b"\n1,2\n",
    "empty header line crlf": b"\r\n1,2\r\n",
    "bom then empty line": BOM + b"\n1,2\n",
    "empty file": b"",
    "unicode": 'ünïcødé,名前,"😀, ok",Ωmega\n1,2,3,4\n'.encode(),
    "quoted spaces kept": b'" id ","n a m e",x\n',
    "inner spaces": b"first name,last name\n",
    "quotes in quoted field with comma": b'"a"",""b",c\n',
    "only a comma": b",\n",
}


@pytest.mark.parametrize("case", sorted(SAME_AS_PYTHON))
def test_header_as_python_reads_it(awk, case, tmp_path):
    data = SAME_AS_PYTHON[case]
    assert header_names(awk, data, tmp_path) == python_header(data)


# Where devenv deliberately differs from Python's reader (see the comments in csv_header.awk).
OWN_RULES = {
    # blanks around an unquoted name are dropped (as before; `id, name` is common)
    "blanks around names": (b"id , name,\t email \n", ["id", "name", "email"]),
    "blanks around quoted names": (b' "id" , "na me" \n', ["id", "na me"]),
    "blank only": (b"   \n", [""]),
    # a quote inside a field opens a quoted section, as in PostgreSQL's COPY
    "quote inside a field": (b'a"b,c"d,e\n', ["ab,cd", "e"]),
    "quoted then text": (b'"a"b,c\n', ["ab", "c"]),
    # the BOM is dropped only at the very start
    "bom inside": ("a,\ufeffb\n".encode(), ["a", "\ufeffb"]),
}


@pytest.mark.parametrize("case", sorted(OWN_RULES))
def test_header_own_rules(awk, case, tmp_path):
    data, expected = OWN_RULES[case]
    assert header_names(awk, data, tmp_path) == expected


def test_header_stops_after_the_first_record(awk, tmp_path):
    # a large file: only the header is read (the awk exits at once)
    data = b"id,name\n" + b'1,"not, a header"\n' * 200_000
    assert header_names(awk, data, tmp_path) == ["id", "name"]


@pytest.mark.parametrize(
    "data",
    [b'"a\nb",c\n1,2\n', b'"a\r\nb",c\r\n', b'a,"b\rc"\n', b'"unclosed,a,b\n1,2,3\n', b'x,"never closed'],
    ids=["lf in name", "crlf in name", "cr in name", "unclosed quote", "unclosed at eof"],
)
def test_header_line_break_in_a_quoted_name_exits_3(awk, data, tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    assert run_awk(awk, HEADER, [path]).returncode == 3


NAME = st.text(
    alphabet=st.characters(
        categories=("Lu", "Ll", "Lo", "Nd"), include_characters=" ,\"'-_.é中😀Ωß\t", exclude_characters="\ufeff"
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(NAME, min_size=1, max_size=6),
    terminator=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
)
def test_header_property_written_by_csv_writer(awk, tmp_path, names, terminator, bom, quoting):
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator=terminator, quoting=quoting)
    writer.writerow(names)
    writer.writerow([str(i) for i in range(len(names))])
    data = (BOM if bom else b"") + text.getvalue().encode("utf-8")
    assert python_header(data) == names  # Python reads back what it wrote
    expected = [name if was_quoted(name, quoting) else name.strip(" \t") for name in names]
    assert header_names(awk, data, tmp_path) == expected


def was_quoted(name: str, quoting: int) -> bool:
    """Whether csv.writer writes ``name`` in quotes (blanks inside quotes are kept)."""
    out = io.StringIO()
    csv.writer(out, quoting=quoting).writerow([name, "x"])
    return out.getvalue().startswith('"')


# --- csv_shape.awk --------------------------------------------------------------------------


def shape(awk: str, columns: str, header: list[str], tmp_path: Path) -> tuple[dict[str, str], str]:
    (tmp_path / "columns").write_text(columns)
    (tmp_path / "header").write_text("".join(name + "\n" for name in header))
    seqs = tmp_path / "seqs"
    seqs.write_text("")
    proc = run_awk(awk, SHAPE, [tmp_path / "columns", tmp_path / "header"], {"seqs": str(seqs)})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert [line.split("\t")[0] for line in lines] == [
        "have",
        "header",
        "cols",
        "unknown",
        "dup",
        "keys",
        "sets",
        "covered",
    ]
    return dict(line.split("\t", 1) for line in lines), seqs.read_text()


USERS = "rusers\npsid\nc-email\nc-name\nc-created_at\n"  # id serial primary key, email, name, created_at


def test_shape_merge_when_the_header_holds_the_primary_key(awk, tmp_path):
    out, seqs = shape(awk, USERS, ["email", "id", "name"], tmp_path)
    assert out == {
        "have": "id, email, name, created_at",
        "header": "email, id, name",
        "cols": '"email", "id", "name"',
        "unknown": "",
        "dup": "",
        "keys": '"id"',
        "sets": '"email" = EXCLUDED."email", "name" = EXCLUDED."name"',
        "covered": "yes",
    }
    assert seqs == (
        "SELECT setval(pg_get_serial_sequence('users', 'id'), m) FROM (SELECT max(\"id\") AS m FROM users) x "
        "WHERE m IS NOT NULL;\n"
    )


def test_shape_without_the_primary_key_replaces(awk, tmp_path):
    out, seqs = shape(awk, USERS, ["email"], tmp_path)
    assert out["covered"] == "no" and out["keys"] == "" and seqs == ""


def test_shape_unknown_and_duplicate_names(awk, tmp_path):
    out, _ = shape(awk, USERS, ["id", "emial", "name", "x"], tmp_path)
    assert out["unknown"] == "emial, x" and out["dup"] == ""
    out, _ = shape(awk, USERS, ["id", "name", "id", "zzz"], tmp_path)
    assert out["dup"] == "id" and out["header"] == "id, name" and out["unknown"] == ""  # stops at the duplicate


def test_shape_without_header(awk, tmp_path):
    out, seqs = shape(awk, USERS, [], tmp_path)
    assert out["cols"] == "" and out["header"] == "" and out["covered"] == "" and seqs == ""
    assert out["have"] == "id, email, name, created_at"


def test_shape_quotes_odd_names(awk, tmp_path):
    columns = 'r"Odd \'t\'"\npsa,b\nc-say "hi"\n'
    out, seqs = shape(awk, columns, ['say "hi"', "a,b"], tmp_path)
    assert out["cols"] == '"say ""hi""", "a,b"'
    assert out["keys"] == '"a,b"' and out["sets"] == '"say ""hi""" = EXCLUDED."say ""hi"""'
    assert out["covered"] == "yes"
    assert "pg_get_serial_sequence('\"Odd ''t''\"', 'a,b')" in seqs and "FROM \"Odd 't'\"" in seqs


# --- db_error.awk ---------------------------------------------------------------------------


def db_error(awk: str, err: str, source: str, name: str, csv_file: int, tmp_path: Path) -> str:
    (tmp_path / "err").write_text(err)
    variables = {"src": f"psql:{source}:", "name": name, "csv": str(csv_file)}
    proc = run_awk(awk, DB_ERROR, [tmp_path / "err"], variables)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.decode()


DB_ERRORS = {
    "sql syntax error (docs/fixtures.md)": (
        ('psql:/fixtures/050_bad.sql:3: ERROR:  syntax error at or near "INSERTT"\n'
         "LINE 1: INSERTT INTO products VALUES (1);\n"
         "        ^\n"),
        "/fixtures/050_bad.sql", "050_bad.sql", 0,
        '050_bad.sql:3: ERROR: syntax error at or near "INSERTT"\n',
    ),
    "copy error names the csv line (docs/fixtures.md)": (
        ('psql:/tmp/tmp.abc/load.sql:26: ERROR:  invalid input syntax for type integer: "x"\n'
         'CONTEXT:  COPY order_items, line 3, column quantity: "x"\n'),
        "/tmp/tmp.abc/load.sql", "040_order_items.csv", 1,
        ('040_order_items.csv:3: ERROR: invalid input syntax for type integer: "x" '
         '(COPY order_items, line 3, column quantity: "x")\n'),
    ),
    "detail is appended": (
        ('psql:/tmp/t/load.sql:29: ERROR:  could not create unique index "events_pkey"\n'
         "DETAIL:  Key (id)=(1) is duplicated.\n"),
        "/tmp/t/load.sql", "events.csv", 1,
        'events.csv: ERROR: could not create unique index "events_pkey": Key (id)=(1) is duplicated.\n',
    ),
    "detail and copy context": (
        ('psql:/tmp/t/load.sql:26: ERROR:  duplicate key value violates unique constraint "t_pkey"\n'
         "DETAIL:  Key (id)=(1) already exists.\n"
         "CONTEXT:  COPY t, line 3\n"),
        "/tmp/t/load.sql", "t.csv", 1,
        ('t.csv:3: ERROR: duplicate key value violates unique constraint "t_pkey": Key (id)=(1) already exists. '
         "(COPY t, line 3)\n"),
    ),
    "csv file: the script's line is not shown": (
        "psql:/devenv/columns.sql:1: ERROR:  improper relation name (too many dotted names): a.b.c.d\n",
        "/devenv/columns.sql", "060_a.b.c.d.csv", 1,
        "060_a.b.c.d.csv: ERROR: improper relation name (too many dotted names): a.b.c.d\n",
    ),
    "plain error line (no connection)": (
        ('psql: error: connection to server at "127.0.0.1", port 5432 failed: FATAL:  password authentication '
         'failed for user "devenv"\n'),
        "-", "devenv_fixtures", 0,
        ('devenv_fixtures: psql: error: connection to server at "127.0.0.1", port 5432 failed: FATAL: password '
         'authentication failed for user "devenv"\n'),
    ),
    "error in another script than the one named": (
        "psql:/devenv/record.sql:1: ERROR:  permission denied for table devenv_fixtures\n",
        "/fixtures/010_a.sql", "010_a.sql", 0,
        "010_a.sql: psql:/devenv/record.sql:1: ERROR: permission denied for table devenv_fixtures\n",
    ),
    "first error wins": (
        ("psql:/fixtures/a.sql:2: ERROR:  relation \"x\" does not exist\n"
         "psql:/fixtures/a.sql:5: ERROR:  current transaction is aborted\n"),
        "/fixtures/a.sql", "a.sql", 0,
        'a.sql:2: ERROR: relation "x" does not exist\n',
    ),
    "nothing on stderr": ("", "-", "reset", 0, "reset: psql failed (see the lines below)\n"),
    "only notices": ("WARNING:  something\n", "-", "reset", 0, "reset: psql failed (see the lines below)\n"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(DB_ERRORS))
def test_db_error(awk, case, tmp_path):
    err, source, name, csv_file, expected = DB_ERRORS[case]
    assert db_error(awk, err, source, name, csv_file, tmp_path) == expected
