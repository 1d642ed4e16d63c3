// Structural parser for C++20 top-level input as clang-repl accepts it
// (streamexec, docs/DESIGN.md §3). Written from the C++20 grammar ([gram]) but only
// deep enough to find where top-level declarations and statements end:
// bodies, parameter lists, initialisers and expressions are balanced token
// groups ( ... ) [ ... ] { ... } holding any tokens; clang does the real parse.
//
// A translation unit is a sequence of items:
//  * directives (one token per logical line) and #if ... #endif groups,
//  * template<...> prefixes attached to the declaration that follows,
//  * namespace definitions and extern "C" blocks/declarations (close at '}'),
//  * function definitions: a head containing a parameter list, then a body
//    (closes at '}'; constructor initialisers and function-try-blocks too),
//  * control statements (if/else, for, while, do-while, switch, try/catch,
//    blocks) whose sub-statements are themselves structured,
//  * everything else: tokens and groups up to ';' at depth 0 (declarations of
//    variables, classes/enums with their ';', using, typedef, static_assert,
//    expression statements ...).
parser grammar CppParser;

options { tokenVocab = CppLexer; }

translationUnit : item* EOF ;

item
  : directive
  | ppConditional
  | emptyItem
  | templateItem
  | namespaceDefinition
  | namespaceAlias
  | linkageSpecification
  | functionDefinition
  | controlStatement
  | simpleItem
  | attributedItem
  ;

// [[...]] before a declaration or statement (a lambda introducer never
// starts with '[[', so '[[' at the start of an item is an attribute).
attributedItem : attributeSpecifier+ ( functionDefinition | simpleItem | controlStatement | templateItem ) ;
attributeSpecifier : LBRACKET LBRACKET balanced* RBRACKET RBRACKET ;

directive : DIRECTIVE ;

// #if/#ifdef/#ifndef ... (#elif/#else ...)* #endif: one unit (clang-repl
// cannot take an unterminated conditional); the branches are token soup.
ppConditional : PP_IF ppElem* ( PP_ELSE ppElem* )* PP_ENDIF ;
ppElem : ~( PP_IF | PP_ELSE | PP_ENDIF | LPAREN | RPAREN | LBRACKET | RBRACKET | LBRACE | RBRACE | HASH )
       | group
       | ppConditional
       ;

emptyItem : SEMI ;

// template<...> / template<> / template (explicit instantiation), then the
// declaration it applies to.
templateItem : TEMPLATE templateParams? ( templateItem | functionDefinition | simpleItem | linkageSpecification ) ;
templateParams : LT templateParam* GT ;
templateParam
  : ~( LT | GT | LPAREN | RPAREN | LBRACKET | RBRACKET | LBRACE | RBRACE | SEMI | HASH )
  | group
  | LT templateParam* GT
  ;

namespaceDefinition : INLINE? NAMESPACE namespaceName? bracketGroup* braceGroup ;
namespaceName : IDENTIFIER ( COLONCOLON INLINE? IDENTIFIER )* ;
namespaceAlias : NAMESPACE IDENTIFIER ASSIGN simpleElem* SEMI ;

linkageSpecification : EXTERN STRING ( braceGroup | functionDefinition | simpleItem | templateItem ) ;

// ---- function definitions -------------------------------------------------
functionDefinition : functionHead functionBody ;
// The parameter list is followed only by cv/ref qualifiers, noexcept(...),
// override/final, attributes, then optionally '-> type' and/or a
// requires-clause: so "map<string, function<int(int)>> m{...}" is no function.
functionHead : headElem* parenGroup tailElem* ( ARROW headElem* )? ( REQUIRES headElem* )? ;
tailElem : IDENTIFIER | OP | parenGroup | bracketGroup | GNU_ATTRIBUTE parenGroup ;
headElem
  : ~( SEMI | LBRACE | RBRACE | LPAREN | RPAREN | LBRACKET | RBRACKET | ASSIGN | COLON
     | IF | ELSE | FOR | WHILE | DO | SWITCH | TRY | CATCH | NAMESPACE | TEMPLATE
     | PP_IF | PP_ELSE | PP_ENDIF | DIRECTIVE | HASH | OPERATOR | ALIGNAS | GNU_ATTRIBUTE )
  | ( ALIGNAS | GNU_ATTRIBUTE ) parenGroup
  | parenGroup
  | bracketGroup
  | OPERATOR operatorSymbol?
  | REQUIRES parenGroup? braceGroup
  | DIRECTIVE
  ;
operatorSymbol : ~( SEMI | LBRACE | RBRACE | LPAREN | RPAREN | LBRACKET | RBRACKET | HASH ) ;
functionBody
  : ctorInitializer? braceGroup
  | TRY ctorInitializer? braceGroup handler+
  ;
ctorInitializer : COLON memInitializer ( COMMA memInitializer )* ;
memInitializer : memName+ ( parenGroup | braceGroup ) ELLIPSIS? ;
memName : IDENTIFIER | COLONCOLON | TEMPLATE | LT templateParam* GT ;

// ---- statements -------------------------------------------------------------
controlStatement
  : ifStatement
  | forStatement
  | whileStatement
  | doStatement
  | switchStatement
  | tryStatement
  | compoundStatement
  ;
statement
  : attributeSpecifier* ( controlStatement | emptyItem | simpleItem )
  ;
ifStatement : IF CONSTEXPR? parenGroup statement ( ELSE statement )? ;
forStatement : FOR parenGroup statement ;
whileStatement : WHILE parenGroup statement ;
doStatement : DO statement WHILE parenGroup SEMI ;
switchStatement : SWITCH parenGroup statement ;
tryStatement : TRY braceGroup handler+ ;
handler : CATCH parenGroup braceGroup ;
compoundStatement : braceGroup ;

// ---- declarations and expression statements up to ';' ---------------------
simpleItem : simpleStart simpleElem* SEMI ;
simpleStart
  : ~( SEMI | LBRACE | RBRACE | LPAREN | RPAREN | LBRACKET | RBRACKET
     | IF | ELSE | FOR | WHILE | DO | SWITCH | TRY | CATCH | NAMESPACE | TEMPLATE
     | PP_IF | PP_ELSE | PP_ENDIF | DIRECTIVE | HASH )
  | parenGroup
  | lambdaIntroducer
  ;
lambdaIntroducer
  : LBRACKET RBRACKET
  | LBRACKET ( ~( LBRACKET | RBRACKET | LPAREN | RPAREN | LBRACE | RBRACE | HASH ) | parenGroup | braceGroup ) balanced* RBRACKET
  ;
simpleElem
  : ~( SEMI | LBRACE | RBRACE | LPAREN | RPAREN | LBRACKET | RBRACKET
     | IF | ELSE | FOR | WHILE | DO | SWITCH | TRY | CATCH
     | PP_IF | PP_ELSE | PP_ENDIF | HASH )
  | group
  | ppConditional
  ;

// ---- balanced groups --------------------------------------------------------
group : parenGroup | bracketGroup | braceGroup ;
parenGroup : LPAREN balanced* RPAREN ;
bracketGroup : LBRACKET balanced* RBRACKET ;
braceGroup : LBRACE balanced* RBRACE ;
balanced
  : ~( LPAREN | RPAREN | LBRACKET | RBRACKET | LBRACE | RBRACE | HASH )
  | group
  ;
