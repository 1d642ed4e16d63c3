process.on("beforeExit", (code) => {
  if (!globalThis.scheduled) {
    globalThis.scheduled = true;
    console.log("beforeExit: scheduling more work");
    setTimeout(() => console.log("more work done"), 1);
  } else {
    console.log("beforeExit again", code);
  }
});
process.on("exit", (code) => console.log("exit", code));
console.log("main done");
