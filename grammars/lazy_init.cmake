# cmake -DIN=Gen.cpp -DOUT=Lazy.cpp -DCLASS=Name -P lazy_init.cmake
#
# ANTLR 4.9's C++ target deserialises each recognizer's ATN in a static
# initializer (`Name::Initializer Name::_init;`): every process that loads
# libstreamexec paid for all six recognizers (Python, JavaScript and C++
# lexers and parsers) before main, whichever languages it would see. This
# copies a generated recognizer with that definition removed and a
# function-local static Initializer at the top of its constructor instead:
# the ATN is built at the first construction, once, thread-safely (C++11
# "magic statics"). Fails the build if the generated code has another shape.
file(READ "${IN}" text)
set(def "${CLASS}::Initializer ${CLASS}::_init;")
string(FIND "${text}" "${def}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "lazy_init: '${def}' not found in ${IN} (another ANTLR version?)")
endif()
string(REPLACE "${def}" "// ${CLASS}::_init: constructed at the first construction (grammars/lazy_init.cmake)"
  text "${text}")
string(REGEX MATCH "${CLASS}::${CLASS}\\([A-Za-z_]+ \\*input\\) : [A-Za-z_:]+\\(input\\) {" ctor "${text}")
if(NOT ctor)
  message(FATAL_ERROR "lazy_init: the constructor of ${CLASS} not found in ${IN} (another ANTLR version?)")
endif()
string(REPLACE "${ctor}" "${ctor}\n  static const Initializer lazy_init;  // the ATN, on first use (grammars/lazy_init.cmake)"
  text "${text}")
file(WRITE "${OUT}" "${text}")
