// Brackets, quotes and keywords hidden in strings, comments, regexes and templates: ( [ { ` ' "
const s1 = "(((["; // ]]]))) } else {
const s2 = ')]}'; /* } function ( { */
const s3 = `template with ${"}"} and ${`nested ${'{'} template`} ]`;
const re1 = /[/\]}{(]+/g, re2 = /\/\*not a comment*\//;
const div = 10 / 2 / 1; const notRegex = s1.length / 2 /* division */ / 1;
const obj = { "}": '{', ['[']: `]`, f() { return /}/.test("}") } };
let x = s1 + s2 // else
+ s3;
/* a block comment
   spanning lines } ) ]
*/
if (x) { x = "}" } else { x = '{' }
label: for (const c of "{[(") { if (c === "[") break label; else continue label }
console.log(s1, s2, s3, re1, re2, div, notRegex, obj, x);
