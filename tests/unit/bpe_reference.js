#!/usr/bin/env node
// Reference o200k splitter for tests/unit/bpe_test.cpp.
// Usage: node bpe_reference.js NPM_DIR < text
//   NPM_DIR: the folder scripts/npm-deps installs into (<build>/npm).
// Reads UTF-8 text on stdin, encodes it with gpt-tokenizer (o200k_base, all text
// ordinary, no special tokens) and prints a JSON array with the bytes of each
// token, base64-encoded (tokens may be partial UTF-8 sequences). The bytes come
// from gpt-tokenizer's own rank table, not from tiktoken's file.
'use strict';
const path = require('path');
const { createRequire } = require('module');

if (process.argv.length < 3) {
  process.stderr.write('usage: node bpe_reference.js NPM_DIR < text\n');
  process.exit(2);
}
const req = createRequire(path.join(path.resolve(process.argv[2]), 'package.json'));
const { encode } = req('gpt-tokenizer/encoding/o200k_base');
const ranksModule = req('gpt-tokenizer/bpeRanks/o200k_base');
const ranks = ranksModule.default || ranksModule;

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const text = Buffer.concat(chunks).toString('utf8');
  const ids = encode(text, { disallowedSpecial: new Set() });
  const out = ids.map((id) => {
    const t = ranks[id];
    if (t === undefined) throw new Error(`token id ${id} has no bytes`);
    return (typeof t === 'string' ? Buffer.from(t, 'utf8') : Buffer.from(t)).toString('base64');
  });
  process.stdout.write(JSON.stringify(out) + '\n');
});
