for i in range(3):
    print("round", i)
    if i == 1:
        exit(2)
