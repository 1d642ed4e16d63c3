#!/usr/bin/env bash
# `pip install bindings/python` offline (no index) into a temporary folder,
# then the package's tests against the installed copy (its bundled library
# and workers; no STREAMEXEC_LIBRARY). Usage: install_test.sh BUILD_DIR PYTHON
set -euo pipefail
build=$1
python=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A copy of the package, so that pip's build folders never land in the tree.
cp -r "$here" "$tmp/src"
rm -rf "$tmp/src/build" "$tmp/src"/*.egg-info
STREAMEXEC_BUILD_DIR=$build "$python" -m pip install -q --no-index --no-deps --disable-pip-version-check \
  --root-user-action=ignore --target "$tmp/site" "$tmp/src"
cd "$tmp"
env -u STREAMEXEC_LIBRARY STREAMEXEC_TEST_INSTALLED=1 PYTHONPATH="$tmp/site" \
  "$python" -c 'import streamexec, sys; print("installed:", streamexec.library_path); sys.exit(0 if "/site/" in streamexec.library_path else 1)'
env -u STREAMEXEC_LIBRARY STREAMEXEC_TEST_INSTALLED=1 PYTHONPATH="$tmp/site" \
  "$python" -m pytest -q -p no:cacheprovider "$here/tests"
