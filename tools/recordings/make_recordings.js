#!/usr/bin/env node
// Writes examples/recordings/*.jsonl from tools/recordings/recordings.json:
// model streams made from benchmark answers, in the format of
// `streamexec chat --record` (docs/DESIGN.md §9), each delta with a model's
// timing. Deterministic (seeded). Usage:
//   node tools/recordings/make_recordings.js NPM_DIR OUT_DIR
// NPM_DIR: the node_modules of scripts/npm-deps (gpt-tokenizer, o200k).
"use strict";
const fs = require("fs");
const path = require("path");

const [npmDir, outDir] = process.argv.slice(2);
if (!npmDir || !outDir) {
  console.error("usage: make_recordings.js NPM_DIR OUT_DIR");
  process.exit(2);
}
const tok = require(path.resolve(npmDir, "gpt-tokenizer/cjs/encoding/o200k_base"));
const root = path.resolve(__dirname, "../..");
const spec = JSON.parse(fs.readFileSync(path.join(__dirname, "recordings.json"), "utf8"));

// mulberry32: a small seeded PRNG, so the same spec gives the same files.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// o200k tokens as strings; a token that ends inside a UTF-8 character is
// joined with the next (servers send whole characters).
function pieces(text) {
  const out = [];
  let pending = [];
  for (const id of tok.encode(text)) {
    pending.push(id);
    const s = tok.decode(pending);
    if (!s.includes("\uFFFD")) {
      out.push(s);
      pending = [];
    }
  }
  if (pending.length) out.push(tok.decode(pending));
  if (out.join("") !== text) throw new Error("tokenisation does not round-trip");
  return out;
}

// Arrival times (ms since the request): a first-token pause, then about 50
// tokens/s with jitter; now and then several tokens in one frame (a burst)
// and a longer pause.
function timed(tokens, rand) {
  const deltas = [];
  let t = 350 + rand() * 550;
  for (let i = 0; i < tokens.length; ) {
    let n = 1;
    if (rand() < 0.15) n = 2 + Math.floor(rand() * 5);
    const content = tokens.slice(i, i + n).join("");
    i += n;
    deltas.push({ t_ms: Math.round(t * 1000) / 1000, content, tokens: n });
    t += n * 20 * (0.7 + rand() * 0.6);
    if (rand() < 0.01) t += 150 + rand() * 450;
  }
  return deltas;
}

// The fences of a markdown answer: [start of the opening line, end of the closing line).
function fences(text) {
  const re = /^```[^\n]*\n[\s\S]*?^```[^\n]*\n?/gm;
  const out = [];
  let m;
  while ((m = re.exec(text))) out.push([m.index, m.index + m[0].length]);
  return out;
}

fs.mkdirSync(outDir, { recursive: true });
for (const r of spec.recordings) {
  const answer = fs.readFileSync(path.join(root, r.answer), "utf8");
  const rand = rng(r.seed);
  const rounds = [];
  if (r.bug) {
    const f = fences(answer)[r.bug.fence - 1];
    if (!f) throw new Error(`${r.name}: no fence ${r.bug.fence}`);
    const block = answer.slice(f[0], f[1]);
    if (!block.includes(r.bug.from)) throw new Error(`${r.name}: fence ${r.bug.fence} has no '${r.bug.from}'`);
    rounds.push(answer.slice(0, f[0]) + block.replace(r.bug.from, r.bug.to) + answer.slice(f[1]));
    // The repair is the answer again from that fence, with the renames a
    // model makes after the error (repair_replace: [regex, replacement]).
    let rest = answer.slice(f[0]);
    for (const [re, to] of r.repair_replace || []) rest = rest.replace(new RegExp(re, "g"), to);
    rounds.push(r.repair + rest);
  } else {
    rounds.push(answer);
  }
  const lines = [{ type: "header", version: 1, streamexec: "make_recordings.js", base_url: "(synthetic)",
                   model: "synthetic", source: r.answer, note: spec.about }];
  const messages = [{ role: "user", content: r.prompt }];
  rounds.forEach((text, round) => {
    if (round > 0) {
      messages.push({ role: "assistant", content: "(the answer up to the failing unit)" });
      messages.push({ role: "user", content: "(the error)" });
    }
    lines.push({ type: "request", round, url: "(synthetic)",
                 body: { model: "synthetic", messages: messages.slice(), stream: true } });
    const deltas = timed(pieces(text), rand);
    for (const d of deltas) lines.push({ type: "delta", round, t_ms: d.t_ms, content: d.content, tokens: d.tokens });
    const last = deltas.length ? deltas[deltas.length - 1].t_ms : 0;
    lines.push({ type: "end", round, t_ms: Math.round((last + 5) * 1000) / 1000, reason: "done",
                 tokens: deltas.length, cut_tokens: 0, finish_reason: "stop",
                 o200k_tokens: deltas.reduce((a, d) => a + d.tokens, 0) });
  });
  const file = path.join(outDir, `${r.name}.jsonl`);
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  const n = lines.filter((l) => l.type === "delta").length;
  console.log(`${file}: ${rounds.length} round(s), ${n} deltas`);
}
