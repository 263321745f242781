#!/bin/sh
# devenv check: runs one service's checks inside its dev image, one after another, in
# the image's working directory (its code). Mounted read-only at /devenv/checks/run.sh
# by devenv/checks/runner.py, which reads the output:
#
#   run.sh TOKEN KIND PROBE COMMAND [KIND PROBE COMMAND ...]
#
# PROBE and COMMAND are shell-quoted command lines (PROBE may be empty). Per check it
# prints marker lines, each on a line of its own and carrying TOKEN so that no tool
# output can fake one:
#
#   @@devenv-check TOKEN begin KIND
#   @@devenv-check TOKEN skip KIND            (the probe failed; its output follows)
#   @@devenv-check TOKEN stdout KIND          (the command's stdout follows)
#   @@devenv-check TOKEN stderr KIND          (its stderr follows)
#   @@devenv-check TOKEN end KIND CODE        (its exit code)
#
# stdout and stderr are kept apart (JSON reports go to stdout, errors to stderr).
set -u
token=$1
shift
work=$(mktemp -d 2>/dev/null || echo "/tmp/devenv-check-$$")
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

mark() {
    printf '\n@@devenv-check %s %s\n' "$token" "$*"
}

while [ "$#" -ge 3 ]; do
    kind=$1
    probe=$2
    command=$3
    shift 3
    mark begin "$kind"
    if [ -n "$probe" ] && ! (eval "$probe") >"$work/probe" 2>&1 </dev/null; then
        mark skip "$kind"
        cat "$work/probe"
        mark end "$kind" 0
        continue
    fi
    (eval "$command") >"$work/stdout" 2>"$work/stderr" </dev/null
    code=$?
    mark stdout "$kind"
    cat "$work/stdout"
    mark stderr "$kind"
    cat "$work/stderr"
    mark end "$kind" "$code"
done
