// saved by an editor that writes a BOM
const xs = [3, 1, 2];
console.log(xs.sort().join(","));
