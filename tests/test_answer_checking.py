r"""The math answer checker on real answer forms (GSM8K / MATH style completions), table-driven.

Every row runs against the built-in checker; with math-verify installed (extra ``math``) the same table
runs through it too, plus symbolic equivalences only it can settle."""

import pytest

from inquiry.runners.substrate import answers

# (reference, completion, expected)
TABLE = [
    # plain numbers and trailing text
    ("18", "Janet makes 9 * 2 = 18 dollars a day.\nThe answer is 18.", True),
    ("18", "The answer is 18 dollars.", True),
    ("18", "18", True),
    ("18", "So she has 18.00 left.", True),
    ("18", "The answer is 19.", False),
    ("18", "The answer is 18. Check: 9 + 9 = 18, and 2 * 9 = 18", True),
    ("5", "answer: 5 (since 10 / 2 = 5)", True),
    ("72", "Natalia sold 48/2 = 24 clips in May.\nNatalia sold 48+24 = 72 clips altogether.\n#### 72", True),
    ("-3", "x = -3", True),
    ("-3", "The result is 3.", False),
    ("0.5", "It is .5", True),
    # thousands separators
    ("1234", "The total is 1,234.", True),
    ("1,234", "The total is 1234 dollars", True),
    ("234", "The total is 1,234.", False),
    ("1000000", "That makes $1,000,000 in all.", True),
    ("12", "Pairs: (1, 2), (3, 4); the count is 12", True),
    # \boxed, nesting, fractions
    ("12", r"so x = 3, and the answer is $\boxed{12}$.", True),
    (r"\frac{1}{2}", r"The probability is $\boxed{\frac{1}{2}}$.", True),
    ("0.5", r"The probability is $\boxed{\frac{1}{2}}$.", True),
    ("1/2", r"$\boxed{\dfrac{1}{2}}$", True),
    (r"\frac{1}{2}", r"The probability is $\boxed{\frac{1}{3}}$.", False),
    ("2", r"The probability is $\boxed{\frac{1}{2}}$.", False),  # the old check read "2" here
    (r"\frac{3}{4}", r"\boxed{\tfrac34}", True),
    ("3/4", r"First \boxed{1/2}, corrected: \boxed{3/4}", True),
    ("7", r"so \boxed 7.", True),
    (r"\frac{\sqrt{3}}{2}", r"$\sin 60^\circ = \boxed{\frac{\sqrt{3}}{2}}$", True),
    ("10", r"The answer is $\boxed{10}$ and 12 is wrong", True),
    # units, degrees, percent, dollars
    ("5", r"The side is $\boxed{5\text{ cm}}$.", True),
    ("30", r"The angle is $\boxed{30^\circ}$.", True),
    ("25", r"The discount is $\boxed{25\%}$.", True),
    ("18", r"She pays $\boxed{\$18.00}$.", True),
    # expressions and tuples
    ("(1,2)", r"The point is $\boxed{(1, 2)}$.", True),
    (r"\left(1,2\right)", r"$\boxed{(1,2)}$", True),
    ("(2,1)", r"$\boxed{(1,2)}$", False),
    ("x^2+1", r"$\boxed{x^2 + 1}$", True),
    ("4", r"$\boxed{x = 4}$", True),
    # nothing to read
    ("3", "I do not know.", False),
    ("3", r"cut off inside the box: \boxed{\frac{3}{", False),
]


def test_the_table_is_large_enough():
    assert len(TABLE) >= 30


@pytest.mark.parametrize("reference, completion, expected", TABLE)
def test_builtin_checker(reference, completion, expected):
    assert answers.builtin_match(reference, completion) is expected


# Symbolic equivalences only math-verify settles (the built-in check compares normalised text: False)
SYMBOLIC = [
    (r"\frac{\sqrt{3}}{2}", r"$\boxed{\sqrt{3}/2}$"),
    (r"2\sqrt{2}", r"$\boxed{\sqrt{8}}$"),
    ("x^2+2x+1", r"$\boxed{(x+1)^2}$"),
    (r"\pi/2", r"$\boxed{\frac{\pi}{2}}$"),
]


@pytest.mark.parametrize("reference, completion, expected", TABLE)
def test_math_verify_checker_when_installed(reference, completion, expected):
    pytest.importorskip("math_verify")
    assert answers.answers_match(reference, completion) is expected


@pytest.mark.parametrize("reference, completion", SYMBOLIC)
def test_math_verify_settles_symbolic_equivalence(reference, completion):
    assert answers.answers_match(reference, completion, use_math_verify=False) is False
    pytest.importorskip("math_verify")
    assert answers.answers_match(reference, completion) is True
    assert answers.answers_match(reference, completion.replace("}$", "+1}$")) is False


def test_the_backend_is_named_for_the_run_record():
    assert answers.backend() == "builtin" or answers.backend().startswith("math-verify ")
    assert answers.answers_match("18", "18.00", use_math_verify=False)
