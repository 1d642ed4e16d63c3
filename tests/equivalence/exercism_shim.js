// ---- begin exercism jest shim (test-corpus glue, not part of exercism/javascript) ----
// Minimal stand-in for the parts of Jest used by exercism/javascript specs.
// Tests (test/it/xtest/xit) are collected while the spec runs, then executed in
// order (awaiting async tests); each prints "PASS name" or "FAIL name: reason".
// A failing test sets process.exitCode = 1. A summary line is printed last.
const __shimUtil = require('util');
const __shimTests = [];
const __shimScopes = [{ name: null, before: [], after: [] }];
function describe(name, fn) {
  __shimScopes.push({ name: String(name), before: [], after: [] });
  try { fn(); } finally { __shimScopes.pop(); }
}
const xdescribe = describe;
function test(name, fn) {
  const scopes = __shimScopes.slice();
  const full = scopes.filter((s) => s.name !== null).map((s) => s.name).concat([String(name)]).join(' > ');
  __shimTests.push({ name: full, fn, scopes });
}
const it = test;
const xtest = test;
const xit = test;
test.skip = (name) => { __shimTests.push({ name: String(name), skip: true, scopes: [] }); };
function beforeEach(fn) { __shimScopes[__shimScopes.length - 1].before.push(fn); }
function afterEach(fn) { __shimScopes[__shimScopes.length - 1].after.push(fn); }
function __shimFmt(v) { return __shimUtil.inspect(v, { depth: 3, breakLength: Infinity }); }
class __ShimAsymmetric {
  constructor(text, matches) { this.text = text; this.matches = matches; }
  [__shimUtil.inspect.custom]() { return this.text; }
}
function __shimLooseEqual(a, b) {
  if (Object.is(a, b)) return true;
  if (b instanceof __ShimAsymmetric) return b.matches(a);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Error && b instanceof Error) return a.message === b.message;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (a instanceof Map || a instanceof Set || b instanceof Map || b instanceof Set) {
    return __shimUtil.isDeepStrictEqual(a, b);
  }
  if (Array.isArray(a)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!__shimLooseEqual(a[i], b[i])) return false;
    return true;
  }
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !__shimLooseEqual(a[k], b[k])) return false;
  return true;
}
function __shimEqual(a, b) { return __shimUtil.isDeepStrictEqual(a, b) || __shimLooseEqual(a, b); }
function __shimErrMatches(err, expected) {
  if (expected === undefined) return true;
  if (expected instanceof __ShimAsymmetric) return expected.matches(err);
  const msg = err && err.message !== undefined ? String(err.message) : String(err);
  if (typeof expected === 'string') return msg.includes(expected);
  if (expected instanceof RegExp) return expected.test(msg);
  if (typeof expected === 'function') return err instanceof expected;
  if (expected instanceof Error) return msg === expected.message;
  return false;
}
function __shimMatchers(actual, negate) {
  const check = (pass, what) => {
    if (pass === negate) {
      throw new Error('expected ' + __shimFmt(actual) + (negate ? ' not ' : ' ') + what);
    }
  };
  return {
    toEqual: (e) => check(__shimEqual(actual, e), 'toEqual ' + __shimFmt(e)),
    toStrictEqual: (e) => check(__shimUtil.isDeepStrictEqual(actual, e), 'toStrictEqual ' + __shimFmt(e)),
    toBe: (e) => check(Object.is(actual, e), 'toBe ' + __shimFmt(e)),
    toBeCloseTo: (e, digits = 2) => check(Math.abs(e - actual) < Math.pow(10, -digits) / 2, 'toBeCloseTo ' + __shimFmt(e)),
    toBeUndefined: () => check(actual === undefined, 'toBeUndefined'),
    toBeDefined: () => check(actual !== undefined, 'toBeDefined'),
    toBeNull: () => check(actual === null, 'toBeNull'),
    toBeTruthy: () => check(!!actual, 'toBeTruthy'),
    toBeFalsy: () => check(!actual, 'toBeFalsy'),
    toBeInstanceOf: (c) => check(actual instanceof c, 'toBeInstanceOf ' + (c && c.name)),
    toBeGreaterThan: (e) => check(actual > e, 'toBeGreaterThan ' + __shimFmt(e)),
    toBeGreaterThanOrEqual: (e) => check(actual >= e, 'toBeGreaterThanOrEqual ' + __shimFmt(e)),
    toBeLessThan: (e) => check(actual < e, 'toBeLessThan ' + __shimFmt(e)),
    toBeLessThanOrEqual: (e) => check(actual <= e, 'toBeLessThanOrEqual ' + __shimFmt(e)),
    toMatch: (e) => check(typeof e === 'string' ? String(actual).includes(e) : e.test(String(actual)), 'toMatch ' + __shimFmt(e)),
    toContain: (e) => check(actual != null && actual.includes(e), 'toContain ' + __shimFmt(e)),
    toHaveLength: (n) => check(actual != null && actual.length === n, 'toHaveLength ' + n),
    toThrow: (expected) => {
      let threw = false;
      let err;
      if (typeof actual === 'function') {
        try { actual(); } catch (e) { threw = true; err = e; }
      } else {
        threw = true; // used via .rejects: actual is the rejection reason
        err = actual;
      }
      check(threw && __shimErrMatches(err, expected), 'toThrow ' + __shimFmt(expected));
    },
  };
}
function expect(actual) {
  const m = __shimMatchers(actual, false);
  m.not = __shimMatchers(actual, true);
  const later = (settle) => new Proxy({}, {
    get: (_, name) => (...args) => Promise.resolve(actual).then(
      (v) => settle(true, v, name, args),
      (e) => settle(false, e, name, args),
    ),
  });
  m.resolves = later((ok, v, name, args) => {
    if (!ok) throw new Error('expected promise to resolve, it rejected: ' + __shimFmt(v && v.message));
    return expect(v)[name](...args);
  });
  m.rejects = later((ok, v, name, args) => {
    if (ok) throw new Error('expected promise to reject, it resolved: ' + __shimFmt(v));
    return expect(v)[name](...args);
  });
  return m;
}
expect.stringMatching = (re) => new __ShimAsymmetric('StringMatching ' + re,
  (v) => typeof v === 'string' && (typeof re === 'string' ? v.includes(re) : re.test(v)));
expect.objectContaining = (obj) => new __ShimAsymmetric('ObjectContaining ' + __shimFmt(obj),
  (v) => v != null && Object.keys(obj).every((k) => __shimEqual(v[k], obj[k])));
expect.any = (c) => new __ShimAsymmetric('Any ' + (c && c.name),
  (v) => v != null && (v instanceof c || v.constructor === c));
process.nextTick(async () => {
  let passed = 0;
  let failed = 0;
  for (const t of __shimTests) {
    if (t.skip) {
      console.log('SKIP ' + t.name);
      continue;
    }
    try {
      for (const s of t.scopes) for (const h of s.before) await h();
      await t.fn();
      for (const s of t.scopes.slice().reverse()) for (const h of s.after) await h();
      passed++;
      console.log('PASS ' + t.name);
    } catch (e) {
      failed++;
      process.exitCode = 1;
      console.log('FAIL ' + t.name + ': ' + (e && e.message !== undefined ? e.message : String(e)));
    }
  }
  console.log(passed + ' passed, ' + failed + ' failed');
});
// ---- end exercism jest shim ----
