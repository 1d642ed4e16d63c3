#!/usr/bin/env node
'use strict';
// npm's install step: copies the addon, libstreamexec.so.0 and the workers of
// a build of this repository (STREAMEXEC_BUILD_DIR, default ../../build from
// the package's source folder) into native/, where index.js loads them (the
// addon finds the library in native/lib, the library its workers in
// native/libexec/streamexec). Offline: nothing is downloaded.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const here = path.resolve(__dirname, '..');
const build = path.resolve(process.env.STREAMEXEC_BUILD_DIR || path.join(here, '..', '..', 'build'));
const addon = path.join(build, 'bindings', 'node', 'streamexec.node');
if (!fs.existsSync(addon)) {
  if (fs.existsSync(path.join(here, 'native', 'streamexec.node'))) process.exit(0);  // already there
  console.error(`streamexec: no addon at ${addon}: build the repository (scripts/setup) or set STREAMEXEC_BUILD_DIR`);
  process.exit(1);
}
const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'streamexec-node-'));
try {
  execFileSync('cmake', ['--install', build, '--prefix', prefix], { stdio: 'ignore' });
  const native = path.join(here, 'native');
  fs.rmSync(native, { recursive: true, force: true });
  fs.mkdirSync(path.join(native, 'lib'), { recursive: true });
  const lib = ['lib', path.join('lib', 'x86_64-linux-gnu'), 'lib64']
      .map((d) => path.join(prefix, d, 'libstreamexec.so.0')).find((f) => fs.existsSync(f));
  fs.copyFileSync(lib, path.join(native, 'lib', 'libstreamexec.so.0'));
  fs.cpSync(path.join(prefix, 'libexec'), path.join(native, 'libexec'), { recursive: true });
  fs.copyFileSync(addon, path.join(native, 'streamexec.node'));
  // The library finds its workers next to itself: native/lib/../libexec/streamexec.
} finally {
  fs.rmSync(prefix, { recursive: true, force: true });
}
