let count = 0;
const handle = setInterval(() => {
  count += 1;
  console.log(`tick ${count}`);
  if (count === 4) {
    clearInterval(handle);
    console.log("cleared");
  }
}, 2);
