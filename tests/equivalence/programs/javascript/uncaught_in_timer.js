console.log("before");
setTimeout(() => {
  console.log("in timer");
  null.property;
}, 1);
setTimeout(() => console.log("second timer never runs"), 20);
