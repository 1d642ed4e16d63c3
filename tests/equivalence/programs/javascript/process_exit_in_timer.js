let n = 0;
const iv = setInterval(() => {
  n++;
  console.log("tick", n);
  if (n === 3) {
    console.log("exiting with 2");
    process.exit(2);
  }
}, 1);
setTimeout(() => console.log("never printed"), 10000);
