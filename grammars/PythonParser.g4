// Python 3.11 parser for streamexec, written from the Python 3.11 language
// reference (full grammar specification). The rules follow the reference's
// structure but are left-factored for ANTLR's SLL prediction; a few places
// are deliberately permissive where the reference uses long lookahead
// (assignment targets, parameter order, argument order) and the
// confirm step (frontend/python/python_confirm.cpp) checks them on the tree.
parser grammar PythonParser;

options { tokenVocab = PythonLexer; }

// ============================================================ statements

file_input : ( statement | NEWLINE )* EOF ;

statement : compound_stmt | simple_stmts ;

simple_stmts : simple_stmt ( ';' simple_stmt )* ';'? NEWLINE ;

simple_stmt
  : expr_stmt
  | return_stmt
  | import_stmt
  | raise_stmt
  | pass_stmt
  | del_stmt
  | yield_stmt
  | assert_stmt
  | break_stmt
  | continue_stmt
  | global_stmt
  | nonlocal_stmt
  ;

compound_stmt
  : if_stmt
  | while_stmt
  | for_stmt
  | try_stmt
  | with_stmt
  | funcdef
  | classdef
  | decorated
  | async_funcdef
  | async_stmt
  | match_stmt
  ;

// ------------------------------------------------------------ simple statements

// Expression statement, assignment (targets checked after parsing),
// augmented assignment, annotated assignment.
expr_stmt
  : star_expressions
    ( annassign
    | augassign assign_rhs
    | ( '=' assign_rhs )+
    )?
  ;

assign_rhs : yield_expr | star_expressions ;

annassign : ':' expression ( '=' assign_rhs )? ;

augassign
  : '+=' | '-=' | '*=' | '@=' | '/=' | '%=' | '&=' | '|=' | '^='
  | '<<=' | '>>=' | '**=' | '//='
  ;

return_stmt   : 'return' star_expressions? ;
raise_stmt    : 'raise' ( expression ( 'from' expression )? )? ;
pass_stmt     : 'pass' ;
break_stmt    : 'break' ;
continue_stmt : 'continue' ;
global_stmt   : 'global' name ( ',' name )* ;
nonlocal_stmt : 'nonlocal' name ( ',' name )* ;
del_stmt      : 'del' target_list ;
yield_stmt    : yield_expr ;
assert_stmt   : 'assert' expression ( ',' expression )? ;

import_stmt : import_name | import_from ;

import_name     : 'import' dotted_as_names ;
dotted_as_names : dotted_as_name ( ',' dotted_as_name )* ;
dotted_as_name  : dotted_name ( 'as' name )? ;
dotted_name     : name ( '.' name )* ;

import_from
  : 'from' ( relative_dots dotted_name? | dotted_name ) 'import' import_from_targets
  ;
relative_dots : ( '.' | '...' )+ ;
import_from_targets
  : '(' import_as_names ','? ')'
  | import_as_names
  | '*'
  ;
import_as_names : import_as_name ( ',' import_as_name )* ;
import_as_name  : name ( 'as' name )? ;

// ------------------------------------------------------------ compound statements

block
  : NEWLINE INDENT statement+ DEDENT
  | simple_stmts
  ;

if_stmt
  : 'if' named_expression ':' block
    ( elif_clause )*
    ( else_clause )?
  ;
elif_clause : 'elif' named_expression ':' block ;
else_clause : 'else' ':' block ;

while_stmt : 'while' named_expression ':' block else_clause? ;

for_stmt : 'for' target_list 'in' star_expressions ':' block else_clause? ;

try_stmt
  : 'try' ':' block
    ( except_clause+ else_clause? finally_clause?
    | except_star_clause+ else_clause? finally_clause?
    | finally_clause
    )
  ;
except_clause      : 'except' ( expression ( 'as' name )? )? ':' block ;
except_star_clause : 'except' '*' expression ( 'as' name )? ':' block ;
finally_clause     : 'finally' ':' block ;

with_stmt
  : 'with'
    ( '(' with_item ( ',' with_item )* ','? ')'
    | with_item ( ',' with_item )*
    )
    ':' block
  ;
with_item : expression ( 'as' target )? ;

funcdef : 'def' name '(' parameters? ')' ( '->' expression )? ':' block ;

async_funcdef : 'async' funcdef ;

async_stmt : 'async' ( with_stmt | for_stmt ) ;

// Order and uniqueness of parameters are checked after parsing.
parameters : parameter ( ',' parameter )* ','? ;
parameter
  : '/'
  | '*' ( name star_annotation? )?
  | '**' name annotation?
  | name annotation? ( '=' expression )?
  ;
annotation      : ':' expression ;
star_annotation : ':' star_expression ;

classdef : 'class' name ( '(' arguments? ')' )? ':' block ;

decorated : decorator+ ( classdef | funcdef | async_funcdef ) ;
decorator : '@' named_expression NEWLINE ;

// ------------------------------------------------------------ match (soft keywords)

match_stmt : 'match' subject_expr ':' NEWLINE INDENT case_block+ DEDENT ;

subject_expr : star_named_expression ( ',' star_named_expression )* ','? ;

case_block : 'case' patterns guard? ':' block ;
guard      : 'if' named_expression ;

patterns : maybe_star_pattern ( ',' maybe_star_pattern )* ','? ;
maybe_star_pattern : '*' name | pattern ;
pattern    : or_pattern ( 'as' name )? ;
or_pattern : closed_pattern ( '|' closed_pattern )* ;

closed_pattern
  : literal_pattern
  | name_or_attr ( '(' pattern_arguments? ')' )?
  | '(' patterns? ')'
  | '[' patterns? ']'
  | '{' mapping_items? '}'
  ;
literal_pattern
  : signed_number ( ( '+' | '-' ) NUMBER )?
  | STRING+
  | 'None'
  | 'True'
  | 'False'
  ;
signed_number : '-'? NUMBER ;
name_or_attr  : name ( '.' name )* ;

pattern_arguments : pattern_argument ( ',' pattern_argument )* ','? ;
pattern_argument  : name '=' pattern | pattern ;

mapping_items : mapping_item ( ',' mapping_item )* ','? ;
mapping_item
  : '**' name
  | ( literal_pattern | name_or_attr ) ':' pattern
  ;

// ============================================================ expressions

star_expressions : star_expression ( ',' star_expression )* ','? ;
star_expression  : '*' bitwise_or | expression ;

star_named_expressions : star_named_expression ( ',' star_named_expression )* ','? ;
star_named_expression  : '*' bitwise_or | named_expression ;

named_expression : name ':=' expression | expression ;

expression
  : disjunction ( 'if' disjunction 'else' expression )?
  | lambdef
  ;

yield_expr : 'yield' ( 'from' expression | star_expressions )? ;

lambdef : 'lambda' lambda_parameters? ':' expression ;
lambda_parameters : lambda_parameter ( ',' lambda_parameter )* ','? ;
lambda_parameter
  : '/'
  | '*' name?
  | '**' name
  | name ( '=' expression )?
  ;

disjunction : conjunction ( 'or' conjunction )* ;
conjunction : inversion ( 'and' inversion )* ;
inversion   : 'not' inversion | comparison ;

comparison : bitwise_or ( comp_op bitwise_or )* ;
comp_op
  : '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'in' | 'not' 'in'
  | 'is' 'not'?
  ;

bitwise_or  : bitwise_xor ( '|' bitwise_xor )* ;
bitwise_xor : bitwise_and ( '^' bitwise_and )* ;
bitwise_and : shift_expr ( '&' shift_expr )* ;
shift_expr  : sum ( ( '<<' | '>>' ) sum )* ;
sum         : term ( ( '+' | '-' ) term )* ;
term        : factor ( ( '*' | '/' | '//' | '%' | '@' ) factor )* ;
factor      : ( '+' | '-' | '~' ) factor | power ;
power       : await_primary ( '**' factor )? ;
await_primary : 'await'? primary ;

primary : atom trailer* ;
trailer
  : '(' arguments? ')'
  | '[' slices ']'
  | '.' name
  ;

atom
  : name
  | 'True'
  | 'False'
  | 'None'
  | NUMBER
  | STRING+
  | '...'
  | '(' ( yield_expr | testlist_comp )? ')'
  | '[' testlist_comp? ']'
  | '{' dictorsetmaker? '}'
  ;

// Contents of ( ) and [ ]: a comprehension, or a comma-separated list.
testlist_comp : star_named_expression ( comp_for | ( ',' star_named_expression )* ','? ) ;

dictorsetmaker
  : dict_item ( comp_for | ( ',' dict_item )* ','? )
  | star_named_expression ( comp_for | ( ',' star_named_expression )* ','? )
  ;
dict_item : expression ':' expression | '**' bitwise_or ;

comp_for  : 'async'? 'for' target_list 'in' disjunction comp_iter? ;
comp_iter : comp_for | comp_if ;
comp_if   : 'if' disjunction comp_iter? ;

slices : slice ( ',' slice )* ','? ;
slice
  : name ':=' expression
  | expression ( ':' expression? slice_step? )?
  | ':' expression? slice_step?
  | '*' bitwise_or
  ;
slice_step : ':' expression? ;

arguments : argument ( ',' argument )* ','? ;
argument
  : name ':=' expression
  | name '=' expression
  | '*' expression
  | '**' expression
  | expression comp_for?
  ;

// Targets of for, del, with ... as and comprehensions: checked after parsing.
target_list : target ( ',' target )* ','? ;
target      : '*'? bitwise_or ;

// Soft keywords are names everywhere else.
name : NAME | 'match' | 'case' ;
