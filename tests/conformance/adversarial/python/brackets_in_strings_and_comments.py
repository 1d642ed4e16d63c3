# Brackets, quotes and keywords hidden in strings and comments: ( [ { """ '''
s1 = "(((["  # ]]]))) } else: elif
s2 = ')]}'  # "if x:"
s3 = """
else:
    ]]]
def not_a_function(:
class
""" + '''
(
finally:
'''
s4 = r"\"" + r'\'' + "\\"  # escaped quotes: "'
s5 = f"{s1!r:>{len(s2)}}{'}'}{{}}"
s6 = rb'[' b"]"
d = {  # a comment with ) and ]
    "key": [1, 2, (3,
4)],  # the line above starts at column 0 inside brackets
}
if d:  # :
    x = "# not a comment"
# comment at column 0 inside nothing, between statements
else_ = 1
elif_value = [else_
]
print(s1, s2, s3, s4, s5, s6, d, elif_value)
