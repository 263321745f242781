# csv_shape.awk: what loading a CSV into its table takes, from the table's columns and the
# CSV header's names.
#
#   awk -v seqs=SEQFILE -f csv_shape.awk COLUMNS HEADER >SHAPE
#
# COLUMNS is the output of columns.sql (`r` and the table, then per column `p`/`c`,
# `s`/`-` and its name); HEADER the names csv_header.awk printed, one per line (none: no
# header). Prints `key<TAB>value` lines: have (the table's columns), header (the names),
# cols (the names as quoted identifiers, for the COPY column list), unknown (names the
# table lacks), dup (a name given twice), keys (the primary key's columns in the header),
# sets (the ON CONFLICT updates of the other header columns) and covered (yes when the
# header holds the whole primary key, so a merge is possible). Writes to SEQFILE one
# setval per loaded column fed by a sequence, to move it past the loaded values.
function ident(s) { gsub(/"/, "\"\"", s); return "\"" s "\"" }
function text(s) { gsub(/'/, "''", s); return "'" s "'" }
function add(list, item) { return list == "" ? item : list ", " item }
FNR == NR {
  if (substr($0, 1, 1) == "r") { rel = substr($0, 2); next }
  col = substr($0, 3); n++; name[n] = col; known[col] = 1
  pk[col] = substr($0, 1, 1) == "p"; sq[col] = substr($0, 2, 1) == "s"
  have = add(have, col); next
}
{ named = 1 }
dup == "" {
  c = $0
  if (c in hdr) { dup = c; next }
  hdr[c] = 1; header = add(header, c); cols = add(cols, ident(c))
  if (!(c in known)) unknown = add(unknown, c)
}
END {
  if (named) {
    covered = "yes"
    for (i = 1; i <= n; i++) {
      c = name[i]
      if (c in hdr) {
        if (pk[c]) keys = add(keys, ident(c)); else sets = add(sets, ident(c) " = EXCLUDED." ident(c))
        if (sq[c]) printf "SELECT setval(pg_get_serial_sequence(%s, %s), m) FROM (SELECT max(%s) AS m FROM %s) x WHERE m IS NOT NULL;\n", text(rel), text(c), ident(c), rel > seqs
      } else if (pk[c]) covered = "no"
    }
    if (keys == "") covered = "no"
  }
  print "have\t" have; print "header\t" header; print "cols\t" cols; print "unknown\t" unknown
  print "dup\t" dup; print "keys\t" keys; print "sets\t" sets; print "covered\t" covered
}
