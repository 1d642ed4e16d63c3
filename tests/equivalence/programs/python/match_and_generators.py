def tokens(text):
    for word in text.split():
        if word.isdigit():
            yield ("num", int(word))
        else:
            yield ("word", word)

def describe(tok):
    match tok:
        case ("num", n) if n > 10:
            return f"big {n}"
        case ("num", n):
            return f"small {n}"
        case ("word", w):
            return f"word {w}"

for t in tokens("add 3 and 42 then stop"):
    print(describe(t))
