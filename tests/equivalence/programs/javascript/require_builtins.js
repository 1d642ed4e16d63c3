const path = require("path");
const util = require("util");
const { EventEmitter } = require("events");
const assert = require("assert");

const e = new EventEmitter();
e.on("data", (x) => console.log("data", x));
e.emit("data", util.format("%s=%d", "n", 42));
console.log(path.join("a", "b", "../c.txt"));
assert.deepStrictEqual([1, 2], [1, 2]);
console.log(util.inspect({ deep: { nested: { value: [1, 2, 3] } } }, { depth: 0 }));
