"""Privacy-preserving record linkage (PPRL): Bloom-filter encodings of persons, and matching.

Two partner instances find the persons known to both without sending a name: each turns
every person into a cryptographic long-term key (CLK, Schnell et al. 2011) — a 1024-bit
Bloom filter — keyed with the secret the two administrators agreed (`Partner.pprl_secret`),
sends only the filters, and compares them with the Dice coefficient (`anonlink`).

**Why hand-written, not `clkhash`.** clkhash (the reference encoder of the same scheme)
pins `cryptography<41`, which this project cannot use; the scheme is small and published, so
it is implemented here following clkhash's choices:

- per field, the normalised value is tokenised into bigrams, padded with one space at each
  end (clkhash's default `ngram` tokeniser with `positional: false`);
- each token sets `k` bits chosen by double hashing, `h1 + i·h2 mod 1024` for i < k (Kirsch
  & Mitzenmacher; clkhash's `doubleHash`), with HMAC-SHA256 under two keys per field;
- the per-field keys are derived from the pair's secret with HKDF-SHA256 (clkhash derives
  per-field keys from the secret with HKDF too), so a field's tokens never collide with
  another field's, and the same value encodes differently for every partner pair;
- one 1024-bit filter per record (a CLK), all fields in it.

**What is encoded** (`FIELDS`): the consonant skeletons of the name's words
(corridor.people.names.skeleton: Diallo, Djalo, Jallow and ديالو agree) weigh most; the
transliterated words themselves (names.words: any script) a little, to tell apart names
with one skeleton; the birth year when known; the sex when known. Never a plain name, a
full date of birth, a phone or any other field: a filter holds only bits. Name order and
which part is given or family name do not matter (a bag of tokens).

**Threshold.** `THRESHOLD` = 0.8 (Dice): in the tests, spellings and scripts of one name
with the same birth year score about 0.9 (Fatoumata Diallo ~ Fatimata Jallow 0.89,
~ Фатумата Диалло 0.97), different women sharing a family name about 0.65 (Aminata or
Mariama Diallo), unrelated names under 0.3.
A match is a *possible* match, for a coordinator to verify, never a decision.

**What a partner could learn.** The partner holds the secret too, so it could encode
guessed names and test them against the filters it received (a dictionary attack): the
secret protects against anyone else on the path or holding a copy, not against the partner.
That is why only coordinators exchange, only with active partners, every exchange is
audited on both sides, and received filters are deleted once compared.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import anonlink
from bitarray import bitarray
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from corridor.people.names import skeleton, words

SCHEME = "corridor-clk-v1"
FILTER_BITS = 1024
FILTER_BYTES = FILTER_BITS // 8
THRESHOLD = 0.8
_SALT = b"corridor-pprl-v1"


@dataclass(frozen=True)
class Field:
    name: str
    k: int  # bits set per token: a field's weight in the similarity


# Weights as clkhash's schema would give them: the skeletons carry the match across spellings
# and scripts; words and the birth year refine it; the sex only separates.
FIELDS = (
    Field("name_skeleton", 20),
    Field("name_word", 6),
    Field("birth_year", 20),
    Field("sex", 6),
)


def bigrams(value: str) -> list[str]:
    """clkhash's default tokens: the value padded with a space each side, cut in bigrams."""
    padded = f" {value} "
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


def tokens(*, names: Iterable[str], birth_year: int | None, sex: str) -> dict[str, list[str]]:
    """The tokens of each field for one person; empty fields are left out."""
    found = words(*names)
    out = {
        "name_skeleton": [t for w in found if (s := skeleton(w)) for t in bigrams(s)],
        "name_word": [t for w in found for t in bigrams(w)],
        "birth_year": [str(birth_year)] if birth_year else [],
        "sex": [sex] if sex in {"female", "male"} else [],
    }
    return {name: values for name, values in out.items() if values}


class Encoder:
    """Encodes persons into CLKs under one partner pair's secret (same secret, same filter)."""

    def __init__(self, secret: str):
        if not secret:
            raise ValueError("a PPRL encoder needs the secret agreed with the partner")
        self._keys = {}
        for field in FIELDS:
            derived = HKDF(
                algorithm=hashes.SHA256(),
                length=64,
                salt=_SALT,
                info=f"{SCHEME}:{field.name}".encode(),
            ).derive(secret.encode("utf-8"))
            self._keys[field.name] = (derived[:32], derived[32:])

    def encode(self, *, names: Iterable[str], birth_year: int | None, sex: str) -> bytes:
        """One person's CLK: FILTER_BYTES bytes."""
        bits = bitarray(FILTER_BITS)
        bits.setall(0)
        fields = tokens(names=names, birth_year=birth_year, sex=sex)
        for field in FIELDS:
            key1, key2 = self._keys[field.name]
            for token in fields.get(field.name, ()):
                data = token.encode("utf-8")
                h1 = int.from_bytes(hmac.new(key1, data, hashlib.sha256).digest(), "big")
                h2 = int.from_bytes(hmac.new(key2, data, hashlib.sha256).digest(), "big")
                for i in range(field.k):
                    bits[(h1 + i * h2) % FILTER_BITS] = 1
        return bits.tobytes()


def to_text(clk: bytes) -> str:
    return base64.b64encode(clk).decode("ascii")


def from_text(text: str) -> bytes:
    """A CLK received as base64; ValueError unless it is one filter of the agreed length."""
    try:
        clk = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeError, ValueError) as exc:
        raise ValueError("not base64") from exc
    if len(clk) != FILTER_BYTES:
        raise ValueError(f"a filter is {FILTER_BYTES} bytes")
    return clk


def _bits(clk: bytes) -> bitarray:
    bits = bitarray()
    bits.frombytes(clk)
    return bits


def dice(a: bytes, b: bytes) -> float:
    """The Dice coefficient of two filters: 2·|a∧b| / (|a|+|b|)."""
    x, y = _bits(a), _bits(b)
    total = x.count() + y.count()
    return 2 * (x & y).count() / total if total else 0.0


def match(
    ours: Sequence[bytes], theirs: Sequence[bytes], *, threshold: float = THRESHOLD
) -> list[tuple[int, int, float]]:
    """Pairs (our index, their index, similarity) of Dice ≥ threshold, one-to-one: anonlink's
    candidate pairs, solved greedily (each record in at most one pair, best first)."""
    if not ours or not theirs:
        return []
    datasets = [[_bits(c) for c in ours], [_bits(c) for c in theirs]]
    candidates = anonlink.candidate_generation.find_candidate_pairs(
        datasets, anonlink.similarities.dice_coefficient, threshold
    )
    similarity = {
        (int(i), int(j)): float(s)
        for s, i, j in zip(candidates[0], candidates[2][0], candidates[2][1], strict=True)
    }
    pairs = []
    for group in anonlink.solving.greedy_solve(candidates):
        members = dict(group)  # dataset index → record index
        if 0 in members and 1 in members:
            i, j = members[0], members[1]
            pairs.append((i, j, similarity[(i, j)]))
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))
