#!/usr/bin/env node
// Reference statement spans for the JavaScript conformance harness
// (tests/conformance/conformance.cpp), computed by acorn, a parser we did not
// write.
//
// Usage: node js_acorn_spans.js NODE_MODULES_DIR < list-of-paths
//   NODE_MODULES_DIR: where scripts/npm-deps installed acorn (BUILD/npm/node_modules).
//
// Prints one JSON object per input path, one line each:
//   {"path": ..., "goal": "script" | "module", "ok": bool,
//    "error": message or null, "pos": byte offset of the error or null,
//    "spans": [[begin, end], ...]}        // Program.body, UTF-8 byte offsets, end exclusive
// The goal comes from the file name, as test262-parser-tests names them:
// "*.module.js" is parsed as a module, anything else as a script.
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');

if (process.argv.length < 3) {
  process.stderr.write('usage: node js_acorn_spans.js NODE_MODULES_DIR < paths\n');
  process.exit(2);
}
const acorn = require(path.join(path.resolve(process.argv[2]), 'acorn'));

// acorn positions are UTF-16 code unit indices into the decoded string; the
// chunker reports byte offsets into the UTF-8 text. byteOffsets[i] is the
// byte offset of code unit i (and byteOffsets[length] the file size).
function byteOffsets(text) {
  const out = new Uint32Array(text.length + 1);
  let b = 0;
  for (let i = 0; i < text.length; ++i) {
    out[i] = b;
    const c = text.charCodeAt(i);
    if (c < 0x80) b += 1;
    else if (c < 0x800) b += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out[i + 1] = b;  // the low surrogate: same code point
        b += 4;
        ++i;
        continue;
      }
      b += 3;
    } else b += 3;
  }
  out[text.length] = b;
  return out;
}

function describe(file) {
  const goal = path.basename(file).includes('.module.js') ? 'module' : 'script';
  const out = {path: file, goal, ok: false, error: null, pos: null, spans: []};
  const text = fs.readFileSync(file, 'utf8');
  const bytes = byteOffsets(text);
  let ast;
  try {
    ast = acorn.parse(text, {ecmaVersion: 'latest', sourceType: goal, allowHashBang: true});
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;  // e.g. RangeError: stack overflow
    out.error = String(e.message);
    out.pos = typeof e.pos === 'number' ? bytes[Math.min(e.pos, text.length)] : null;
    return out;
  }
  out.ok = true;
  for (const node of ast.body) out.spans.push([bytes[node.start], bytes[node.end]]);
  return out;
}

const rl = readline.createInterface({input: process.stdin, crlfDelay: Infinity});
rl.on('line', (line) => {
  if (line.length === 0) return;
  let r;
  try {
    r = describe(line);
  } catch (e) {
    // Not a parse error: the file could not be read, or acorn overflowed its
    // stack (deep nesting). Say so; the harness treats it as "no reference".
    r = {path: line, goal: null, ok: false, error: 'reference failure: ' + String(e.message), pos: null,
         spans: [], failure: true};
  }
  process.stdout.write(JSON.stringify(r) + '\n');
});
