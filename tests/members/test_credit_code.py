import pytest
from django.core.exceptions import ValidationError

from members.credit_code import check_character, validate_credit_code
from members.models import Company

# Codes that companies publish on their business licences (Hangzhou, Shenzhen).
VALID = "91330100799655058B"
ALSO_VALID = "9144030071526726XG"


@pytest.mark.parametrize("value", [VALID, ALSO_VALID])
def test_it_accepts_a_valid_code(value):
    validate_credit_code(value)


def test_it_computes_the_check_character():
    assert check_character(VALID[:17]) == VALID[17]


def test_it_rejects_a_wrong_checksum():
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(wrong)
    assert excinfo.value.code == "checksum"


@pytest.mark.parametrize("value", [VALID[:17], VALID + "1", ""])
def test_it_rejects_a_wrong_length(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(value)
    assert excinfo.value.code == "length"


def test_it_rejects_lowercase():
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(VALID.lower())
    assert excinfo.value.code == "lowercase"


def test_it_rejects_letters_outside_the_alphabet():
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code("9133010079965505O" + "B")
    assert excinfo.value.code == "characters"


def test_it_explains_in_chinese():
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(VALID[:17] + "X")
    assert "校验" in str(excinfo.value.messages[0])


@pytest.mark.django_db
def test_it_normalises_lowercase_and_spaces_on_the_model_field():
    company = Company(name="测试公司", credit_code=" " + VALID.lower() + " ")
    company.full_clean()
    assert company.credit_code == VALID


@pytest.mark.django_db
def test_it_stores_an_empty_code_as_null():
    company = Company.objects.create(name="甲公司", credit_code="")
    Company.objects.create(name="乙公司", credit_code="")
    company.refresh_from_db()
    assert company.credit_code is None
