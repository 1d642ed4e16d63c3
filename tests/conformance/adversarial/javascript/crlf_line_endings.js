var x = 1;
function f(a) {
  return a +
    1;
}
// comment

var s = "a\
b";
var t = `line1
line2`;
if (x) {
  x++
}
else x--
f(x)
