console.log(typeof later);
console.log(typeof helper);
var later = 1;
function helper() {
  return "helper";
}
console.log(helper(), later);
