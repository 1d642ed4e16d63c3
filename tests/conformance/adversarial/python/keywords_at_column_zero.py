def f(x):
    if x:
        return """
else:
except:
finally:
"""
    return '''
elif
'''
try:
    pass
# a comment between try and except does not close the try
except ValueError:
    pass

    # an indented comment after a block
else:
    pass
finally:
    pass
for i in range(2):
    pass
else:
    pass
while False:
    pass
else:
    pass
match = 1
case = 2
type = match + case
match (match, case):
    case (1, 2):
        print("tuple")
    case _:
        pass
print(f(True), f(False), type)
