async function load() {
  console.log("loading");
  throw new Error("load failed");
}
load();
console.log("after load()");
setTimeout(() => console.log("timer never runs"), 0);
