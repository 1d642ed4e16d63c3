// Identifiers beyond ASCII and escaped identifiers.
const π = 3.14159;
let ñandú = "pájaro";
var число = 42;
const 変数 = "値";
function größe(ä, ö = π) { return ä * ö }
class Ωmega { µ() { return "→ ← ( [ {" } }
const \u0061bc = 1;
const \u{62}cd = abc + 1;
const emoji = "😀 {not code} 😀", astral = "𝒳";
console.log(größe(число), new Ωmega().µ(), ñandú, 変数, bcd, emoji, astral);
