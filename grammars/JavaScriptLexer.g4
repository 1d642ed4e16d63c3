// JavaScript (ECMAScript 2023) lexer for streamexec.
//
// Written from the ECMAScript 2023 specification, clause 12 "ECMAScript
// Language: Lexical Grammar" (plus Annex B.1 HTML-like comments and legacy
// octal literals). Context the pure grammar cannot express lives in
// JavaScriptLexerBase:
//   * regex vs division: decided from the previous significant token
//     (sx::jsscan::SlashTracker, shared with the chunker's byte scanner);
//   * template literals: `${` pushes DEFAULT_MODE, and a `}` that closes a
//     substitution (brace stack) becomes TemplateSubstEnd and pops back;
//   * HTML-like comments only outside modules, `-->` only at line start.
// Line terminators are kept on the HIDDEN channel so that the parser can
// implement ASI and the [no LineTerminator here] restrictions.
// Text that is unterminated at the end of input (string, comment, regex,
// template) yields Unterminated* tokens so confirm can say "incomplete".
lexer grammar JavaScriptLexer;

options { superClass = JavaScriptLexerBase; }

// Types assigned by JavaScriptLexerBase / the confirm pre-pass, never matched
// directly. They make the parser's decisions LL(1)/LL(2) where plain tokens
// would need unbounded lookahead (ASI makes almost any token sequence
// ambiguous for ANTLR's prediction, which ignores the ASI predicates):
//   TemplateSubstEnd          `}` closing `${`
//   ArrowLParen / AsyncArrow  `(` / `async` heading an arrow function
//   ObjLBrace                 `{` in operand position: an object literal
//   FunctionExprKw / ClassExprKw  `function` / `class` starting an expression
//   LetDecl                   `let` starting a declaration
//   AsyncFn                   `async` before `function` on the same line
//   AsyncMod GetMod SetMod StaticMod  method modifiers (name follows on the line)
//   AwaitKw / YieldKw         `await` / `yield` with an operand on the same line
//   ReturnArg                 `return` with more than `;` / `}` on its line
//   ContParen ContBracket ContBackTick ContPlus ContMinus ContPlusPlus
//   ContMinusMinus            `(` `[` `` ` `` `+` `-` `++` `--` that can only
//                             continue the expression before them (same line,
//                             after an expression-ending token)
tokens {
    TemplateSubstEnd, ArrowLParen, AsyncArrow, ObjLBrace, FunctionExprKw, ClassExprKw, LetDecl,
    AsyncFn, AsyncMod, GetMod, SetMod, StaticMod, AwaitKw, YieldKw, ReturnArg,
    ContParen, ContBracket, ContBackTick, ContPlus, ContMinus, ContPlusPlus, ContMinusMinus
}

@header {
#include "JavaScriptLexerBase.h"
}

// Predicates come after the first character: a predicate in the start state
// would keep ANTLR from caching the lexer DFA.
HashbangComment     : '#' {atStart()}? '!' ~[\r\n\u2028\u2029]* -> channel(HIDDEN);
MultiLineComment    : '/*' .*? '*/' -> channel(HIDDEN);
UnterminatedComment : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* ;
SingleLineComment   : '//' ~[\r\n\u2028\u2029]* -> channel(HIDDEN);
HtmlOpenComment     : '<' {htmlOpenAllowed()}? '!--' ~[\r\n\u2028\u2029]* -> channel(HIDDEN);
HtmlCloseComment    : '-' {htmlCloseAllowed()}? '->' ~[\r\n\u2028\u2029]* -> channel(HIDDEN);

RegularExpressionLiteral
    : '/' {regexAllowed()}? RegexFirstChar RegexChar* '/' IdentifierPart*
    ;
UnterminatedRegex
    : '/' {regexAllowed()}? (RegexFirstChar RegexChar*)? ('[' RegexClassChar*)? '\\'? {atEnd()}?
    ;

LineTerminator : ('\r\n' | [\r\n\u2028\u2029]) -> channel(HIDDEN);
WhiteSpaces    : [\t\u000B\u000C\u0020\u00A0\uFEFF\p{Zs}]+ -> skip;

// Punctuators (12.8)
OpenBracket         : '[';
CloseBracket        : ']';
OpenParen           : '(';
CloseParen          : ')';
OpenBrace           : '{';
CloseBrace          : '}' {onCloseBrace();};
SemiColon           : ';';
Comma               : ',';
Assign              : '=';
QuestionMark        : '?';
QuestionDot         : '?.' {!nextIsDigit()}?;
Colon               : ':';
Ellipsis            : '...';
Dot                 : '.';
PlusPlus            : '++';
MinusMinus          : '--';
Plus                : '+';
Minus               : '-';
BitNot              : '~';
Not                 : '!';
Multiply            : '*';
Divide              : '/';
Modulus             : '%';
Power               : '**';
NullCoalesce        : '??';
RightShiftArithmetic: '>>';
LeftShiftArithmetic : '<<';
RightShiftLogical   : '>>>';
LessThan            : '<';
MoreThan            : '>';
LessThanEquals      : '<=';
GreaterThanEquals   : '>=';
Equals_             : '==';
NotEquals           : '!=';
IdentityEquals      : '===';
IdentityNotEquals   : '!==';
BitAnd              : '&';
BitXOr              : '^';
BitOr               : '|';
And                 : '&&';
Or                  : '||';
MultiplyAssign      : '*=';
DivideAssign        : '/=';
ModulusAssign       : '%=';
PlusAssign          : '+=';
MinusAssign         : '-=';
LeftShiftArithmeticAssign : '<<=';
RightShiftArithmeticAssign: '>>=';
RightShiftLogicalAssign   : '>>>=';
BitAndAssign        : '&=';
BitXorAssign        : '^=';
BitOrAssign         : '|=';
PowerAssign         : '**=';
AndAssign           : '&&=';
OrAssign            : '||=';
NullishAssign       : '??=';
ARROW               : '=>';

// Literals (12.9)
NullLiteral  : 'null';
TrueLiteral  : 'true';
FalseLiteral : 'false';

BigIntLiteral
    : ('0' | [1-9] ('_'? DecimalDigits)?) 'n'
    | '0' [xX] HexDigits 'n'
    | '0' [oO] OctalDigits 'n'
    | '0' [bB] BinaryDigits 'n'
    ;

NumericLiteral
    : DecimalIntegerLiteral '.' DecimalDigits? ExponentPart?
    | '.' DecimalDigits ExponentPart?
    | DecimalIntegerLiteral ExponentPart?
    | '0' [xX] HexDigits
    | '0' [oO] OctalDigits
    | '0' [bB] BinaryDigits
    | '0' [0-7]+                       // legacy octal (Annex B), rejected in strict code
    ;

// Keywords (12.7.2). Contextual ones are tokens too; the parser accepts
// them as identifiers where the specification does.
Break      : 'break';
Do         : 'do';
Instanceof : 'instanceof';
Typeof     : 'typeof';
Case       : 'case';
Else       : 'else';
New        : 'new';
Var        : 'var';
Catch      : 'catch';
Finally    : 'finally';
Return     : 'return';
Void       : 'void';
Continue   : 'continue';
For        : 'for';
Switch     : 'switch';
While      : 'while';
Debugger   : 'debugger';
Function_  : 'function';
This       : 'this';
With       : 'with';
Default    : 'default';
If         : 'if';
Throw      : 'throw';
Delete     : 'delete';
In         : 'in';
Try        : 'try';
Class      : 'class';
Enum       : 'enum';
Extends    : 'extends';
Super      : 'super';
Const      : 'const';
Export     : 'export';
Import     : 'import';
// contextual
Let        : 'let';
Static     : 'static';
Yield      : 'yield';
Await      : 'await';
Async      : 'async';
Of         : 'of';
Get        : 'get';
Set        : 'set';
From       : 'from';
As         : 'as';
Implements : 'implements';
Interface  : 'interface';
Package    : 'package';
Private    : 'private';
Protected  : 'protected';
Public     : 'public';

Identifier  : IdentifierStart IdentifierPart*;
PrivateName : '#' IdentifierStart IdentifierPart*;

StringLiteral
    : '"' DoubleStringCharacter* '"'
    | '\'' SingleStringCharacter* '\''
    ;
UnterminatedString
    : ('"' DoubleStringCharacter* | '\'' SingleStringCharacter*) '\\'?
    ;

BackTick : '`' -> pushMode(TEMPLATE);

// Anything else is a single bad character; the parser reports it.
UnexpectedCharacter : . ;

mode TEMPLATE;
BackTickEnd        : '`' -> popMode;
TemplateSubstStart : '${' -> pushMode(DEFAULT_MODE);
TemplateDollar     : '$';
TemplateChars      : (~[`\\$] | '\\' .)+;
TemplateBackslash  : '\\';

fragment DoubleStringCharacter : ~["\\\r\n] | '\\' ('\r\n' | .);
fragment SingleStringCharacter : ~['\\\r\n] | '\\' ('\r\n' | .);

fragment DecimalIntegerLiteral
    : '0'
    | [1-9] ('_'? DecimalDigits)?
    | '0' [0-7]* [89] [0-9]*           // NonOctalDecimalIntegerLiteral (Annex B)
    ;
fragment DecimalDigits : [0-9] ('_'? [0-9])*;
fragment ExponentPart  : [eE] [+-]? DecimalDigits;
fragment HexDigits     : HexDigit ('_'? HexDigit)*;
fragment OctalDigits   : [0-7] ('_'? [0-7])*;
fragment BinaryDigits  : [01] ('_'? [01])*;
fragment HexDigit      : [0-9a-fA-F];

fragment IdentifierStart
    : [\p{ID_Start}$_]
    | '\\' UnicodeEscapeSequence
    ;
fragment IdentifierPart
    : [\p{ID_Continue}$\u200C\u200D]
    | '\\' UnicodeEscapeSequence
    ;
fragment UnicodeEscapeSequence
    : 'u' HexDigit HexDigit HexDigit HexDigit
    | 'u{' HexDigit+ '}'
    ;

fragment RegexFirstChar : ~[*\\/[\r\n\u2028\u2029] | RegexBackslash | RegexClass;
fragment RegexChar      : ~[\\/[\r\n\u2028\u2029] | RegexBackslash | RegexClass;
fragment RegexClass     : '[' RegexClassChar* ']';
fragment RegexClassChar : ~[\]\\\r\n\u2028\u2029] | RegexBackslash;
fragment RegexBackslash : '\\' ~[\r\n\u2028\u2029];
