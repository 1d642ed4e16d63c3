class AppError(Exception):
    pass

def load():
    try:
        {}["missing"]
    except KeyError as e:
        raise AppError("could not load") from e

try:
    load()
except AppError as e:
    print("caught:", e, "cause:", repr(e.__cause__))
raise SystemExit(0)
