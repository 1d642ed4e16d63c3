function* fib() {
  let [a, b] = [0, 1];
  while (true) {
    yield a;
    [a, b] = [b, a + b];
  }
}
const out = [];
for (const x of fib()) {
  if (x > 100) break;
  out.push(x);
}
console.log(out.join(" "));
const m = new Map([["x", 1], ["y", 2]]);
for (const [k, v] of m) console.log(k, v);
