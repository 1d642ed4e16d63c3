let a = 1
let b = a
(function () { return 2 })  // continues the previous line: b = a(...)
let c = 1
let d = c
[0]
let e = 1
e
++e
const f = () => 1
const g = f
`tagged`
var h = 1
var i = h
.toString()
let j = 1, k = 2
j
/k/g
do j++; while (j < 3) k++
if (a) b; else c
try { a } catch { b } finally { c }
class K { static x = 1; #p = 2; get y() { return this.#p } }
async function af() { await null; for await (const v of []) {} }
function* gen() { yield
  1 }
let let_ = 'let'
var yield_ = 0
