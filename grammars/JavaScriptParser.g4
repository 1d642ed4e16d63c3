// JavaScript (ECMAScript 2023) parser for streamexec.
//
// Written from the ECMAScript 2023 specification, clauses 13-16 (expressions,
// statements, functions and classes, scripts and modules) plus Annex B.3.
// Design notes:
//   * Expressions use one left-recursive rule for the operators
//     (singleExpression) and one for LeftHandSideExpression (callExpression);
//     `new X` is a prefix alternative whose operand is parsed at a precedence
//     that admits member accesses but not calls.
//   * Arrow functions need no backtracking: the confirm pre-pass retypes a
//     `(` whose matching `)` is followed by `=>` to ArrowLParen and an
//     `async` that heads an arrow to AsyncArrow.
//   * ASI and [no LineTerminator here] are predicates (JavaScriptParserBase)
//     that look at the hidden line terminators between tokens.
//   * The function context (generator / async) is a stack kept by actions,
//     so `yield` / `await` are keywords or identifiers as the spec says.
//   * Cover grammars (object literal → pattern, parenthesized list → arrow
//     parameters) are parsed permissively; javascript_confirm.cpp checks the
//     early errors that refine them, and the other static semantics.
parser grammar JavaScriptParser;

options {
    tokenVocab = JavaScriptLexer;
    superClass = JavaScriptParserBase;
}

@header {
#include "JavaScriptLexerBase.h"
}

program
    : moduleItem* EOF
    ;

moduleItem
    : {moduleItemsAllowed()}? importDeclaration
    | {moduleItemsAllowed()}? exportDeclaration
    | statementListItem
    ;

// ---------------------------------------------------------------- modules

importDeclaration
    : Import importClause fromClause importAttributes? eos
    | Import StringLiteral importAttributes? eos
    ;

importClause
    : bindingIdentifier (',' (namespaceImport | namedImports))?
    | namespaceImport
    | namedImports
    ;

namespaceImport
    : '*' As bindingIdentifier
    ;

namedImports
    : ('{' | ObjLBrace) (importSpecifier (',' importSpecifier)* ','?)? '}'
    ;

importSpecifier
    : moduleExportName As bindingIdentifier
    | bindingIdentifier
    ;

moduleExportName
    : identifierName
    | StringLiteral
    ;

fromClause
    : From StringLiteral
    ;

importAttributes
    : {noLT()}? With '{' (importAttribute (',' importAttribute)* ','?)? '}'
    ;

importAttribute
    : (identifierName | StringLiteral) ':' StringLiteral
    ;

exportDeclaration
    : Export '*' (As moduleExportName)? fromClause importAttributes? eos    # ExportAll
    | Export namedExports (fromClause importAttributes?)? eos               # ExportNamed
    | Export variableStatement                                              # ExportVariable
    | Export declaration                                                    # ExportDecl
    | Export Default (functionDeclaration | classDeclaration)               # ExportDefaultDecl
    | Export Default assignmentExpression eos                               # ExportDefaultExpr
    ;

namedExports
    : '{' (exportSpecifier (',' exportSpecifier)* ','?)? '}'
    ;

exportSpecifier
    : moduleExportName (As moduleExportName)?
    ;

// ------------------------------------------------------------- statements

statementListItem
    : declaration
    | statement
    ;

declaration
    : functionDeclaration
    | classDeclaration
    | lexicalDeclaration
    ;

statement
    : block
    | variableStatement
    | emptyStatement
    | ifStatement
    | iterationStatement
    | continueStatement
    | breakStatement
    | returnStatement
    | withStatement
    | switchStatement
    | throwStatement
    | tryStatement
    | debuggerStatement
    | labelledStatement
    | expressionStatement
    ;

block
    : '{' statementListItem* '}'
    ;

variableStatement
    : Var variableDeclarationList eos
    ;

variableDeclarationList
    : variableDeclaration (',' variableDeclaration)*
    ;

variableDeclaration
    : bindingTarget ('=' assignmentExpression)?
    ;

lexicalDeclaration
    : letOrConst variableDeclarationList eos
    ;

letOrConst
    : LetDecl
    | Const
    ;

emptyStatement
    : ';'
    ;

// Cannot start with `{` (block), `function`, `class`, `let [`, `async function`:
// those tokens are retyped when they start expressions (ObjLBrace, …).
expressionStatement
    : expression eos
    ;

ifStatement
    : If '(' expression ')' subStatement (Else subStatement)?
    ;

// Annex B.3.3: a function declaration as the body of an if (sloppy only).
subStatement
    : statement
    | functionDeclaration
    ;

iterationStatement
    : Do statement While '(' expression ')' ';'?                          # DoStatement
    | While '(' expression ')' statement                                  # WhileStatement
    | For ({awaitKw()}? (Await | AwaitKw))? '(' forFirst? forRest ')' statement   # ForStatement
    ;

forFirst
    : Var variableDeclarationList
    | letOrConst variableDeclarationList
    | expression
    ;

forRest
    : ';' expression? ';' expression?
    | In expression
    | Of assignmentExpression
    ;

continueStatement
    : Continue ({noLT()}? labelIdentifier)? eos
    ;

breakStatement
    : Break ({noLT()}? labelIdentifier)? eos
    ;

// ReturnArg: `return` followed by more on the same line (see the pre-pass).
returnStatement
    : Return eos
    | ReturnArg expression eos
    ;

withStatement
    : With '(' expression ')' statement
    ;

switchStatement
    : Switch '(' expression ')' '{' caseClause* (defaultClause caseClause*)? '}'
    ;

caseClause
    : Case expression ':' statementListItem*
    ;

defaultClause
    : Default ':' statementListItem*
    ;

labelledStatement
    : labelIdentifier ':' labelledItem
    ;

labelledItem
    : statement
    | functionDeclaration
    ;

throwStatement
    : Throw {noLT()}? expression eos
    ;

tryStatement
    : Try block (catchClause finallyClause? | finallyClause)
    ;

catchClause
    : Catch ('(' bindingTarget ')')? block
    ;

finallyClause
    : Finally block
    ;

debuggerStatement
    : Debugger eos
    ;

// Statement end: `;` or an automatically inserted one (before `}`, at EOF,
// or after a line terminator).
eos
    : ';'
    | {asiOK()}?
    ;

// -------------------------------------------------- functions and classes

functionDeclaration
    : AsyncFn Function_ gen='*'? bindingIdentifier? {enterFunction(true, $gen != nullptr);} functionTail {exitFunction();}
    | Function_ gen='*'? bindingIdentifier? {enterFunction(false, $gen != nullptr);} functionTail {exitFunction();}
    ;

functionExpression
    : AsyncFn FunctionExprKw gen='*'? {enterFunction(true, $gen != nullptr);} bindingIdentifier? functionTail {exitFunction();}
    | FunctionExprKw gen='*'? {enterFunction(false, $gen != nullptr);} bindingIdentifier? functionTail {exitFunction();}
    ;

functionTail
    : openParen formalParameterList? ')' functionBody
    ;

openParen
    : OpenParen
    | ContParen
    ;

functionBody
    : '{' statementListItem* '}'
    ;

formalParameterList
    : formalParameter (',' formalParameter)* (',' functionRestParameter?)?
    | functionRestParameter
    ;

formalParameter
    : bindingElement
    ;

functionRestParameter
    : '...' bindingTarget
    ;

bindingElement
    : bindingTarget ('=' assignmentExpression)?
    ;

bindingTarget
    : bindingIdentifier
    | objectBindingPattern
    | arrayBindingPattern
    ;

objectBindingPattern
    : ('{' | ObjLBrace) (bindingRestProperty | bindingProperty (',' bindingProperty)* (',' bindingRestProperty?)?)? '}'
    ;

bindingProperty
    : propertyName ':' bindingElement
    | bindingIdentifier ('=' assignmentExpression)?
    ;

bindingRestProperty
    : '...' bindingIdentifier
    ;

// Element / comma order is checked after parsing.
arrayBindingPattern
    : '[' (',' | bindingElement | bindingRestElement)* ']'
    ;

bindingRestElement
    : '...' bindingTarget
    ;

arrowFunction
    : AsyncArrow arrowParameters {noLT()}? '=>' {enterArrow(true);} arrowBody {exitFunction(); markAssignOnly();}
    | arrowParameters {noLT()}? '=>' {enterArrow(false);} arrowBody {exitFunction(); markAssignOnly();}
    ;

arrowParameters
    : bindingIdentifier
    | ArrowLParen formalParameterList? ')'
    ;

arrowBody
    : functionBody
    | assignmentExpression
    ;

yieldExpression
    : {yieldKw()}? (Yield | YieldKw) ({noLT()}? '*'? assignmentExpression)? {markAssignOnly();}
    ;

classDeclaration
    : Class bindingIdentifier? classTail
    ;

classExpression
    : ClassExprKw bindingIdentifier? classTail
    ;

classTail
    : (Extends callExpression)? '{' classElement* '}'
    ;

classElement
    : Static '{' {enterStaticBlock();} statementListItem* '}' {exitFunction();}   # StaticBlock
    | staticModifier? methodDefinition                                            # ClassMethod
    | staticModifier? fieldDefinition                                             # ClassField
    | ';'                                                                         # ClassEmpty
    ;

staticModifier
    : StaticMod
    | Static
    ;

fieldDefinition
    : classElementName ('=' {enterField();} assignmentExpression {exitFunction();})? eos
    ;

methodDefinition
    : gen='*' classElementName {enterFunction(false, true);} openParen formalParameterList? ')' functionBody {exitFunction();}
    | AsyncMod gen='*'? classElementName {enterFunction(true, $gen != nullptr);} openParen formalParameterList? ')' functionBody {exitFunction();}
    | (GetMod | Get) classElementName openParen ')' {enterFunction(false, false);} functionBody {exitFunction();}
    | (SetMod | Set) classElementName openParen {enterFunction(false, false);} formalParameter ')' functionBody {exitFunction();}
    | classElementName openParen {enterFunction(false, false);} formalParameterList? ')' functionBody {exitFunction();}
    ;

classElementName
    : propertyName
    | PrivateName
    ;

propertyName
    : identifierName
    | StringLiteral
    | NumericLiteral
    | BigIntLiteral
    | '[' assignmentExpression ']'
    ;

// ------------------------------------------------------------ expressions

expression
    : assignmentExpression (',' assignmentExpression)*
    ;

assignmentExpression
    : singleExpression (assignmentOperator assignmentExpression)?
    ;

assignmentOperator
    : '=' | '*=' | '/=' | '%=' | '+=' | '-=' | '<<=' | '>>=' | '>>>=' | '&=' | '^=' | '|='
    | '**=' | '&&=' | '||=' | '??='
    ;

singleExpression
    : singleExpression {nA() && noLT()}? op=('++' | '--' | ContPlusPlus | ContMinusMinus) # PostfixExpr
    | op=('++' | '--') singleExpression                                             # PrefixExpr
    | op=(Delete | Void | Typeof | '+' | '-' | '~' | '!') singleExpression          # UnaryExpr
    | {awaitKw()}? (Await | AwaitKw) singleExpression                               # AwaitExpr
    | <assoc=right> singleExpression {nA()}? '**' singleExpression                  # PowerExpr
    | singleExpression {nA()}? op=('*' | '/' | '%') singleExpression                # MultiplicativeExpr
    | singleExpression {nA()}? op=('+' | '-' | ContPlus | ContMinus) singleExpression # AdditiveExpr
    | singleExpression {nA()}? op=('<<' | '>>' | '>>>') singleExpression            # ShiftExpr
    | singleExpression {nA()}? relationalOperator singleExpression                  # RelationalExpr
    | singleExpression {nA()}? op=('==' | '!=' | '===' | '!==') singleExpression    # EqualityExpr
    | singleExpression {nA()}? '&' singleExpression                                 # BitAndExpr
    | singleExpression {nA()}? '^' singleExpression                                 # BitXorExpr
    | singleExpression {nA()}? '|' singleExpression                                 # BitOrExpr
    | singleExpression {nA()}? '&&' singleExpression                                # LogicalAndExpr
    | singleExpression {nA()}? '||' singleExpression                                # LogicalOrExpr
    | singleExpression {nA()}? '??' singleExpression                                # CoalesceExpr
    | singleExpression {nA()}? '?' assignmentExpression ':' assignmentExpression    # ConditionalExpr
    | arrowFunction                                                                 # ArrowExpr
    | yieldExpression                                                               # YieldExpr
    | PrivateName                                                                   # PrivateInExpr
    | callExpression                                                                # LhsExpr
    ;

relationalOperator
    : '<' | '>' | '<=' | '>=' | Instanceof
    | {inOK()}? In
    ;

// LeftHandSideExpression: member access, new, calls and optional chains.
callExpression
    : callExpression openBracket expression ']'           # IndexExpr
    | callExpression '.' (identifierName | PrivateName)   # DotExpr
    | callExpression taggedTemplate                       # TaggedTemplateExpr
    | New callExpression                                  # NewExpr
    | callExpression arguments                            # CallExpr
    | callExpression '?.' optionalTail                    # OptionalExpr
    | Super arguments                                     # SuperCallExpr
    | Super (openBracket expression ']' | '.' identifierName)   # SuperMemberExpr
    | New '.' identifierName                              # NewTargetExpr
    | Import '.' identifierName                           # ImportMetaExpr
    | Import '(' assignmentExpression (',' assignmentExpression)? ','? ')'   # ImportCallExpr
    | primaryExpression                                   # PrimaryExpr
    ;

openBracket
    : OpenBracket
    | ContBracket
    ;

optionalTail
    : arguments
    | '[' expression ']'
    | identifierName
    | PrivateName
    | taggedTemplate
    ;

arguments
    : openParen (argument (',' argument)* ','?)? ')'
    ;

argument
    : '...'? assignmentExpression
    ;

primaryExpression
    : This                                       # ThisExpr
    | functionExpression                         # FunctionExpr
    | classExpression                            # ClassExpr
    | identifierReference                        # IdentifierExpr
    | literal                                    # LiteralExpr
    | arrayLiteral                               # ArrayExpr
    | objectLiteral                              # ObjectExpr
    | templateLiteral                            # TemplateExpr
    | '(' (parenItem (',' parenItem)* ','?)? ')' # ParenExpr
    ;

// Rest elements / empty lists are only valid as arrow parameters (checked later).
parenItem
    : '...' assignmentExpression
    | assignmentExpression
    ;

literal
    : NullLiteral
    | TrueLiteral
    | FalseLiteral
    | NumericLiteral
    | BigIntLiteral
    | StringLiteral
    | RegularExpressionLiteral
    ;

// Element / comma order is checked after parsing.
arrayLiteral
    : '[' (',' | arrayElement)* ']'
    ;

arrayElement
    : '...'? assignmentExpression
    ;

objectLiteral
    : ObjLBrace (propertyDefinition (',' propertyDefinition)* ','?)? '}'
    ;

propertyDefinition
    : '...' assignmentExpression                       # PropSpread
    | methodDefinition                                 # PropMethod
    | propertyName ':' assignmentExpression            # PropKeyValue
    | identifierReference '=' assignmentExpression     # PropCoverInit
    | identifierReference                              # PropShorthand
    ;

templateLiteral
    : BackTick templateSpan* BackTickEnd
    ;

// The template of a tagged template (escapes are not checked).
taggedTemplate
    : (BackTick | ContBackTick) templateSpan* BackTickEnd
    ;

templateSpan
    : TemplateChars
    | TemplateDollar
    | TemplateSubstStart expression TemplateSubstEnd
    ;

// ------------------------------------------------------------ identifiers

identifierReference
    : identifier
    ;

bindingIdentifier
    : identifier
    ;

labelIdentifier
    : identifier
    ;

identifier
    : Identifier
    | Let | Static | Async | Of | Get | Set | From | As
    | Implements | Interface | Package | Private | Protected | Public
    | {yieldIdent()}? Yield
    | {awaitIdent()}? Await
    ;

identifierName
    : Identifier
    | Let | Static | Async | Of | Get | Set | From | As
    | Implements | Interface | Package | Private | Protected | Public
    | Yield | Await
    | NullLiteral | TrueLiteral | FalseLiteral
    | Break | Do | Instanceof | Typeof | Case | Else | New | Var | Catch | Finally
    | Return | Void | Continue | For | Switch | While | Debugger | Function_ | This
    | With | Default | If | Throw | Delete | In | Try | Class | Enum | Extends
    | Super | Const | Export | Import
    | FunctionExprKw | ClassExprKw | ReturnArg
    ;
