// node runs a file as a CommonJS module: its top level may return
const args = process.argv.slice(2);
function usage() {
  console.log('usage: tool <file>');
}
if (args.length === 0) {
  usage();
  return;
}
console.log('processing', args[0]);
