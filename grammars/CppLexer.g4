// Structural lexer for C++20 as clang-repl accepts it (streamexec, docs/DESIGN.md §3).
//
// Written from the C++20 lexical grammar ([lex]); it only distinguishes what the
// structural parser (CppParser.g4) needs to find top-level boundaries:
// brackets, ';', '=', ':', '::', '<', '>', a few keywords, and preprocessor
// directives as whole logical lines. Everything else is IDENTIFIER / NUMBER /
// literal / OP. Conventions:
//  * The input is fed byte-for-byte (one code point per byte, see
//    frontend/cpp/cpp_confirm.cpp), so token indices are byte offsets and
//    UTF-8 in identifiers/strings/comments is just bytes 0x80..0xFF.
//  * '>' is always a single token, so '>>' closing two template argument lists
//    needs no special treatment; '>=', '>>=' are OP (they never close one).
//  * Unterminated literals/comments get their own token types so that the
//    confirmer can tell "text ends inside a string" (incomplete) from "string
//    broken by a newline" (error).
//  * Raw strings R"delim( ... )delim" are finished by code (finishRawString),
//    since the delimiter is dynamic.
lexer grammar CppLexer;

@members {
  // true when the text handed to the lexer begins at the start of a line
  // (the chunker may start a unit in the middle of a line).
  bool sxBeginsLine = true;

  // '#' starts a directive only as the first non-blank character of a line.
  // Evaluated right after the '#' (a predicate at the left edge of a rule
  // would disable the lexer's DFA start-state cache for every token).
  bool hashAtLineStart() {
    for (ssize_t k = -2;; --k) {
      size_t c = _input->LA(k);
      if (c == antlr4::IntStream::EOF) return sxBeginsLine;
      if (c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r') continue;
      return c == '\n';  // a line ends at LF (CRLF too); a lone CR is a blank
    }
  }

  // a '/' inside a directive that does not start a comment
  bool notCommentAhead() {
    size_t c = _input->LA(1);
    return c != '/' && c != '*';
  }

  // Directive kind from its name: #if/#ifdef/#ifndef open a conditional group,
  // #elif/#elifdef/#elifndef/#else continue it, #endif closes it.
  void classifyDirective() {
    size_t stop = _input->index();
    size_t i = tokenStartCharIndex + 1;
    while (i < stop) {
      size_t c = charAt(i);
      if (c == ' ' || c == '\t' || c == '\f' || c == '\v') ++i; else break;
    }
    std::string name;
    while (i < stop && name.size() < 16) {
      size_t c = charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') { name += static_cast<char>(c); ++i; }
      else break;
    }
    if (name == "if" || name == "ifdef" || name == "ifndef") setType(PP_IF);
    else if (name == "else" || name == "elif" || name == "elifdef" || name == "elifndef") setType(PP_ELSE);
    else if (name == "endif") setType(PP_ENDIF);
  }

  size_t charAt(size_t i) {
    ssize_t rel = static_cast<ssize_t>(i) - static_cast<ssize_t>(_input->index());
    return _input->LA(rel >= 0 ? rel + 1 : rel);
  }

  // Called after PREFIX? R " delim ( : consume up to and including ) delim "
  // plus an optional ud-suffix. Text ending first makes UNTERM_RAW_STRING.
  void finishRawString() {
    size_t stop = _input->index();
    size_t i = tokenStartCharIndex;
    while (charAt(i) != '"') ++i;
    std::u32string term = U")";
    for (size_t k = i + 1; k + 1 < stop; ++k) term += static_cast<char32_t>(charAt(k));
    term += U'"';
    auto *sim = getInterpreter<antlr4::atn::LexerATNSimulator>();
    size_t matched = 0;
    while (matched < term.size()) {
      size_t c = _input->LA(1);
      if (c == antlr4::Token::EOF) { setType(UNTERM_RAW_STRING); return; }
      sim->consume(_input);
      if (c == term[matched]) ++matched;
      else matched = (c == ')') ? 1 : 0;
    }
    for (;;) {  // ud-suffix
      size_t c = _input->LA(1);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9') || (c >= 0x80 && c <= 0xFF))
        sim->consume(_input);
      else break;
    }
  }
}

tokens { PP_IF, PP_ELSE, PP_ENDIF, UNTERM_RAW_STRING }

// ---- preprocessor: one token per logical line -----------------------------
DIRECTIVE : '#' {hashAtLineStart()}? DirPiece* {classifyDirective();} ;

fragment DirPiece
  : ~[\\\n/"']
  | '\\' ~[\n]
  | '\\' '\r'? '\n'
  | '/' {notCommentAhead()}?
  | '/*' .*? '*/'
  | '//' LineCommentBody
  | StringBody
  | CharBody
  | '"'
  | '\''
  ;

// ---- whitespace and comments ----------------------------------------------
WS : [ \t\f\u000B\r\n]+ -> skip ;
LINE_SPLICE : '\\' '\r'? '\n' -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
UNTERM_BLOCK_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* ;
LINE_COMMENT : '//' LineCommentBody -> skip ;
fragment LineCommentBody : ( ~[\\\n] | '\\' | '\\' '\r'? '\n' )* ;

// ---- literals -----------------------------------------------------------
RAW_STRING : EncodingPrefix? 'R"' RawDelimChar* '(' {finishRawString();} ;
fragment RawDelimChar : ~[ ()\\\t\r\n\u000B\f"] ;

STRING : EncodingPrefix? StringBody UdSuffix? ;
UNTERM_STRING : EncodingPrefix? '"' SChar* ;
fragment StringBody : '"' SChar* '"' ;
fragment SChar : ~["\\\n] | '\\' ~[\n] | '\\' '\r'? '\n' ;

CHAR : EncodingPrefix? CharBody UdSuffix? ;
UNTERM_CHAR : EncodingPrefix? '\'' CChar* ;
fragment CharBody : '\'' CChar* '\'' ;
fragment CChar : ~['\\\n] | '\\' ~[\n] | '\\' '\r'? '\n' ;

fragment EncodingPrefix : 'u8' | 'u' | 'U' | 'L' ;
fragment UdSuffix : IdStart IdChar* ;

// pp-number: covers integers, floats, hex floats, digit separators 1'000 and
// user-defined literal suffixes.
NUMBER : '.'? [0-9] ( [0-9a-zA-Z_.] | [eEpP] [+-] | '\'' [0-9a-zA-Z_] )* ;

// ---- keywords the structural parser needs ----------------------------------
IF : 'if' ;
ELSE : 'else' ;
FOR : 'for' ;
WHILE : 'while' ;
DO : 'do' ;
SWITCH : 'switch' ;
TRY : 'try' ;
CATCH : 'catch' ;
NAMESPACE : 'namespace' ;
TEMPLATE : 'template' ;
EXTERN : 'extern' ;
INLINE : 'inline' ;
OPERATOR : 'operator' ;
REQUIRES : 'requires' ;
CONSTEXPR : 'constexpr' ;
// alignas(…) and __attribute__((…)) take a parenthesised argument that is no
// parameter list: `struct alignas(64) S { … };` is a class, not a function.
ALIGNAS : 'alignas' ;
GNU_ATTRIBUTE : '__attribute__' | '__declspec' ;

IDENTIFIER : IdStart IdChar* ;
fragment IdStart : [a-zA-Z_$\u0080-\u00FF] ;
fragment IdChar : [a-zA-Z0-9_$\u0080-\u00FF] ;

// ---- punctuation ------------------------------------------------------------
LPAREN : '(' ;
RPAREN : ')' ;
LBRACKET : '[' ;
RBRACKET : ']' ;
LBRACE : '{' ;
RBRACE : '}' ;
SEMI : ';' ;
COMMA : ',' ;
COLONCOLON : '::' ;
COLON : ':' ;
ASSIGN : '=' ;
LT : '<' ;
GT : '>' ;
ELLIPSIS : '...' ;
ARROW : '->' ;
// every other operator, longest first so that e.g. '<=' and '==' never yield ASSIGN
OP
  : '<=>' | '<<=' | '>>=' | '->*' | '<<' | '<=' | '>=' | '==' | '!=' | '&&' | '||'
  | '++' | '--' | '+=' | '-=' | '*=' | '/=' | '%=' | '&=' | '|=' | '^=' | '.*'
  | [.?~!+\-*/%^&|]
  ;
HASH : '#' ;
OTHER : . ;
