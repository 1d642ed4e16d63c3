total = 1 + \
2 + \
    3
if total > 1 and \
   total < 10:
    pass
call = print(
"column zero inside parentheses",
    end="\n",
)
lst = [
# a comment at column 0 inside a list
1,
]
@staticmethod
# a comment between a decorator and its def
def decorated():
    pass
async def coro():
    async with ctx() as c:
        pass
    async for i in aiter():
        pass
x = 1; y = 2; z = (x,
    y)
lambda_ = lambda: (yield)
