#!/usr/bin/env node
// Frontend benchmark baseline: tree-sitter incremental reparse after every token.
//
//   node bench/frontend/treesitter_incremental.js [--lang python] [--reps 3] [--max-seconds S]
//        [--json OUT] N.tokens.json…
//
// Each N.tokens.json (written by `streamexec-bench --frontend LANG --frontend-out DIR`) is a JSON
// array of token strings. Starting from an empty text, every token is appended with tree.edit()
// and parser.parse(input, oldTree) — real incremental parsing, the old tree is always passed.
// Reported: µs per token = total time of all edits + parses / tokens, best of --reps runs (fewer
// if a run takes longer than --max-seconds: 100 k tokens take minutes), in process CPU time
// (user + system, all threads: the busy machine's other processes do not count) and wall time.
// Checked after each run: the final incremental tree equals a fresh full parse of the same text
// (same S-expression) and, if the full parse has no ERROR/MISSING node, neither has it.
//
// Positions: node-tree-sitter parses UTF-16 (TSInputEncodingUTF16) and takes every index and
// column in UTF-16 code units (it doubles them into tree-sitter's byte offsets), so indices here
// are JS string lengths and columns count code units after the last '\n'.
//
// Input: the text lives in blocks of BLOCK code units and parse() reads it through a callback
// that returns the rest of the block holding the requested offset. Passing the whole string
// instead makes V8 flatten the concatenated string and the binding copy up to 32 K code units
// per read — O(text) per token, which would charge tree-sitter for string handling, not for
// parsing (`--input string` measures that variant; node-tree-sitter 0.21 rejects strings over
// 32 K code units unless bufferSize covers them, so it passes one from there on).
// Modules are resolved from NODE_PATH (scripts/bench sets BUILD/npm/node_modules).
'use strict';

const fs = require('fs');
const path = require('path');

function usage(msg) {
  if (msg) process.stderr.write(`treesitter_incremental: ${msg}\n`);
  process.stderr.write('usage: treesitter_incremental.js [--lang python|javascript] [--reps N] ' +
                       '[--max-seconds S] [--input chunks|string] [--json OUT] FILE.tokens.json…\n');
  process.exit(2);
}

const args = { lang: 'python', reps: 3, maxSeconds: Infinity, input: 'chunks', json: '', files: [] };
for (let i = 2; i < process.argv.length; ++i) {
  const a = process.argv[i];
  const val = () => { if (i + 1 >= process.argv.length) usage(`${a} needs a value`); return process.argv[++i]; };
  if (a === '--lang') args.lang = val();
  else if (a === '--reps') args.reps = parseInt(val(), 10);
  else if (a === '--input') args.input = val();
  else if (a === '--max-seconds') args.maxSeconds = parseFloat(val());
  else if (a === '--json') args.json = val();
  else if (a === '-h' || a === '--help') usage('');
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else args.files.push(a);
}
if (!args.files.length) usage('no tokens file');
if (!(args.reps >= 1)) usage('--reps must be >= 1');
if (args.input !== 'chunks' && args.input !== 'string') usage('--input is chunks or string');

let Parser, Language;
try {
  Parser = require('tree-sitter');
  Language = require(args.lang === 'javascript' ? 'tree-sitter-javascript' : `tree-sitter-${args.lang}`);
} catch (e) {
  usage(`cannot load tree-sitter for ${args.lang} (run scripts/npm-deps BUILD and set ` +
        `NODE_PATH=BUILD/npm/node_modules): ${e.message}`);
}

const BLOCK = 1024;  // code units per text block

// Appends tokens one by one; returns {ms, cpuMs, tree, text}.
function runIncremental(parser, tokens) {
  const blocks = [''];
  let length = 0, row = 0, column = 0;  // end of the text: index and point, UTF-16 code units
  const readChunks = (index) => {
    const b = Math.floor(index / BLOCK);
    return b < blocks.length ? blocks[b].slice(index - b * BLOCK) : '';
  };
  let whole = '';
  const readInput = args.input === 'chunks' ? readChunks : null;
  let tree = null;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const tok of tokens) {
    // Append to the blocks (the last one fills up to BLOCK code units).
    if (readInput) {
      let rest = tok;
      while (rest.length) {
        const room = BLOCK - blocks[blocks.length - 1].length;
        if (room === 0) { blocks.push(''); continue; }
        blocks[blocks.length - 1] += rest.slice(0, room);
        rest = rest.slice(room);
      }
    } else {
      whole += tok;
    }
    const start = { row, column };
    const nl = tok.lastIndexOf('\n');
    if (nl < 0) {
      column += tok.length;
    } else {
      for (let k = tok.indexOf('\n'); k >= 0; k = tok.indexOf('\n', k + 1)) ++row;
      column = tok.length - nl - 1;
    }
    const end = { row, column };
    if (tree) {
      tree.edit({
        startIndex: length, oldEndIndex: length, newEndIndex: length + tok.length,
        startPosition: start, oldEndPosition: start, newEndPosition: end,
      });
    }
    length += tok.length;
    tree = readInput ? parser.parse(readInput, tree)
      : parser.parse(whole, tree, whole.length < 32768 ? {} : { bufferSize: whole.length + 1 });
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1e3, tree, text: readInput ? blocks.join('') : whole };
}

function countErrors(node) {
  // ERROR and MISSING nodes of the tree (iterative walk with a cursor).
  let n = 0;
  const c = node.walk();
  for (;;) {
    const cur = c.currentNode;
    if (cur.type === 'ERROR' || cur.isMissing) ++n;
    if (cur.hasError && c.gotoFirstChild()) continue;
    while (!c.gotoNextSibling()) {
      if (!c.gotoParent()) return n;
    }
  }
}

const results = [];
for (const file of args.files) {
  const tokens = JSON.parse(fs.readFileSync(file, 'utf8'));
  const expected = tokens.join('');
  const parser = new Parser();
  parser.setLanguage(Language);
  let best = Infinity, bestCpu = Infinity, spent = 0, runs = 0;
  let check = null;
  for (let rep = 0; rep < args.reps && spent < args.maxSeconds * 1000; ++rep) {
    const r = runIncremental(parser, tokens);
    ++runs;
    spent += r.ms;
    best = Math.min(best, r.ms);
    bestCpu = Math.min(bestCpu, r.cpuMs);
    if (r.text !== expected) throw new Error(`${file}: rebuilt text differs from the tokens`);
    if (rep === 0) {
      // Through a callback too: node-tree-sitter 0.21 rejects a string input over 32 K code units
      // ("Invalid argument") unless bufferSize is raised.
      const full = parser.parse((index) => expected.slice(index, index + 16 * BLOCK));
      const incErrors = countErrors(r.tree.rootNode), fullErrors = countErrors(full.rootNode);
      const same = r.tree.rootNode.toString() === full.rootNode.toString();
      check = { same_as_full_parse: same, error_nodes: incErrors, full_parse_error_nodes: fullErrors };
      if (!same || incErrors !== fullErrors) {
        process.stderr.write(`treesitter_incremental: ${file}: incremental tree differs from a full parse ` +
                             `(${incErrors} vs ${fullErrors} ERROR/MISSING nodes)\n`);
        process.exitCode = 1;
      }
    }
  }
  const label = path.basename(file).replace(/\.tokens\.json$/, '');
  const res = {
    label, tokens: tokens.length, bytes: Buffer.byteLength(expected, 'utf8'), runs,
    input: args.input, total_ms: best, us_per_token: best * 1000 / tokens.length,
    cpu_us_per_token: bestCpu * 1000 / tokens.length, ...check,
  };
  results.push(res);
  process.stdout.write(`tree-sitter incremental ${label}: ${res.tokens} tokens, ` +
                       `${res.cpu_us_per_token.toFixed(1)} CPU ` +
                       `µs/token, ${res.us_per_token.toFixed(1)} wall (best of ${runs}, ${best.toFixed(0)} ms; ` +
                       `final tree ${check.same_as_full_parse ? '==' : '!='} ` +
                       `full parse, ${check.error_nodes} ERROR/MISSING nodes)\n`);
}
if (args.json) fs.writeFileSync(args.json, JSON.stringify(results, null, 1) + '\n');
