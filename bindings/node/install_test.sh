#!/usr/bin/env bash
# The Node package installed as users install it, offline: `npm pack` of
# bindings/node, `npm install` of the tarball into a new project (its install
# step copies the addon, the library and the workers of BUILD_DIR), then the
# package's tests against the installed copy. Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export npm_config_cache=$tmp/npm-cache npm_config_offline=true npm_config_audit=false npm_config_fund=false
export npm_config_update_notifier=false
(cd "$tmp" && npm pack --silent "$here" > pack.txt)
mkdir "$tmp/app"
cd "$tmp/app"
echo '{"name": "app", "version": "1.0.0", "private": true}' > package.json
STREAMEXEC_BUILD_DIR=$build npm install --silent "$tmp/$(tail -1 "$tmp/pack.txt")"
env -u STREAMEXEC_NODE_ADDON node -e '
  const s = require("streamexec");
  console.log("installed:", s.addonPath);
  if (!s.addonPath.includes("/node_modules/streamexec/native/")) process.exit(1);'
# The tests, run from the installed copy (they find the repository's examples by ROOT).
cp -r "$here/test" node_modules/streamexec/test
sed -i "s|path.resolve(__dirname, '..', '..', '..')|'$(cd "$here/../.." && pwd)'|" node_modules/streamexec/test/session.test.js
env -u STREAMEXEC_NODE_ADDON node --test node_modules/streamexec/test/
