#!/usr/bin/env bash
# Installs the build into a temporary prefix, moves the prefix elsewhere
# (relocation), then builds tests/consumer against it with CMake
# (find_package) and with pkg-config, and runs both and the installed CLI.
# Usage: consumer_test.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
. "$src/tests/support/check.sh"

cmake --install "$build" --prefix "$tmp/first" > "$tmp/install.log" 2>&1
check "cmake --install into a prefix" $?
mv "$tmp/first" "$tmp/moved"
p=$tmp/moved
ls "$p"/lib*/libstreamexec.so.0 > /dev/null 2>&1 || ls "$p"/lib/*/libstreamexec.so.0 > /dev/null 2>&1
check "SONAME file libstreamexec.so.0" $?
soname=$(objdump -p "$p"/lib*/libstreamexec.so 2>/dev/null | awk '/SONAME/ {print $2}')
[ "$soname" = libstreamexec.so.0 ]
check "SONAME is libstreamexec.so.0 (got '$soname')" $?
others=$(nm -D --defined-only "$p"/lib*/libstreamexec.so | awk '$3 !~ /^sx_/ {print $3}' | head -3)
n_api=$(nm -D --defined-only "$p"/lib*/libstreamexec.so | awk '$3 ~ /^sx_/' | wc -l)
[ -z "$others" ] && [ "$n_api" -gt 20 ]
check "the library exports the C API only ($n_api sx_* symbols; others: '${others//$'\n'/ }')" $?
# Start-up cost of every process that loads the library: libcurl (29 more
# libraries) is loaded at the first chat request, and no grammar's ATN is
# built before main (scheduler/chat/curl_api.h, grammars/lazy_init.cmake).
needed=$(objdump -p "$p"/lib*/libstreamexec.so | awk '/NEEDED/ {print $2}' | tr '\n' ' ')
! grep -q curl <<<"$needed"
check "libcurl is not linked, it is loaded on use (NEEDED: $needed)" $?
ctors=$(nm -C "$build"/grammars/libsx_grammar_*.a 2>/dev/null | grep -c "::_init$")
[ "$ctors" = 0 ]
check "no generated recognizer defines a static Initializer _init (found $ctors)" $?
[ -x "$p/libexec/streamexec/streamexec-worker-python" ]
check "workers in libexec/streamexec" $?
! grep -rq "$build" "$p/lib"/cmake "$p/lib"/pkgconfig 2>/dev/null
check "no path of the build tree in the package files" $?

# No executable or library looks for libraries in the current directory: an
# empty or relative RUNPATH element (CMake pads a build RUNPATH that differs
# from the install's with one) would load a libc.so.6 planted where the CLI
# runs, before any sandbox. Checked in the build tree and the installed copy.
bad_runpaths() {
  local f rp
  for f in "$@"; do
    [ -f "$f" ] && head -c4 "$f" | grep -q ELF || continue
    rp=$(objdump -p "$f" 2>/dev/null | awk '$1 == "RUNPATH" || $1 == "RPATH" {print $2}')
    [ -n "$rp" ] || continue
    # elements: empty (leading/trailing/double colon) or not absolute/$ORIGIN
    if grep -Eq '(^|:)(:|$)' <<<"$rp" || tr ':' '\n' <<<"$rp" | grep -Evq '^(/|\$ORIGIN)'; then
      echo "$f: $rp"
    fi
  done
}
bad=$(bad_runpaths "$build"/bin/* "$build"/lib/*.so* "$p"/bin/* "$p"/lib*/*.so* "$p"/lib*/*/*.so* \
  "$p"/libexec/streamexec/*)
[ -z "$bad" ]
check "no RUNPATH element is empty or relative (${bad//$'\n'/; })" $?
mkdir -p "$tmp/cwd"
searched=$(cd "$tmp/cwd" && LD_DEBUG=libs "$build/bin/streamexec" --version 2>&1 >/dev/null |
  awk '/trying file=/ {sub(/.*trying file=/, ""); if ($0 !~ /^\//) print}' | head -3)
[ -z "$searched" ]
check "the CLI looks for no library in the current directory (tried: ${searched//$'\n'/ })" $?

cmake -S "$src/tests/consumer" -B "$tmp/cm" -DCMAKE_PREFIX_PATH="$p" > "$tmp/cm.log" 2>&1 &&
  cmake --build "$tmp/cm" >> "$tmp/cm.log" 2>&1
check "CMake consumer: find_package(streamexec 0.3 CONFIG REQUIRED) builds" $?
out=$(env -i PATH=/usr/bin:/bin "$tmp/cm/consumer" 2>&1)
[ "$out" = "consumer 42" ]
check "CMake consumer runs a unit with the installed workers (got '$out')" $?

export PKG_CONFIG_PATH=$(dirname "$(ls -d "$p"/lib*/pkgconfig | head -1)")/pkgconfig
cc -Wall -Wextra -o "$tmp/pc_consumer" "$src/tests/consumer/consumer.c" $(pkg-config --cflags --libs streamexec) \
  -Wl,-rpath,"$(pkg-config --variable=libdir streamexec)" > "$tmp/pc.log" 2>&1
check "pkg-config consumer builds ($(pkg-config --modversion streamexec 2>/dev/null))" $?
out=$(env -i PATH=/usr/bin:/bin "$tmp/pc_consumer" 2>&1)
[ "$out" = "consumer 42" ]
check "pkg-config consumer runs (got '$out')" $?

printf 'print("cli", 1 + 1)\n' > "$tmp/a.py"
out=$(env -i PATH=/usr/bin:/bin "$p/bin/streamexec" run "$tmp/a.py" --rate 0 2>&1)
grep -q "│ cli 2" <<<"$out"
check "installed CLI runs (finds its library and workers after relocation)" $?

[ $fails = 0 ] || { cat "$tmp"/*.log | tail -40; }
echo "$fails failed"
[ $fails = 0 ]
