const s = "if (x) {"; // if (y) {
else { s }
