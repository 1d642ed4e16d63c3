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

class Session {
  /**
   * @param {import('./index').SessionOptions} [opts]
   */
  constructor(opts = {}) {
    this._s = new addon.Session(opts);
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

module.exports = { Session, STOP, version: addon.version, addonPath };
