"""Personal data and credential shapes: exact counts, validators, and redaction without values."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisec_nb.data.pii import iban_ok, load_patterns, luhn_ok, scan_values

SECRETS = {
    "aws_access_key": "AKIAQWERTYUIOPASDFGH",
    "github_token": "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2,
    "gitlab_token": "glpat-" + "x7Y8z9W0v1U2t3S4r5Q6",
    "slack_token": "xoxb-1234567890-abcdefghij",
    "stripe_key": "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "openai_key": "sk-proj-" + "T3BlbkFJ" * 5,
    "google_api_key": "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
    "private_key": "-----BEGIN OPENSSH PRIVATE KEY-----",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFU",
    "high_entropy_token": "q8Vz3Lw1Xk9Tb7Nc5Rm2Hp4Gd6Fj0Sa8Ye3Uo1",
}
PII = {
    "email": "ann.smith+news@example.co.uk",
    "phone": "+44 20 7946 0958",
    "card_number": "4111 1111 1111 1111",
    "iban": "GB82 WEST 1234 5698 7654 32",
    "ip_address": "192.168.10.200",
    "us_ssn": "123-45-6789",
    "uk_nino": "AB 12 34 56 C",
}


def _alnum_runs(value: str) -> list[str]:
    return [run for run in re.findall(r"[A-Za-z0-9]+", value) if len(run) >= 4]


@pytest.mark.parametrize(("kind", "value"), sorted({**SECRETS, **PII}.items()))
def test_each_kind_is_found_with_its_row_count_and_never_shown(kind: str, value: str) -> None:
    values = [f"note: {value} end", "nothing here", f"{value}"]
    hits = scan_values(values, [3, 10, 2])
    assert sorted(hits) == [kind]
    assert hits[kind].cells == 5
    public = {"AKIA", "glpat", "xoxb", "live", "proj", "AIza", "BEGIN", "OPENSSH", "PRIVATE", "KEY"}
    for sample in hits[kind].samples:
        for run in _alnum_runs(value):
            assert run in public or run not in sample, (run, sample)


def test_every_shipped_pattern_is_covered_by_a_test_value() -> None:
    assert {p.kind for p in load_patterns()} == set(SECRETS) | set(PII)


@pytest.mark.parametrize(
    "text",
    [
        "card 4111 1111 1111 1112",  # fails Luhn
        "iban GB82 WEST 1234 5698 7654 33",  # fails mod-97
        "ssn 000-12-3456 or 666-12-3456 or 912-12-3456",  # never issued
        "ip 300.1.2.3",
        "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "uuid 123e4567-e89b-12d3-a456-426614174000",
        "dates 2024-01-15 and 15/01/2024, order 100234, version 1.2.3",
        "a long word: Supercalifragilisticexpialidociousness",
        "numbers 12345678901234567890123",
    ],
)
def test_lookalikes_are_not_reported(text: str) -> None:
    assert scan_values([text], [1]) == {}


def test_a_span_is_counted_once_by_the_first_pattern() -> None:
    hits = scan_values(["pay 4111-1111-1111-1111 now"], [1])
    assert sorted(hits) == ["card_number"]


def test_validators() -> None:
    assert luhn_ok("79927398713") and not luhn_ok("79927398710")
    assert iban_ok("DE89 3704 0044 0532 0130 00") and not iban_ok("DE89 3704 0044 0532 0130 01")


def test_min_count_threshold() -> None:
    thresholds = {"pii_min_count": 3, "entropy_min_bits": 4.2, "entropy_min_length": 32}
    assert scan_values(["x a@b.org"], [2], thresholds) == {}
    assert scan_values(["x a@b.org"], [3], thresholds)["email"].cells == 3


def _luhn_complete(body: str) -> str:
    return next(body + str(d) for d in range(10) if luhn_ok(body + str(d)))


ISSUERS = [("4", 16), ("4", 13), ("51", 16), ("2221", 16), ("34", 15), ("37", 15),
           ("6011", 16), ("65", 19), ("36", 14), ("3530", 16), ("62", 17)]


@given(
    st.sampled_from(ISSUERS),
    st.text(alphabet="0123456789", min_size=18, max_size=18),
    st.text(alphabet="abc xyz,.", max_size=20),
    st.booleans(),
)
def test_any_luhn_valid_card_of_an_issuer_in_text_is_found_and_redacted(
    issuer: tuple[str, int], digits: str, words: str, grouped: bool
) -> None:
    prefix, length = issuer
    card = _luhn_complete(prefix + digits[: length - len(prefix) - 1])
    if len(set(card)) == 1:
        return  # a run of one digit is rejected on purpose
    written = " ".join(card[i : i + 4] for i in range(0, length, 4)) if grouped else card
    hits = scan_values([f"{words} {written} {words}"], [1])
    assert list(hits) == ["card_number"]
    assert all(card[-8:] not in s for s in hits["card_number"].samples)


def test_numeric_ids_held_as_text_are_not_card_numbers() -> None:
    import random

    rng = random.Random(5)
    ids = [f"4{rng.randrange(10**14, 10**15)}" for _ in range(500)]  # 16 digits, a Visa prefix
    assert 20 < sum(luhn_ok(i) for i in ids) < 90  # about 10% pass Luhn by chance
    assert scan_values(ids, [1] * len(ids)) == {}
    assert scan_values([f"order {i} shipped" for i in ids], [1] * len(ids)) == {}


def test_card_numbers_need_card_context() -> None:
    import random

    rng = random.Random(6)
    cards = [_luhn_complete(f"4{rng.randrange(10**13, 10**14)}") for _ in range(50)]
    # a column of real card numbers passes Luhn every time, well above chance
    assert scan_values(cards, [1] * 50)["card_number"].cells == 50
    # written in a card's groups, one is enough, even among numeric ids
    grouped = " ".join(cards[0][i : i + 4] for i in range(0, 16, 4))
    ids = [f"4{rng.randrange(10**14, 10**15)}" for _ in range(200)]
    hits = scan_values([f"paid with {grouped}", *ids], [1] * 201)
    assert list(hits) == ["card_number"] and hits["card_number"].cells == 1
    # no issuer has this prefix, and these groups are no card's
    assert scan_values([_luhn_complete("9" + "3" * 14), "4111 11 1111 111 111"], [1, 1]) == {}


@pytest.mark.parametrize(
    "text",
    [
        "https://blog.example.com/2019/05/how-to-build-a-data-pipeline-with-python-and-pandas-3",
        "see https://docs.example.org/en/latest/reference/generated/DataFrame-to-parquet-v2x",
        "https://drive.example.com/file/d/1aB3xYz9QwErTy7UiOpAsDfGhJkLzXcVbNm/view?usp=sharing",
        "slug: getting-started-with-machine-learning-in-2024-part-1",
    ],
)
def test_url_paths_and_slugs_are_not_credentials(text: str) -> None:
    assert scan_values([text], [1]) == {}


def test_a_credential_in_a_url_query_is_found() -> None:
    url = "https://api.example.com/v1/items?api_key=q8Vz3Lw1Xk9Tb7Nc5Rm2Hp4Gd6Fj0Sa8Ye3Uo1&page=2"
    assert sorted(scan_values([url], [1])) == ["high_entropy_token"]
