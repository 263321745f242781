# quotes.awk: the number of the first line redis-cli cannot split (unbalanced quotes, or a
# closing quote not followed by a space), or nothing when every line splits.
#
#   awk -f quotes.awk COMMANDS
#
# redis-cli skips such a line and runs the rest, so seed.sh checks first. Its rules: in
# "double quotes" a backslash escapes the next character; in 'single quotes' only \' does.
{
  q = ""; ok = 1; s = $0
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (q == "") { if (c == "\"" || c == "'") q = c }
    else if (q == "\"" && c == "\\") i++
    else if (q == "'" && c == "\\" && substr(s, i + 1, 1) == "'") i++
    else if (c == q) { q = ""; n = substr(s, i + 1, 1); if (n != "" && n != " ") { ok = 0; break } }
  }
  if (q != "" || !ok) { print NR; exit }
}
