"""Pseudonymous record references such as P-7K3F9QXM.

Records are addressed by these, never by database ids, so that a URL or a printed form
says nothing about how many victims an agency holds and cannot be enumerated.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def new_reference(prefix: str, length: int = 8) -> str:
    return f"{prefix}-" + "".join(secrets.choice(ALPHABET) for _ in range(length))


def person_reference() -> str:
    return new_reference("P")


def case_reference() -> str:
    return new_reference("C")


def referral_reference() -> str:
    return new_reference("R")
