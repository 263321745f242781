# client_error.awk: the database's message about a failed mysql/mariadb client run, on one line.
#
#   awk -v name=NAME -v offset=N -v lines=L -f client_error.awk ERRFILE
#
# ERRFILE is the client's stderr, whose errors read `ERROR 1064 (42000) at line 7: message`
# (the line of the client's input), `ERROR at line 2: Unknown command '\x'.` or, without an
# input line, `ERROR 2002 (HY000): Can't connect ...`. The client's input starts with OFFSET
# lines of devenv's own before the file's L lines. Prints `NAME:LINE: ERROR 1064 (42000): message`
# with LINE the file's line, or `NAME: ERROR ...` when the line is not one of the file's (or
# none is known), or `NAME: <first line>` for anything else the client said.
msg == "" && /^ERROR/ {
  if (match($0, / at line [0-9]+: /)) {
    head = substr($0, 1, RSTART - 1)
    line = substr($0, RSTART + 9, RLENGTH - 11) - offset
    msg = head ": " substr($0, RSTART + RLENGTH)
  } else {
    msg = $0
  }
  next
}
first == "" && NF { first = $0 }
END {
  if (msg == "") msg = first != "" ? first : "the client failed (no message)"
  if (line >= 1 && line <= lines) print name ":" line ": " msg
  else print name ": " msg
}
