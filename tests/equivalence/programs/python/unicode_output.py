names = ["Zoë", "Øresund", "東京", "😀"]
for n in names:
    print(f"{n!r:>12} {len(n)}")
print("→ done ✓")
