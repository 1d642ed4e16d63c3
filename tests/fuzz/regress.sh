#!/usr/bin/env bash
# ctest regression pass of one libFuzzer target (no mutation): runs FUZZER once
# over every seed in $SX_BINARY_DIR/seeds/TARGET (made by make_seeds.py) and
# every saved crash input in tests/fuzz/regressions/TARGET/.
# Usage: regress.sh FUZZER TARGET   (ctest sets SX_SOURCE_DIR and SX_BINARY_DIR)
set -euo pipefail
fuzzer=$1 target=$2
src=${SX_SOURCE_DIR:?} build=${SX_BINARY_DIR:?}
python3 "$src/tests/fuzz/make_seeds.py" "$src" "$build" "$target"
seeds=$build/seeds/$target
regs=$src/tests/fuzz/regressions/$target
n_seeds=$(find "$seeds" -type f | wc -l)
# -runs=0 over a directory: load (run) the whole corpus once, then stop.
"$fuzzer" -runs=0 -max_len=4096 -timeout=10 -rss_limit_mb=2048 "$seeds"
n_regs=0
if [[ -d $regs ]] && compgen -G "$regs/*" >/dev/null; then
  n_regs=$(find "$regs" -type f | wc -l)
  # File arguments: each is run once (a crash input larger than -max_len too).
  "$fuzzer" -timeout=10 -rss_limit_mb=2048 "$regs"/*
fi
echo "regress.sh: $target: $n_seeds seeds and $n_regs regression inputs passed"
