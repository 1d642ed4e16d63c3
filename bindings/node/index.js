'use strict';
// streamexec for Node: execute LLM-generated code while the model is still
// writing it. A thin layer over the Node-API addon (src/addon.cc), which is a
// binding of the C API (include/streamexec.h). Types: index.d.ts.
const path = require('path');
const fs = require('fs');

function loadAddon() {
  const candidates = [
    process.env.STREAMEXEC_NODE_ADDON,
    path.join(__dirname, 'native', 'streamexec.node'),  // copied by scripts/install.js
    path.join(__dirname, '..', '..', 'build', 'bindings', 'node', 'streamexec.node'),  // this repository's build
  ].filter(Boolean);
  const errors = [];
  for (const c of candidates) {
    if (!fs.existsSync(c)) { errors.push(`${c}: not found`); continue; }
    try { return { addon: require(c), addonPath: c }; } catch (e) { errors.push(`${c}: ${e.message}`); }
  }
  throw new Error('streamexec: cannot load the addon (set STREAMEXEC_NODE_ADDON):\n  ' + errors.join('\n  '));
}

const { addon, addonPath } = loadAddon();

/** The value feed() returns once a unit failed: stop generating. */
const STOP = Symbol.for('streamexec.STOP');

/**
 * Started workers kept ready for the sessions of this process: a session
 * that uses the pool takes one whose start-up is done (when its worker
 * options equal the pool's); each session gets a fresh process and the pool
 * starts a replacement at once.
 */
class Pool {
  /** @param {import('./index').PoolOptions} [opts] */
  constructor(opts = {}) { this._p = new addon.Pool(opts); }
  /** Resolves true once every language has its ready workers, false after timeoutMs. */
  waitReady(timeoutMs = 60000) { return this._p.waitReady(timeoutMs); }
  /** Per language: started, taken, ready, empty, mismatch, failed; and lastError. */
  stats() { return this._p.stats(); }
  /** Stops the ready workers; sessions that use the pool keep theirs. */
  close() { this._p.close(); }
}

let shared = null;
/** The process's shared pool, made at first use: adaptive (a language gets a ready
 * worker once a session used it), default worker options. */
function defaultPool() {
  if (shared === null) shared = new Pool({ ready: { python: 1, javascript: 1, cpp: 1 }, adaptive: true });
  return shared;
}

class Session {
  /**
   * @param {import('./index').SessionOptions} [opts]  pool: a Pool, null for none;
   *   default: defaultPool()
   */
  constructor(opts = {}) {
    const pool = opts.pool === undefined ? defaultPool() : opts.pool;
    if (pool !== null && !(pool instanceof Pool)) throw new TypeError('pool must be a Pool (or null for none)');
    this._s = new addon.Session({ ...opts, pool: pool === null ? null : pool._p });
  }
  /** Feeds a piece of the answer; returns STOP once a unit failed, else undefined. */
  feed(piece) { return this._s.feed(piece) ? STOP : undefined; }
  /** Ends the answer; the next feed starts the next one (state kept). */
  async answerEnd() { return (await this._s.answerEnd()) ? STOP : undefined; }
  /** The model was stopped: the unit being written is cut, queued units skipped. */
  async answerCut() { return (await this._s.answerCut()) ? STOP : undefined; }
  /** Ends the last answer and the session; resolves when every unit has run. */
  async finish() { return (await this._s.finish()) ? STOP : undefined; }
  /** Interrupts what runs now. */
  interrupt() { this._s.interrupt(); }
  /** Asks an OpenAI-compatible server; its answer streams into the session with stop-and-repair. */
  async chat(prompt, opts) { return (await this._s.chat(prompt, opts)) ? STOP : undefined; }
  /** Feeds a recording of `streamexec chat --record` (speed 0: no waiting). */
  async replay(file, speed = 1) { return (await this._s.replay(file, speed)) ? STOP : undefined; }
  /** The next event, or null if none came within timeoutMs, or false once the session is done. */
  async nextEvent(timeoutMs = 200) {
    if (this._queued && this._queued.length) return this._queued.shift();
    const evs = await this._s.nextEvents(timeoutMs, 1);
    return evs === false ? false : (evs[0] || null);
  }
  /** Events as they come, until the session is done (after finish()). Every
   * event queued when it looks is taken in one trip to the library. */
  async *events() {
    for (;;) {
      if (this._queued && this._queued.length) { yield this._queued.shift(); continue; }
      const evs = await this._s.nextEvents(200, 1024);
      if (evs === false) return;
      this._queued = evs;
    }
  }
  [Symbol.asyncIterator]() { return this.events(); }
  /** Frees the session (kills its workers). */
  close() { this._s.close(); }
}

module.exports = { Session, Pool, defaultPool, STOP, version: addon.version, addonPath };
