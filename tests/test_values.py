"""Encoding returned values as plain data, comparing them, and showing them to students."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from autograder.checks.values import decode, encode, from_yaml, same, show, show_pair


class Attribution(NamedTuple):
    source: str
    verb: str


class AlwaysEqual(str):
    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0

    def __str__(self) -> str:
        return "expected"


def test_a_named_tuple_compares_equal_to_the_list_written_in_a_cases_file() -> None:
    assert same(encode(Attribution("Stuart Jones", "said")), from_yaml(["Stuart Jones", "said"]))


def test_a_tuple_of_dates_compares_equal_to_a_yaml_list_of_dates() -> None:
    got = encode((datetime.date(2017, 5, 15), datetime.date(2017, 5, 15)))
    assert same(got, from_yaml([datetime.date(2017, 5, 15), datetime.date(2017, 5, 15)]))
    assert not same(got, from_yaml([datetime.date(2017, 5, 15), datetime.date(2017, 5, 16)]))


def test_a_str_subclass_that_claims_equality_is_encoded_as_its_real_text() -> None:
    sneaky = AlwaysEqual("wrong answer")
    assert encode(sneaky) == "wrong answer"
    assert not same(encode(sneaky), from_yaml("expected"))


def test_true_is_not_the_number_one_and_strings_are_not_lists() -> None:
    assert not same(encode(True), from_yaml(1))
    assert not same(encode("ab"), from_yaml(["a", "b"]))
    assert not same(encode(None), from_yaml(""))


def test_numbers_compare_within_the_tolerance_only() -> None:
    assert same(encode(0.30000000000000004), from_yaml(0.3), tolerance=1e-9)
    assert not same(encode(0.31), from_yaml(0.3), tolerance=0.001)
    assert same(encode(2), from_yaml(2.0))


def test_dicts_and_sets_compare_in_any_order() -> None:
    assert same(encode({"b": 1, "a": {"x": 2}}), from_yaml({"a": {"x": 2}, "b": 1}))
    assert same(encode({3, 1, 2}), from_yaml({"$set": [1, 2, 3]}))
    assert not same(encode({"a": 1}), from_yaml({"a": 1, "b": 2}))


def test_an_object_of_the_students_class_is_built_and_compared_field_by_field() -> None:
    @dataclass
    class Evidence:
        claim: str
        independent: bool

    spec = from_yaml({"$new": "Evidence", "fields": {"claim": "x", "independent": True}})
    built = decode(spec, {"Evidence": Evidence})
    assert built == Evidence("x", True)
    assert same(encode(built), spec)
    assert not same(encode(Evidence("x", False)), spec)


def test_an_unknown_object_is_shown_by_its_type_and_never_equals_anything() -> None:
    class Thing:
        pass

    assert encode(Thing()) == {"$other": "Thing"}
    assert not same(encode(Thing()), from_yaml("Thing"))


def test_show_writes_python_like_literals_and_cuts_long_values() -> None:
    assert show(from_yaml(["He said no.", datetime.date(2017, 5, 15)])) == '["He said no.", date(2017, 5, 15)]'
    long = show(encode("x" * 500), limit=40)
    assert len(long) == 40 and "…" in long


def test_deeply_nested_values_are_cut_off_instead_of_recursing_forever() -> None:
    value: list[object] = []
    for _ in range(100):
        value = [value]
    assert "too large" in show(encode(value))


def test_long_values_are_cut_around_their_first_difference_so_the_difference_shows() -> None:
    start = "word " * 60
    got, expected = show_pair(encode([start + "end. Next"]), encode([start + "end.", "Next"]), limit=60)
    assert got != expected
    assert got.startswith("…") and expected.startswith("…")
    assert 'end. Next' in got and 'end.", "Next' in expected
