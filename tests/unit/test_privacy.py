"""Masking helpers: personal data never survives, the shape a reader needs does."""

import json

import pytest

from qtickets_assets.privacy import (
    REDACTED,
    mask_card,
    mask_email,
    mask_name,
    mask_payload,
    mask_phone,
    mask_text,
    redact_secrets,
)


def test_mask_email_keeps_first_letters_and_zone():
    assert mask_email("ivan.petrov@example.ru") == "i***@e***.ru"
    assert mask_email("a@mail.co.uk") == "a***@m***.uk"
    assert mask_email(None) is None and mask_email("") == ""
    assert "petrov" not in mask_email("not-an-email petrov")


@pytest.mark.parametrize(
    "raw, masked",
    [
        ("+79101234567", "+7********67"),
        ("+7 (910) 123-45-67", "+7 (***) ***-**-67"),
        ("8 910 123 45 67", "8 *** *** ** 67"),
        (79101234567, "7********67"),
    ],
)
def test_mask_phone_keeps_format_country_and_last_two(raw, masked):
    assert mask_phone(raw) == masked


def test_mask_name_every_word():
    assert mask_name("Иван") == "И***"
    assert mask_name("Иван  Петрович Сидоров") == "И*** П*** С***"
    assert mask_name(None) is None


def test_mask_card_documented_shape():
    assert mask_card("546964******9036") == "546964******9036"  # already masked by QTickets: unchanged
    assert mask_card("5469641234569036") == "546964******9036"
    assert mask_card("4111 1111 1111 1111") == "411111******1111"
    assert mask_card("card 4111111111111111 ok") == "card 411111******1111 ok"
    assert mask_card("4111111111111") == "411111***1111"  # 13 digits


def test_mask_text_masks_contacts_and_cards_but_not_ids_barcodes_or_dates():
    text = (
        "mail ivan.petrov@example.ru, tel 8 (910) 123-45-67 / +7 910 123 45 67 / 89101234567 / "
        "+44 20 7946 0958; card 4111-1111-1111-1111; barcode 877076325904; "
        "at 2019-07-30T12:50:52+03:00; hash 0a1b2c3d4e5f60718293a4b5c6d7e8f901234567; order 4360; seat PARTERRE-1;25"
    )
    out = mask_text(text)
    for secret in ("ivan.petrov", "123-45", "910 123", "9101234567", "7946", "4111-1111-1111-1111"):
        assert secret not in out, secret
    for kept in (
        "877076325904",
        "2019-07-30T12:50:52+03:00",
        "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
        "order 4360",
        "PARTERRE-1;25",
        "i***@e***.ru",
    ):
        assert kept in out, kept
    assert mask_text(42) == 42 and mask_text(None) is None


def test_mask_payload_masks_personal_keys_recursively_and_free_text():
    order = {
        "id": 4360,
        "payed": True,
        "price": 1500.0,
        "payment_card_number": "5469641234569036",
        "client": {
            "id": 7,
            "email": "ivan@example.ru",
            "details": {
                "name": "Иван",
                "surname": "Петров",
                "middlename": None,
                "phone": "+79100000000",
                "telegram_user": {"id": 5, "first_name": "Ivan", "username": "ivanp"},
            },
        },
        "baskets": [
            {
                "id": 1,
                "barcode": "877076325904",
                "client_email": "x@y.com",
                "client_phone": "89991112233",
                "client_name": "Пётр",
                "inn": 7701234567,
                "legal_name": "ООО Ромашка",
                "comment": "перезвонить +7 999 111 22 33",
                "quantity": 1,
            }
        ],
        "fields": {"organization_name": "ИП Петров"},
        "spread": {"client_emails": ["vip@example.ru"]},
        "fanid_card": {"id": 123, "value": "1234567890"},
    }
    masked = mask_payload(order)
    dumped = json.dumps(masked, ensure_ascii=False)
    for secret in (
        "ivan@",
        "Петров",
        "Иван",
        "79100000000",
        "x@y",
        "89991112233",
        "Пётр",
        "7701234567",
        "Ромашка",
        "111 22",
        "vip@",
        "1234567890",
        "ivanp",
        "Ivan",
        "5469641234569036",
    ):
        assert secret not in dumped, secret
    # what is not personal survives
    assert masked["id"] == 4360 and masked["price"] == 1500.0 and masked["payed"] is True
    assert masked["baskets"][0]["barcode"] == "877076325904" and masked["baskets"][0]["quantity"] == 1
    assert masked["payment_card_number"] == "546964******9036"
    assert masked["client"]["details"]["middlename"] is None
    assert order["client"]["email"] == "ivan@example.ru"  # a copy, the input is untouched


def test_mask_payload_options():
    obj = {"name": "Концерт", "secret_note": "abc", "Email": "a@b.ru"}
    assert mask_payload(obj)["name"] == "К***"
    assert mask_payload(obj, keep_keys=["name"])["name"] == "Концерт"
    assert mask_payload(obj, extra_keys=["secret_note"])["secret_note"] == "***"
    assert mask_payload(obj)["Email"] == "a***@b***.ru"  # keys match case-insensitively


def test_redact_secrets():
    text = "GET /orders Authorization: Bearer tok-123456 url=?key=partner-key-999&x=partner-key-9"
    out = redact_secrets(text, ["partner-key-9", "partner-key-999", "", None])
    assert "tok-123456" not in out and "partner-key" not in out
    assert out.count(REDACTED) == 3
    assert redact_secrets("nothing here", ["zzz"]) == "nothing here"
    assert redact_secrets(None, ["x"]) is None
