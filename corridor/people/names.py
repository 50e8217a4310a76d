"""Names as keys: the same name written in another script, spelling or order gives the same
keys, so that a search (and, later, linkage) finds "محمد", "Mohamed" and "Muhammad" alike.

Two keys per word: the word transliterated to Latin letters (`anyascii`) and lowercased,
and its consonant skeleton, which drops what spellings of one name disagree on: vowels
(Arabic script writes few), doubled letters, `w`/`y`, a final `h` (tā' marbūṭa: فاطمة is
"ftmh"), and French, English and Arabic transcriptions of one sound (Diallo, Djalo and
Jallow; Ousmane and عثمان; Aïcha and Aisha). Adjacent words also give the skeleton of the
two joined, so "Abdoulaye" and "عبد الله" meet. Phones become E.164 (`phonenumbers`).
"""

from __future__ import annotations

import functools
import re

import phonenumbers
from anyascii import anyascii

WORD = re.compile(r"[a-z0-9]+")
# Transliterations of hamza and ayn, and apostrophes inside a name (N'Diaye): not a break.
GLUE = re.compile(r"['`\u2019\u02bc\u02bb]")
# One sound, several transcriptions; applied in this order, on the word without doubles.
SOUNDS = [
    (re.compile(r"^di(?=[aeiou])"), "j"),  # Diallo, Djalo, Jallow
    (re.compile(r"dj"), "j"),
    (re.compile(r"(?:ch|sh|sch)"), "s"),  # Aïcha, Aisha, عائشة (shh)
    (re.compile(r"th"), "s"),  # عثمان (thmn), Ousmane
    (re.compile(r"kh"), "k"),
    (re.compile(r"gh"), "g"),
    (re.compile(r"dh"), "d"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"(?:ck|q|c)"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"z"), "s"),
]
DOUBLE = re.compile(r"(.)\1+")
VOWELS = re.compile(r"[aeiouyw]")


# The Arabic article at the start of a word (الحسن, Hassan): the name is the rest. Not before
# fewer than three letters, so that الله (Allah, in Abdallah) stays whole.
ARABIC_ARTICLE = re.compile(r"(?<![\u0600-\u06ff])\u0627\u0644(?=[\u0600-\u06ff]{3,})")


def words(*names: str) -> list[str]:
    """Each name's words in Latin letters, lowercased, without accents or punctuation."""
    text = GLUE.sub("", anyascii(" ".join(n for n in names if n)).lower())
    return [w for w in WORD.findall(text) if not w.isdigit()]


def without_article(name: str) -> str | None:
    """The name without the Arabic article on its words (الحسن: حسن), or None when it has
    none. Both are names of the person: الأمين is written Lamine and Amine alike."""
    bare = ARABIC_ARTICLE.sub("", name or "")
    return bare if bare != (name or "") else None


@functools.lru_cache(maxsize=65536)
def skeleton(word: str) -> str:
    """The consonants that the spellings of one name share ("" when there are none).

    Cached: names repeat, and a national index or a linkage run asks for the same few
    thousand words again and again."""
    text = DOUBLE.sub(r"\1", word)
    for pattern, replacement in SOUNDS:
        text = pattern.sub(replacement, text)
    text = VOWELS.sub("", text)
    text = DOUBLE.sub(r"\1", text)
    return text[:-1] if len(text) > 1 and text.endswith("h") else text


def name_keys(*names: str) -> set[str]:
    """What a record's names are found by: `n:` each word, `s:` each word's and each pair of
    adjacent words' skeleton (within one name)."""
    keys: set[str] = set()
    for name in [*names, *filter(None, map(without_article, names))]:
        found = words(name)
        for word in found:
            keys.add(f"n:{word}")
            if shape := skeleton(word):
                keys.add(f"s:{shape}")
        for left, right in zip(found, found[1:], strict=False):
            if shape := skeleton(left + right):
                keys.add(f"s:{shape}")
    return keys


def word_keys(word: str) -> tuple[str, str | None]:
    """What one searched word is looked for as: the word itself, and its skeleton."""
    shape = skeleton(word)
    return f"n:{word}", (f"s:{shape}" if shape else None)


def e164(value: str, region: str = "") -> str:
    """A phone number in E.164 ("+2348031234567"), or "" when it is not a possible number."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, region.upper() or None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def document_key(value: str) -> str:
    """A document number as it is compared: letters and digits only, upper case."""
    return re.sub(r"[^0-9A-Z]", "", anyascii(value or "").upper())
