// Python 3.11 lexer for streamexec (written from the Python 3.11 language
// reference, "Lexical analysis" chapter).
//
// The generated lexer only produces physical tokens; its superclass
// PythonLexerBase turns them into the token stream the parser expects:
// NEWLINE only at the end of logical lines, INDENT/DEDENT from the leading
// whitespace, hidden tokens (whitespace, comments, backslash continuations)
// dropped, and the NEWLINE/DEDENTs that are pending at end of input.
//
// f-strings are plain STRING tokens, as in Python 3.11.
lexer grammar PythonLexer;

options { superClass = PythonLexerBase; }

// Synthesised by PythonLexerBase (never matched by a rule):
//   INDENT, DEDENT        indentation changes
//   BAD_DEDENT            a dedent to a column that matches no outer level
//   TOO_DEEP              more than 200 nested brackets (CPython's limit)
tokens { INDENT, DEDENT, BAD_DEDENT, TOO_DEEP }

@header {
#include "PythonLexerBase.h"
}

// ---------------------------------------------------------------- literals

STRING : STRING_PREFIX? ( LONG_STRING | SHORT_STRING ) ;

// A single-quoted string that reaches the end of its line (or of the input)
// without its closing quote. A terminated string is always one character
// longer, so STRING wins whenever it matches.
UNTERMINATED_STRING : STRING_PREFIX? ( '\'' SQ_ITEM* | '"' DQ_ITEM* ) ;

NUMBER
  : DEC_INTEGER
  | HEX_INTEGER
  | OCT_INTEGER
  | BIN_INTEGER
  | FLOAT_NUMBER
  | IMAG_NUMBER
  ;

// ---------------------------------------------------------------- keywords

FALSE    : 'False' ;
NONE     : 'None' ;
TRUE     : 'True' ;
AND      : 'and' ;
AS       : 'as' ;
ASSERT   : 'assert' ;
ASYNC    : 'async' ;
AWAIT    : 'await' ;
BREAK    : 'break' ;
CLASS    : 'class' ;
CONTINUE : 'continue' ;
DEF      : 'def' ;
DEL      : 'del' ;
ELIF     : 'elif' ;
ELSE     : 'else' ;
EXCEPT   : 'except' ;
FINALLY  : 'finally' ;
FOR      : 'for' ;
FROM     : 'from' ;
GLOBAL   : 'global' ;
IF       : 'if' ;
IMPORT   : 'import' ;
IN       : 'in' ;
IS       : 'is' ;
LAMBDA   : 'lambda' ;
NONLOCAL : 'nonlocal' ;
NOT      : 'not' ;
OR       : 'or' ;
PASS     : 'pass' ;
RAISE    : 'raise' ;
RETURN   : 'return' ;
TRY      : 'try' ;
WHILE    : 'while' ;
WITH     : 'with' ;
YIELD    : 'yield' ;

// Soft keywords: the parser also accepts them wherever a name is allowed.
MATCH    : 'match' ;
CASE     : 'case' ;

NAME : ID_START ID_CONTINUE* ;

// ---------------------------------------------------------------- layout

// Every physical line break; PythonLexerBase drops the ones inside brackets
// and on blank lines.
NEWLINE : '\r\n' | '\r' | '\n' ;

LINE_JOIN : '\\' ( '\r\n' | '\r' | '\n' ) -> channel(HIDDEN) ;
WS        : [ \t\f]+ -> channel(HIDDEN) ;
COMMENT   : '#' ~[\r\n]* -> channel(HIDDEN) ;

// ---------------------------------------------------------------- operators

LPAR      : '(' ;
RPAR      : ')' ;
LSQB      : '[' ;
RSQB      : ']' ;
LBRACE    : '{' ;
RBRACE    : '}' ;
COMMA     : ',' ;
COLON     : ':' ;
SEMI      : ';' ;
ELLIPSIS  : '...' ;
DOT       : '.' ;
ARROW     : '->' ;
WALRUS    : ':=' ;
ASSIGN    : '=' ;

ADD_ASSIGN    : '+=' ;
SUB_ASSIGN    : '-=' ;
MUL_ASSIGN    : '*=' ;
MATMUL_ASSIGN : '@=' ;
DIV_ASSIGN    : '/=' ;
IDIV_ASSIGN   : '//=' ;
MOD_ASSIGN    : '%=' ;
AND_ASSIGN    : '&=' ;
OR_ASSIGN     : '|=' ;
XOR_ASSIGN    : '^=' ;
LSHIFT_ASSIGN : '<<=' ;
RSHIFT_ASSIGN : '>>=' ;
POW_ASSIGN    : '**=' ;

PLUS    : '+' ;
MINUS   : '-' ;
STAR    : '*' ;
DSTAR   : '**' ;
SLASH   : '/' ;
DSLASH  : '//' ;
PERCENT : '%' ;
AT      : '@' ;
LSHIFT  : '<<' ;
RSHIFT  : '>>' ;
AMP     : '&' ;
PIPE    : '|' ;
CARET   : '^' ;
TILDE   : '~' ;
LT      : '<' ;
GT      : '>' ;
LE      : '<=' ;
GE      : '>=' ;
EQ      : '==' ;
NE      : '!=' ;

// Anything else ('$', '?', '!', '`', a lone backslash, a character that
// cannot start an identifier) is a token no parser rule accepts.
ERROR_CHAR : . ;

// ---------------------------------------------------------------- fragments

// r, u, b, f and the two-letter combinations rb/br/rf/fr, in any case.
fragment STRING_PREFIX
  : [rRuUbBfF]
  | [rR] [bBfF]
  | [bBfF] [rR]
  ;

// A backslash always escapes the next character (also in raw strings, where
// it stays part of the value); an escaped CR LF is one line break.
fragment SHORT_STRING
  : '\'' SQ_ITEM* '\''
  | '"' DQ_ITEM* '"'
  ;
fragment SQ_ITEM : '\\' ( '\r\n' | . ) | ~[\\\r\n'] ;
fragment DQ_ITEM : '\\' ( '\r\n' | . ) | ~[\\\r\n"] ;

fragment LONG_STRING
  : '\'\'\'' LONG_ITEM*? '\'\'\''
  | '"""' LONG_ITEM*? '"""'
  ;
fragment LONG_ITEM : '\\' ( '\r\n' | . ) | ~'\\' ;

fragment DEC_INTEGER : NONZERO_DIGIT ( '_'? DIGIT )* | '0'+ ( '_'? '0' )* ;
fragment HEX_INTEGER : '0' [xX] ( '_'? HEX_DIGIT )+ ;
fragment OCT_INTEGER : '0' [oO] ( '_'? [0-7] )+ ;
fragment BIN_INTEGER : '0' [bB] ( '_'? [01] )+ ;

fragment FLOAT_NUMBER : POINT_FLOAT | EXPONENT_FLOAT ;
fragment POINT_FLOAT : DIGIT_PART? '.' DIGIT_PART | DIGIT_PART '.' ;
fragment EXPONENT_FLOAT : ( DIGIT_PART | POINT_FLOAT ) [eE] [+-]? DIGIT_PART ;
fragment IMAG_NUMBER : ( FLOAT_NUMBER | DIGIT_PART ) [jJ] ;
fragment DIGIT_PART : DIGIT ( '_'? DIGIT )* ;

fragment NONZERO_DIGIT : [1-9] ;
fragment DIGIT : [0-9] ;
fragment HEX_DIGIT : [0-9a-fA-F] ;

// PEP 3131: id_start = Lu Ll Lt Lm Lo Nl, '_' and Other_ID_Start;
// id_continue = id_start, Mn Mc Nd Pc and Other_ID_Continue.
fragment ID_START
  : '_'
  | [\p{Lu}\p{Ll}\p{Lt}\p{Lm}\p{Lo}\p{Nl}]
  | [\u1885\u1886\u2118\u212E\u309B\u309C]
  ;
fragment ID_CONTINUE
  : ID_START
  | [\p{Mn}\p{Mc}\p{Nd}\p{Pc}]
  | [\u00B7\u0387\u1369-\u1371\u19DA]
  ;
