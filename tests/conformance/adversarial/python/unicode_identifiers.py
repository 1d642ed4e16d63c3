# Identifiers beyond ASCII (PEP 3131), strings in several scripts.
π = 3.14159
ñandú = "pájaro"
число = 42
変数 = "値"
def größe(ä, ö=π):
    return ä * ö
class Ωmega:
    λ = lambda self, x: x  # λ
    def µ(self):
        return "→ ← ↑ ↓ ( [ {"
emoji = "😀 (not an identifier) 😀"
print(größe(число), Ωmega().µ(), ñandú, 変数, emoji)
