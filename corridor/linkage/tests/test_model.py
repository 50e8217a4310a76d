"""`find_pairs` on a register large enough to be trained on (no database)."""

from __future__ import annotations

import random

from corridor.linkage.model import find_pairs

GIVEN = ["Mohamed", "Ibrahima", "Mamadou", "Alpha", "Ousmane", "Amadou", "Sekou", "Lamine"]
FAMILY = ["Diallo", "Bah", "Camara", "Sow", "Barry", "Conde", "Keita", "Toure", "Balde"]


def _register() -> list[dict[str, str]]:
    """A Guinean register of namesakes: a few given and family names, each man his own date
    of birth and phone; some recorded twice by another agency, as written there."""
    rng = random.Random(7)
    records = []
    for i in range(160):
        born = f"{rng.randint(1975, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        person = {
            "record_id": f"R{i}",
            "given_name": rng.choice(GIVEN),
            "family_name": rng.choice(FAMILY),
            "sex": "M",
            "birth_date": born,
            "nationality": "GN",
            "phone": f"+224 6{rng.randint(10, 69)} {rng.randint(100000, 999999)}",
            "agency": "police",
        }
        records.append(person)
        if i % 8 == 0:  # the same man at the shelter, his phone written the local way
            local = "0" + person["phone"].replace("+224 ", "").replace(" ", "")
            records.append(person | {"record_id": f"R{i}b", "phone": local, "agency": "shelter"})
    return records


def test_namesakes_without_a_date_of_birth_and_with_other_phones_are_not_paired():
    records = _register()
    man = {
        "given_name": "Mohamed",
        "family_name": "Diallo",
        "sex": "M",
        "nationality": "GN",
        "agency": "shelter",
    }
    records += [
        man | {"record_id": "A1", "birth_date": "1985-07-09", "phone": "+224 622 11 22 33"},
        man | {"record_id": "A2", "birth_date": "", "phone": "+224 655 98 76 54"},
    ]
    pairs = {(pair.left, pair.right) for pair in find_pairs(records)}
    assert ("A1", "A2") not in pairs
    # the same men registered twice are still found
    assert ("R0", "R0b") in pairs and ("R8", "R8b") in pairs


def test_the_same_man_without_a_date_on_one_record_but_the_same_phone_is_paired():
    records = _register()
    man = {
        "given_name": "Mohamed",
        "family_name": "Diallo",
        "sex": "M",
        "nationality": "GN",
        "agency": "shelter",
    }
    records += [
        man | {"record_id": "B1", "birth_date": "1985-07-09", "phone": "+224 622 11 22 33"},
        man | {"record_id": "B2", "birth_date": "", "phone": "00224-622-112233"},
    ]
    pairs = {(pair.left, pair.right): pair for pair in find_pairs(records)}
    assert ("B1", "B2") in pairs
    reasons = {name: (level, weight) for name, level, weight in pairs[("B1", "B2")].reasons}
    assert reasons["phone"][0] == "same" and reasons["phone"][1] > 0
    assert "birth_date" not in reasons  # missing on one side: neither for nor against


def test_a_month_typed_wrong_or_impossible_is_one_digit_apart_not_only_the_same_year():
    records = _register()
    man = {"given_name": "Uwe", "family_name": "Krause", "sex": "M", "agency": "shelter"}
    records += [
        man | {"record_id": "C1", "birth_date": "1987-05-10"},
        man | {"record_id": "C2", "birth_date": "1987-06-10"},
        man | {"record_id": "C3", "birth_date": "1987-15-10"},
    ]
    pairs = {(pair.left, pair.right): pair for pair in find_pairs(records, threshold=0.0)}
    for pair in (("C1", "C2"), ("C1", "C3")):
        reasons = {name: level for name, level, _ in pairs[pair].reasons}
        assert reasons["birth_date"] == "one digit apart"
        assert reasons["given_name"] == "same"  # a name of vowels only is compared too
