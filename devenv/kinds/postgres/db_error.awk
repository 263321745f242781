# db_error.awk: the database's message about a failed psql run, on one line.
#
#   awk -v src="psql:SCRIPT:" -v name=NAME -v csv=0|1 -f db_error.awk ERRFILE
#
# ERRFILE is psql's stderr; SCRIPT the file psql ran with -f (its error lines read
# `psql:SCRIPT:LINE: ERROR:  message`). Prints `NAME:LINE: ERROR: message`, with the
# first DETAIL appended (`: detail`); for a COPY error the CSV line from its CONTEXT
# (`NAME:LINE: message (COPY t, line LINE, column c: "x")`); `NAME: message` when csv is 1
# (SCRIPT's line means nothing to the user) or no line is known. Double spaces after
# colons become one.
index($0, src) == 1 && msg == "" {
  rest = substr($0, length(src) + 1); n = index(rest, ": ")
  line = substr(rest, 1, n - 1); msg = substr(rest, n + 2); next
}
/^CONTEXT:  COPY / && ctx == "" { ctx = substr($0, 11) }
/^DETAIL:  / && detail == "" { detail = substr($0, 10) }
msg == "" && /(ERROR|FATAL|error):/ { msg = $0 }
END {
  gsub(/:  +/, ": ", msg)
  if (detail != "" && msg != "") msg = msg ": " detail
  if (msg == "") msg = "psql failed (see the lines below)"
  if (ctx != "" && match(ctx, /, line [0-9]+/)) print name ":" substr(ctx, RSTART + 7, RLENGTH - 7) ": " msg " (" ctx ")"
  else if (csv == 1 || line == "") print name ": " msg
  else print name ":" line ": " msg
}
