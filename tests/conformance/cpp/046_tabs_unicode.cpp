#include <string>
#include <iostream>

	std::string greeting = "héllo wörld € { ; }";
// café — un commentaire avec { accolade
	int α = 1, β = 2;
		auto sumαβ = α + β;
std::cout << greeting << " " << sumαβ << "\n";
const char *emoji = "😀;";
