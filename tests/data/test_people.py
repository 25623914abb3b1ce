"""Personal names and street addresses: found from the column's name and the shape of its values,
the finding says which signal fired, and no value reaches the record."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from aisec_nb.data.people import address_column, find_people, names_column
from aisec_nb.record import to_json
from tests.data.helpers import of_kind, run

SURNAMES = ["Braund", "Cumings", "Heikkinen", "Futrelle", "Allen", "Moran", "McCarthy",
            "Palsson", "Johnson", "Nasser", "Sandstrom", "Bonnell", "Saundercock", "O'Brien",
            "Andersson", "Vestrom", "Hewlett", "Rice", "Williams", "Masselmani"]
GIVEN = ["Owen", "John", "Laina", "Jacques", "William", "James", "Timothy", "Gosta", "Oscar",
         "Nicholas", "Marguerite", "Elizabeth", "Anders", "Hulda", "Margaret", "Charles",
         "Fatima", "Mary", "Anna", "Harry"]
TITLES = ["Mr.", "Mrs.", "Miss.", "Master.", "Dr.", "Rev."]
STREETS = ["Baker", "High", "Station", "Church", "Victoria", "Green", "Mill", "Park", "Oak"]
TYPES = ["Street", "Road", "Lane", "Avenue", "St", "Rd", "Close", "Drive"]


def _names(n: int, seed: int = 1) -> list[str]:
    rng = np.random.default_rng(seed)
    return [
        f"{rng.choice(SURNAMES)}, {rng.choice(TITLES)} {rng.choice(GIVEN)}"
        + (f" {rng.choice(GIVEN)}" if rng.uniform() < 0.5 else "")
        for _ in range(n)
    ]


def _frame(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    fare = rng.lognormal(3, 1, n).round(2)
    return pd.DataFrame({"fare": fare, "survived": rng.integers(0, 2, n)})


def test_surname_title_given_names_are_found_by_their_shape() -> None:
    df = _frame().assign(Name=_names(400))
    df.loc[:3, "Name"] = "unknown"  # a few values of another shape
    found = of_kind(run(df, label="survived"), "personal_names")
    assert [(f.location.column, f.count, f.severity) for f in found] == [("Name", 396, "medium")]
    assert f"likely personal names: column 'Name', {99}% of values look like " in found[0].message
    assert "'Surname, Title Given'" in found[0].message
    assert found[0].code == "AISEC-DATA-S03" and found[0].pii_kind == "personal_names"


def test_given_surname_needs_the_column_name_or_common_given_names() -> None:
    rng = np.random.default_rng(3)
    uncommon = ["Zephyrine", "Balthazar", "Ottoline", "Peregrine", "Wilhelmina", "Thaddeus"]
    people = [f"{rng.choice(uncommon)} {rng.choice(SURNAMES)}" for _ in range(300)]
    named = of_kind(run(_frame(300).assign(customer_name=people)), "personal_names")
    assert [f.location.column for f in named] == ["customer_name"]
    assert "the column's name says names" in named[0].message
    assert of_kind(run(_frame(300).assign(contact=people)), "personal_names") == []
    common = [f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}" for _ in range(300)]
    found = of_kind(run(_frame(300).assign(contact=common)), "personal_names")
    assert [f.location.column for f in found] == ["contact"]
    assert "start with a common given name" in found[0].message


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("city", ["New York", "San Francisco", "Los Angeles", "Salt Lake", "Rio Grande"] * 40),
        ("product_name", ["Red Wine", "Green Tea", "Dark Roast", "Blue Cheese"] * 50),
        ("Country Name", ["United Kingdom", "South Africa", "New Zealand", "Sri Lanka"] * 50),
        ("plan", ["basic", "pro", "enterprise"] * 60),
    ],
)
def test_places_and_products_are_not_names(column: str, values: list[str]) -> None:
    df = pd.DataFrame({column: values})
    assert of_kind(run(df), "personal_names") == []


def test_street_addresses_are_found_and_the_signal_named() -> None:
    rng = np.random.default_rng(4)
    addresses = [
        f"{rng.integers(1, 400)}{rng.choice(['', 'B'])} {rng.choice(STREETS)} {rng.choice(TYPES)}"
        f", {rng.choice(['London', 'Leeds', 'York'])}"
        for _ in range(300)
    ]
    addresses[:30] = ["Hauptstraße 12, Berlin", "12 rue de la Paix", "Via Roma 10"] * 10
    found = of_kind(run(_frame(300).assign(home_address=addresses)), "street_addresses")
    assert [(f.location.column, f.count, f.code) for f in found] == [
        ("home_address", 300, "AISEC-DATA-S04")
    ]
    assert "look like street addresses" in found[0].message
    assert "the column's name says addresses" in found[0].message
    free_text = ["the parcel never came"] * 290 + ["left it at 10 Downing Street"] * 10
    assert of_kind(run(pd.DataFrame({"note": free_text})), "street_addresses") == []


def test_no_name_or_address_reaches_the_record() -> None:
    df = _frame().assign(Name=_names(400), address=[f"{i} Baker Street" for i in range(400)])
    text = json.dumps(to_json(run(df, label="survived")))
    for word in [*SURNAMES, "Baker"]:
        assert word not in text
    assert to_json(run(df))["summary"]["pii"] == {
        "Name": {"personal_names": 400}, "address": {"street_addresses": 400}
    }


def test_column_names() -> None:
    assert names_column("Name") and names_column("passenger_name") and names_column("LastName")
    assert not names_column("Indicator Name") and not names_column("product_name")
    assert not names_column("username") and not names_column("amount")
    assert address_column("address_line1") and address_column("Street")
    assert not address_column("email_address") and not address_column("ip_address")
    assert find_people("x", ["a", "b"], [1, 1]) == []
