def tabbed(a):
	if a:
		return [
	1,
	]
	else:
		return	(a,	"	")

class T:
	def m(self):
		pass

	# tab-indented comment
	x = 1
v	=	{	"k"	:	1	}
print(tabbed(1), T.x, v)
