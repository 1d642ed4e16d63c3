// This program has comments with { braces } and ; semicolons
#include <iostream>

/* A block comment
   with a closing } brace and ; */
int counter = 0;  // increments { here

/*
 * if (x) { else }
 */
void bump() {
  // } not the end
  ++counter; /* ; */
}

bump(); // call it ;
bump();
std::cout << counter /* } */ << std::endl;
