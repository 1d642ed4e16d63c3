setTimeout(() => console.log("timeout 50"), 50);
setTimeout(() => console.log("timeout 0"), 0);
Promise.resolve().then(() => console.log("microtask"));
process.nextTick(() => console.log("nextTick"));
queueMicrotask(() => console.log("queueMicrotask"));
console.log("sync end");
