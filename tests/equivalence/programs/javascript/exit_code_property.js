function validate(x) {
  if (x < 0) {
    console.error("negative value:", x);
    process.exitCode = 3;
    return false;
  }
  return true;
}
console.log(validate(4));
console.log(validate(-1));
console.log("finished normally");
