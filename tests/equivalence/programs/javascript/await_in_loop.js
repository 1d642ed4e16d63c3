function delay(ms, v) {
  return new Promise((r) => setTimeout(() => r(v), ms));
}
(async () => {
  for (const [ms, v] of [[3, "a"], [1, "b"], [2, "c"]]) {
    console.log(await delay(ms, v));
  }
  console.log("loop done");
})();
console.log("synchronous part done");
