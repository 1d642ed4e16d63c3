#include <vector>
	int	adv_tab_f(int	a)	{
		return	a;
	}
std::vector<std::vector<int>>	adv_tab_v	=	{	{1},	{2}	};
		int adv_tab_x = adv_tab_f(
1);
