import json, os
data = {"name": "streamexec", "units": [1, 2, 3]}
with open("out.json", "w") as f:
    json.dump(data, f)
print(os.path.exists("out.json"))
with open("out.json") as f:
    print(json.load(f)["units"])
os.remove("out.json")
print(sorted(os.listdir(".")))
