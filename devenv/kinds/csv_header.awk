# csv_header.awk: the column names in a CSV file's header (its first record), one per line.
#
#   LC_ALL=C awk -f csv_header.awk FILE
#
# Shared by the seeding programs of PostgreSQL and MySQL/MariaDB (each kind names it in its
# shared_programs). Why awk: this runs in the database images, which have no Python; and
# neither COPY nor LOAD DATA can be asked for the fields of one record without knowing how
# many there are (the load needs a target with exactly that many columns), which is the
# question. LOAD DATA (FIELDS ... OPTIONALLY ENCLOSED BY '"' ESCAPED BY '') reads the same
# quoting as the rules below. So this is a
# character-level CSV reader (RFC 4180), reading the record the way COPY ... (FORMAT csv)
# reads one, so that the names line up with the fields COPY reads in the data rows:
# - fields end at commas; a double quote opens a quoted section, in which a comma is text
#   and "" is one quote. As in COPY, a quote in the middle of a field opens a quoted section
#   too (`a"b,c"d` is one field, ab,cd), where RFC 4180 would call the field malformed;
# - the record ends at the first line break outside quotes: LF, CRLF or a CR alone (COPY
#   takes all three);
# - a UTF-8 byte order mark at the start of the file is dropped (COPY skips the header
#   record as a whole, BOM included: only the first name would carry it).
#
# Blanks (spaces, tabs) around a name, outside quotes, are dropped: `id, name` names `id`
# and `name`. COPY keeps every character of an unquoted field, but it never reads the
# header's names (HEADER true skips the record); devenv reads them to name the columns of
# the load, and always dropped those blanks (people write `id, name`, and a name that
# really starts or ends with a blank is rare and can be quoted: `" name "`).
#
# An empty first line (or an empty file) prints nothing: there is no header. A line break
# inside quotes (a name holding one, or a quote never closed) exits 3, printing nothing
# more: devenv cannot name such a column (the table's column list it compares with is
# line-based too), and stopping there keeps an unclosed quote from reading the whole file.
# Run it with LC_ALL=C (as seed.sh does): bytes, so any UTF-8 name passes through as is.
{
  s = $0
  if (substr(s, 1, 3) == "\357\273\277") s = substr(s, 4)
  n = length(s)
  field = ""; blanks = ""; started = 0; quoted = 0
  for (i = 1; i <= n; i++) {
    c = substr(s, i, 1)
    if (quoted) {
      if (c == "\"") {
        if (substr(s, i + 1, 1) == "\"") { field = field c; i++ }
        else quoted = 0
      } else if (c == "\r") exit 3
      else field = field c
    } else if (c == "\"") {
      field = field blanks; blanks = ""; started = 1; quoted = 1
    } else if (c == ",") {
      print field; field = ""; blanks = ""; started = 0
    } else if (c == "\r") {
      break
    } else if (c == " " || c == "\t") {
      if (started) blanks = blanks c
    } else {
      field = field blanks c; blanks = ""; started = 1
    }
  }
  if (quoted) exit 3
  if (i > 1) print field
  exit
}
