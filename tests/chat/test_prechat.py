"""The pre-chat form's API: who gets the form, required and typed fields refused with their
messages (in the shopper's language), answers stored on the visitor, the contact and the
conversation the first message opens; the admin's check."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from chat.models import (
    AttributeDefinition,
    AttributeValue,
    Channel,
    PrechatForm,
    PrechatSubmission,
    Visitor,
)
from chat.models.inbox import default_web_channel_id
from tests.factories import make_visitor, shopper_says, visitor_token

pytestmark = pytest.mark.django_db
URL = "/api/widget/prechat"


@pytest.fixture
def form() -> PrechatForm:
    AttributeDefinition.objects.create(
        applies_to="conversation",
        key="topic",
        label="Topic",
        kind="list",
        options=["Delivery", "Returns"],
    )
    AttributeDefinition.objects.create(
        applies_to="contact", key="newsletter", label="Newsletter", kind="checkbox"
    )
    made = PrechatForm(
        channel_id=default_web_channel_id(),
        fields=[
            {"field": "name", "required": True},
            {"field": "email", "required": True},
            {"field": "phone"},
            {"field": "conversation.topic", "required": True},
            {"field": "contact.newsletter"},
        ],
    )
    made.full_clean()
    made.save()
    return made


def shopper(visitor: Visitor) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Visitor {visitor_token(visitor)}")
    return client


def test_a_new_shopper_gets_the_form_with_labels_in_their_language(form: PrechatForm) -> None:
    client = shopper(make_visitor())
    data = client.get(URL, {"lang": "en"}).json()["form"]
    assert [(f["name"], f["kind"], f["required"]) for f in data["fields"]] == [
        ("name", "text", True),
        ("email", "email", True),
        ("phone", "tel", False),
        ("conversation.topic", "list", True),
        ("contact.newsletter", "checkbox", False),
    ]
    assert data["fields"][3]["options"] == ["Delivery", "Returns"]
    assert data["intro"] == "Before we start, please tell us a little about you."
    zh = client.get(URL, {"lang": "zh-hans"}).json()["form"]
    assert [f["label"] for f in zh["fields"]][:3] == ["您的姓名", "电子邮件", "电话"]


def test_answers_are_checked_then_stored_on_visitor_contact_and_conversation(
    form: PrechatForm,
) -> None:
    visitor = make_visitor()
    client = shopper(visitor)
    bad = client.post(
        URL + "?lang=en",
        {"values": {"name": "", "email": "mia@", "phone": "call me", "conversation.topic": "x"}},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["fields"] == {
        "name": ["This field is required."],
        "email": ["Enter a valid email address."],
        "phone": ["Enter a phone number: digits, spaces and + ( ) -."],
        "conversation.topic": ["Pick one of: Delivery, Returns."],
    }
    zh = client.post(URL + "?lang=zh-hans", {"values": {}}, format="json").json()
    assert zh["fields"]["name"] == ["此字段为必填项。"]
    assert not PrechatSubmission.objects.exists() and not AttributeValue.objects.exists()

    good = client.post(
        URL,
        {
            "values": {
                "name": " Mia Wong ",
                "email": "mia@example.com",
                "phone": "+86 138 0000 0000",
                "conversation.topic": "Returns",
                "contact.newsletter": True,
            }
        },
        format="json",
    )
    assert good.status_code == 200, good.content
    visitor.refresh_from_db()
    assert (visitor.name, visitor.email) == ("Mia Wong", "mia@example.com")
    contact = dict(
        AttributeValue.objects.filter(visitor=visitor).values_list("definition__key", "value")
    )
    assert contact == {"phone": "+86 138 0000 0000", "newsletter": True}
    # Answered: no form again. The first message's conversation takes the topic.
    assert client.get(URL).json()["form"] is None
    conversation = shopper_says(visitor, "Hi, about my return").conversation
    topic = AttributeValue.objects.get(conversation=conversation)
    assert (topic.definition.key, topic.value) == ("topic", "Returns")
    assert PrechatSubmission.objects.get().conversation == conversation


def test_no_form_when_disabled_for_another_channel_or_after_a_conversation(
    form: PrechatForm,
) -> None:
    talked = make_visitor()
    shopper_says(talked, "hello")
    assert shopper(talked).get(URL).json()["form"] is None
    email = Channel.objects.create(kind="email", name="Mail")
    assert shopper(make_visitor(channel=email)).get(URL).json()["form"] is None
    form.enabled = False
    form.save()
    assert shopper(make_visitor()).get(URL).json()["form"] is None
    response = shopper(make_visitor()).post(URL, {"values": {"name": "x"}}, format="json")
    assert response.status_code == 400
    assert APIClient().get(URL).status_code in (401, 403)


@pytest.mark.parametrize(
    "fields",
    [
        [],
        [{"field": "age"}],
        [{"field": "contact.nope"}],
        [{"field": "name"}, {"field": "name"}],
        [{"field": "name", "required": "yes"}],
        [{"field": "name", "label": "x" * 81}],
    ],
)
def test_the_admin_refuses_bad_fields(fields: Any) -> None:
    with pytest.raises(ValidationError):
        PrechatForm(channel_id=default_web_channel_id(), fields=fields).full_clean()


def _rows(*rows: tuple[str, str, bool, str]) -> dict[str, str]:
    data = {"channel": str(default_web_channel_id()), "enabled": "on", "fields-rows": "5"}
    for n, (field, label, required, order) in enumerate(rows):
        data |= {f"fields-{n}-field": field, f"fields-{n}-label": label}
        data |= {f"fields-{n}-order": order} | ({f"fields-{n}-required": "on"} if required else {})
    return data


def test_the_admins_question_table_saves_in_order_with_labels(form: PrechatForm) -> None:
    """The admin's rows (question, label, required, order) become the form's fields in the
    rows' order; the label is what the shopper sees."""
    from chat.prechat.forms import PrechatFormAdminForm

    bound = PrechatFormAdminForm(
        _rows(
            ("email", "", True, "2"),
            ("conversation.topic", "What is it about?", False, "3"),
            ("", "", False, ""),
            ("name", "First name", True, "1"),
        ),
        instance=form,
    )
    assert bound.is_valid(), bound.errors
    bound.save()
    form.refresh_from_db()
    assert form.fields == [
        {"field": "name", "required": True, "label": "First name"},
        {"field": "email", "required": True},
        {"field": "conversation.topic", "required": False, "label": "What is it about?"},
    ]
    data = shopper(make_visitor()).get(URL, {"lang": "en"}).json()["form"]
    assert [f["label"] for f in data["fields"]] == ["First name", "Email", "What is it about?"]
    # The saved questions are shown again as rows, with spare empty ones.
    html = str(PrechatFormAdminForm(instance=form)["fields"])
    assert 'name="fields-0-label" id="id_fields-0-label" value="First name"' in html
    assert 'name="fields-rows" value="6"' in html


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((("name", "", True, ""), ("name", "", False, "")), "Row 2: this question is already"),
        ((("", "Topic", False, ""),), "Row 1: choose a question."),
        ((("contact.gone", "", False, ""),), "Row 1: no such question; choose another."),
        ((("name", "", False, "first"),), "Row 1: the order is a number from 1 to 99."),
        ((("name", "x" * 81, False, ""),), "Row 1: a label of up to 80 characters."),
        ((), "Choose at least one question."),
    ],
)
def test_the_admins_question_table_names_the_wrong_row_and_keeps_the_rows(
    form: PrechatForm, rows: Any, message: str
) -> None:
    form.delete()
    from chat.prechat.forms import PrechatFormAdminForm

    bound = PrechatFormAdminForm(_rows(*rows))  # adding: the model holds no questions yet
    assert not bound.is_valid()
    # The row's message alone, not the model's vaguer one about the list as well.
    (error,) = bound.errors["fields"]
    assert message in error
    if rows:
        # Shown again as typed, the wrong row marked with its message beside it.
        html = str(bound["fields"])
        assert f'<option value="{rows[0][0]}" selected>' in html
        wrong = len(rows) - 1 if len(rows) > 1 else 0
        assert f'aria-describedby="id_fields-{wrong}-error"' in html
        assert f'<p class="prechat-row-error" id="id_fields-{wrong}-error">{error}</p>' in html


def test_a_list_attributes_choices_are_typed_one_per_line() -> None:
    from chat.attributes.admin import AttributeDefinitionForm

    data = {"applies_to": "conversation", "key": "topic", "label": "Topic", "kind": "list"}
    bound = AttributeDefinitionForm(
        data | {"options": "Delivery\r\n\r\n Returns \n", "position": 0}
    )
    assert bound.is_valid(), bound.errors
    assert bound.save().options == ["Delivery", "Returns"]
    shown = AttributeDefinitionForm(instance=bound.instance)["options"].value()
    assert shown == "Delivery\nReturns"
    refused = AttributeDefinitionForm(data | {"options": "A\nA", "position": 0})
    assert not refused.is_valid() and "options" in refused.errors
