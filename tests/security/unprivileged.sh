#!/usr/bin/env bash
# unprivileged.sh SECURITY_TEST — the red-team suite as an unprivileged user
# (nobody): the sandbox then rests on unprivileged user namespaces, and the
# process limit on RLIMIT_NPROC. Needs root to switch users (exit 77: skipped,
# when not root — then the suite already runs unprivileged).
set -euo pipefail
bin=$1
if [ "$(id -u)" != 0 ]; then
  echo "not root: the suite itself runs unprivileged here"
  exit 77
fi
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
cd "$work"
# A home the unprivileged user owns (HostHomeHidden writes a file in it).
mkdir home && chown nobody:nogroup home
exec setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env -- \
  env HOME="$work/home" PATH=/usr/local/bin:/usr/bin:/bin "$bin"
