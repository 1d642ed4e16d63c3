main();

function main() {
  const data = [5, 3, 8, 1];
  console.log("sorted:", sortNumbers(data).join(", "));
  console.log("sum:", sum(data));
}

function sortNumbers(arr) {
  return [...arr].sort((a, b) => a - b);
}

function sum(arr) {
  return arr.reduce((a, b) => a + b, 0);
}
