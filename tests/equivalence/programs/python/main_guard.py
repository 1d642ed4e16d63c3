"""A small tool: counts words."""
import sys
from collections import Counter


def count_words(text):
    return Counter(text.lower().split())


def main(argv):
    text = "the quick brown fox jumps over the lazy dog the end"
    for word, n in count_words(text).most_common(3):
        print(f"{word}: {n}")
    print("args:", len(argv))
    print("doc:", __doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
