'use strict';
// The Node package over the C library (node --test).
const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { Session, STOP, version } = require('..');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const md = (code, lang = 'python') => '```' + lang + '\n' + code + '```\n';
const outputs = (evs) => evs.filter((e) => e.kind === 'output').map((e) => e.text).join('');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function all(s) {
  const evs = [];
  for await (const ev of s.events()) evs.push(ev);
  return evs;
}

test('version', () => assert.strictEqual(version, '0.4.0'));

test('feed, finish, typed events', async () => {
  const s = new Session({ languages: ['python'] });
  for (const p of ['```py', 'thon\nx = 6 *', ' 7\nprint(x)\nx\n', '```\n']) assert.strictEqual(s.feed(p), undefined);
  assert.strictEqual(await s.finish(), undefined);
  const evs = await all(s);
  s.close();
  const done = evs.filter((e) => e.kind === 'unit_done');
  assert.deepStrictEqual(done.map((e) => e.status), ['ok', 'ok', 'ok']);
  assert.strictEqual(done[2].value, '42');
  assert.strictEqual(outputs(evs), '42\n');
  const closed = evs.find((e) => e.kind === 'unit_closed');
  assert.strictEqual(closed.code, 'x = 6 * 7\n');
  assert.strictEqual(closed.line, 2);
  assert.strictEqual(JSON.parse(closed.json).unit.kind, 'assign');
  assert.strictEqual(evs[evs.length - 1].kind, 'session_done');
});

test('STOP after a failure, and the answer is cut', async () => {
  const s = new Session({ languages: ['python'] });
  let stopped = -1;
  const pieces = ['```python\n', '1/0\n'].concat(Array.from({ length: 200 }, (_, i) => `print(${i})\n`));
  for (let i = 0; i < pieces.length; i++) {
    if (s.feed(pieces[i]) === STOP) { stopped = i; break; }
    await sleep(10);
  }
  assert.ok(stopped > 0, 'never saw STOP');
  assert.strictEqual(await s.answerCut(), STOP);
  await s.finish();
  const evs = await all(s);
  s.close();
  const err = evs.find((e) => e.kind === 'unit_done' && e.status === 'error');
  assert.strictEqual(err.errorType, 'ZeroDivisionError');
  assert.strictEqual(err.errorLine, 2);
});

test('events are iterated while the answer is fed', async () => {
  const s = new Session({ languages: ['javascript'] });
  const got = [];
  const reader = (async () => { for await (const ev of s) got.push(ev); })();
  s.feed('```js\n');
  for (let i = 0; i < 20; i++) { s.feed(`console.log(${i});\n`); await sleep(5); }
  s.feed('```\n');
  await s.finish();
  await reader;
  s.close();
  assert.strictEqual(outputs(got), Array.from({ length: 20 }, (_, i) => `${i}\n`).join(''));
});

test('three languages, answers keep state, interrupt', async () => {
  const s = new Session({ languages: ['python', 'javascript', 'cpp'] });
  s.feed(md("n = 41\nprint('py')\n") + md("console.log('js');\n", 'js') +
         md('#include <cstdio>\nint main() { std::puts("cpp"); }\n', 'cpp'));
  await s.answerEnd();
  s.feed('```python\nimport time\nwhile True: time.sleep(0.01)\nprint("never")\n');
  await sleep(1000);
  s.interrupt();
  await s.answerCut();
  s.feed(md('print(n + 1)\n'));
  await s.finish();
  const evs = await all(s);
  s.close();
  assert.deepStrictEqual(outputs(evs.filter((e) => e.answer === 0)).split('\n').filter(Boolean).sort(), ['cpp', 'js', 'py']);
  assert.ok(evs.some((e) => e.answer === 1 && e.kind === 'unit_done' && e.status === 'interrupted'));
  assert.strictEqual(outputs(evs.filter((e) => e.answer === 2)), '42\n');
});

test('errors are exceptions with the C result code', async () => {
  assert.throws(() => new Session({ mode: 'html' }), TypeError);
  assert.throws(() => new Session({ languages: ['cobol'] }), /unknown language/);
  assert.throws(() => new Session({ languages: ['python'], workerDir: '/nonexistent' }),
                (e) => e.code === -4 && /nonexistent/.test(e.message));
  const s = new Session({ execute: false });
  const finishing = s.finish();
  assert.throws(() => s.feed('x'), /still running/);
  await finishing;
  assert.throws(() => s.feed('x'), /after sx_finish/);
  s.close();
  assert.throws(() => s.feed('x'), /closed/);
  const c = new Session({ languages: ['python'] });
  await assert.rejects(c.chat('hi', { baseUrl: 'http://127.0.0.1:9/v1', model: 'm' }),
                       (e) => e.code === -6 && /cannot connect/.test(e.message));
  await c.finish();
  await all(c);
  c.close();
});

test('replay of a shipped recording gives the same events twice', async () => {
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const s = new Session({ languages: ['python'] });
    assert.strictEqual(await s.replay(path.join(ROOT, 'examples/recordings/py_sales_typo.jsonl'), 0), STOP);
    await s.finish();
    const evs = await all(s);
    s.close();
    assert.deepStrictEqual(evs.filter((e) => e.kind === 'model_stream_end').map((e) => e.modelReason), ['done', 'done']);
    // Output may arrive in other pieces from run to run: compare it per unit.
    const out = {};
    for (const e of evs) if (e.kind === 'output') out[e.unitId] = (out[e.unitId] || '') + e.text;
    runs.push([evs.filter((e) => e.kind === 'unit_done').map((e) => [e.unitId, e.status, e.errorType]), out]);
  }
  assert.deepStrictEqual(runs[0], runs[1]);
});

test('examples/agent.mjs replays a repair', async () => {
  const { execFileSync } = require('child_process');
  let out = '', code = 0;
  try {
    out = execFileSync(process.execPath, [path.join(ROOT, 'examples/agent.mjs'), '--replay',
      path.join(ROOT, 'examples/recordings/js_reshape_typo.jsonl')], { encoding: 'utf8', env: process.env });
  } catch (e) { out = e.stdout; code = e.status; }
  assert.match(out, /failed: TypeError/);
  assert.match(out, /\[round 1: done/);
  assert.strictEqual(code, 1);  // the recording's first round failed
});

test('a pool gives a started worker; the default pool is shared', async () => {
  const { Pool, defaultPool } = require('..');
  const pool = new Pool({ ready: { python: 1 } });
  assert.strictEqual(await pool.waitReady(60000), true);
  const s = new Session({ mode: 'raw', pool });
  s.feed('print(6 * 7)\n');
  await s.finish();
  assert.strictEqual(outputs(await all(s)), '42\n');
  s.close();
  assert.strictEqual(pool.stats().python.taken, 1);
  assert.strictEqual(await pool.waitReady(60000), true);
  assert.strictEqual(pool.stats().python.started, 2);
  pool.close();
  assert.throws(() => new Session({ pool }), /closed/);
  assert.throws(() => new Session({ pool: 5 }), TypeError);
  assert.throws(() => new Pool({ ready: { ruby: 1 } }), /unknown language/);

  const first = new Session({ mode: 'raw' });  // the default pool: Python is asked for
  first.feed('x = 1\n');
  await first.finish();
  await all(first);
  first.close();
  assert.strictEqual(defaultPool(), defaultPool());
  assert.strictEqual(await defaultPool().waitReady(60000), true);
  const before = defaultPool().stats().python.taken;
  const warm = new Session({ mode: 'raw' });
  warm.feed('print("warm")\n');
  await warm.finish();
  assert.strictEqual(outputs(await all(warm)), 'warm\n');
  warm.close();
  assert.strictEqual(defaultPool().stats().python.taken, before + 1);
  const none = new Session({ mode: 'raw', pool: null });
  none.feed('print("cold")\n');
  await none.finish();
  assert.strictEqual(outputs(await all(none)), 'cold\n');
  none.close();
  assert.strictEqual(defaultPool().stats().python.taken, before + 1);
});

test('a gate decides for every closed unit: run, hold until finish, skip; with reasons', async () => {
  const seen = [];
  const gate = (u) => {
    seen.push(u);
    if (u.code.includes('os.remove')) return ['skip', 'deletes files'];
    if (u.uses.includes('late')) return ['hold', 'wait for the whole answer'];
    return 'run';
  };
  const s = new Session({ languages: ['python'], pool: null, gate });
  s.feed(md("late = 'L'\nprint(late)\nimport os\nos.remove('/nonexistent')\nprint('after')\n"));
  await s.finish();
  const evs = await all(s);
  s.close();
  assert.deepStrictEqual(seen.map((u) => u.code), ["late = 'L'\n", 'print(late)\n', 'import os\n',
    "os.remove('/nonexistent')\n", "print('after')\n"]);
  assert.deepStrictEqual(seen[0].defines, ['late']);
  assert.strictEqual(seen[1].lang, 'python');
  assert.strictEqual(seen[1].line, 3);
  const done = evs.filter((e) => e.kind === 'unit_done');
  assert.deepStrictEqual(done.map((e) => [e.unitId, e.status]).sort((a, b) => a[0] - b[0]).map((x) => x[1]),
    ['ok', 'ok', 'ok', 'gated', 'ok']);
  const held = evs.filter((e) => e.kind === 'unit_held');
  assert.ok(held.length >= 1 && held[0].text.includes('wait for the whole answer'), JSON.stringify(held));
  assert.ok(JSON.stringify(done.find((e) => e.status === 'gated').json).includes('deletes files'));
  assert.strictEqual(outputs(evs), 'L\nafter\n');
});

test('a gate called from finish (a library thread) and a gate that throws', async () => {
  // Raw mode: the last unit closes only at finish(), which runs on libuv's
  // pool: the gate is called on the JavaScript thread all the same.
  const threads = [];
  const s = new Session({ mode: 'raw', lang: 'python', pool: null, gate: (u) => { threads.push(u.code); return 'run'; } });
  s.feed("x = 40\nprint(x + 2)");
  await s.finish();
  const evs = await all(s);
  s.close();
  assert.deepStrictEqual(threads, ['x = 40\n', 'print(x + 2)']);
  assert.strictEqual(outputs(evs), '42\n');

  const t = new Session({ languages: ['python'], pool: null,
    gate: (u) => { if (u.code.includes('boom')) throw new RangeError('gate says boom'); return 'run'; } });
  assert.throws(() => t.feed(md("print('boom')\n")), (e) => e instanceof RangeError && e.message === 'gate says boom');
  t.feed(md("print('fine')\n"));
  await t.finish();
  const tevs = await all(t);
  t.close();
  const statuses = tevs.filter((e) => e.kind === 'unit_done').map((e) => e.status);
  assert.deepStrictEqual(statuses, ['gated', 'ok']);
  assert.strictEqual(outputs(tevs), 'fine\n');

  const u = new Session({ mode: 'raw', lang: 'python', pool: null, gate: () => 'maybe' });
  u.feed('print(1)');
  await assert.rejects(u.finish(), (e) => e instanceof TypeError && /'run', 'hold' or 'skip'/.test(e.message));
  u.close();
  assert.throws(() => new Session({ gate: 'run' }), /gate must be a function/);
});
