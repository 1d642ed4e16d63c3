x = "if True:"
# if False:
else:
    pass
