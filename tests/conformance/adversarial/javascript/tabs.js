function tabbed(a)	{
	if	(a)	{
		return	[	1,	2	];
	}
	return	"	";
}
	const	v	=	{	k:	1	}
		v.k
	+	1;
tabbed(v)
