# Sourced by the shell test scripts: a temporary folder removed at exit, and
# check NAME STATUS, which prints "ok"/"FAIL" and counts ($passes, $fails).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
passes=0
check() {  # check NAME CONDITION-EXIT-CODE
  if [ "$2" -eq 0 ]; then echo "ok   $1"; passes=$((passes + 1)); else echo "FAIL $1"; fails=$((fails + 1)); fi
}
