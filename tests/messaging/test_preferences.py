"""Each user chooses where messages reach them: a usual channel and, per kind, another;
the admin sees and sets the same. A channel without an address falls back to the inbox."""

import pytest
from django.urls import reverse

from messaging.models import Contact, Preference
from messaging.sending import channel_for
from tests.grids.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_user_chooses_a_usual_channel_and_another_for_one_kind(client, worker):
    client.force_login(worker)
    page = client.get(reverse("messaging:preferences"))
    assert page.status_code == 200 and "kind_help_request" in page.content.decode()

    answer = client.post(
        reverse("messaging:preferences"),
        {
            "channel": "wecom",
            "wecom_userid": "ZhangSan",
            "mobile": "138 0013 8000",
            "quiet_hours": "on",
            "kind_help_request": "sms",
            "kind_digest": "",
        },
    )

    assert answer.status_code == 302
    contact = Contact.objects.get(user=worker)
    assert (contact.channel, contact.mobile) == ("wecom", "13800138000")
    assert list(Preference.objects.filter(user=worker).values_list("kind", "channel")) == [
        ("help_request", "sms")
    ]
    assert channel_for(worker, "help_request") == "sms"
    assert channel_for(worker, "digest") == "wecom"


def test_a_channel_the_user_has_no_address_on_falls_back_to_the_inbox(db):
    nobody = UserFactory(username="nomail", email="")
    Preference.objects.create(user=nobody, kind="digest", channel="sms")

    assert channel_for(nobody, "digest") == "inapp"
    assert channel_for(nobody, "case_overdue") == "inapp"  # the site's default is e-mail


def test_the_sites_default_channel_applies_to_who_chose_none(worker, settings):
    settings.MESSAGES_DEFAULT_CHANNEL = "wecom"

    assert channel_for(worker, "case_overdue") == "wecom"


def test_a_wrong_mobile_number_is_refused_and_nothing_saved(client, worker):
    client.force_login(worker)

    answer = client.post(reverse("messaging:preferences"), {"channel": "sms", "mobile": "12345"})

    assert answer.status_code == 400
    assert Contact.objects.get(user=worker).channel == ""


def test_the_admin_lists_the_choices_and_the_message_log(admin_client, worker):
    Preference.objects.create(user=worker, kind="digest", channel="wecom")

    assert admin_client.get(reverse("admin:messaging_preference_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:messaging_message_changelist")).status_code == 200
    assert (
        admin_client.get(
            reverse("admin:messaging_contact_change", args=[worker.message_contact.pk])
        ).status_code
        == 200
    )


def test_a_digest_is_its_recipients_alone(client, worker):
    from messaging.models import Digest

    digest = Digest.objects.create(user=worker, day="2026-11-25", sections=[])
    client.force_login(UserFactory(username="other"))

    assert client.get(reverse("messaging:digest", args=[digest.pk])).status_code == 404


def test_the_settings_page_offers_no_kind_nothing_writes_any_more(client, worker):
    client.force_login(worker)

    page = client.get(reverse("messaging:preferences")).content.decode()

    assert "kind_digest" in page and "kind_case_overdue" in page
    assert "kind_missed" not in page and "kind_escalated" not in page


def test_the_hourly_job_sends_each_notification_on_the_channel_chosen_for_its_kind(
    wecom, aliyun, worker, grid
):
    from monitoring.models import Notification
    from monitoring.outbound import dispatch_notifications
    from tests.households.factories import HouseholdFactory

    household = HouseholdFactory(unit=grid.building_1)
    Preference.objects.create(user=worker, kind="case_overdue", channel="sms")
    Preference.objects.create(user=worker, kind="proposal_approved", channel="wecom")
    for kind in ["case_overdue", "proposal_approved", "case_escalated"]:
        Notification.objects.create(recipient=worker, kind=kind, household=household)

    assert dispatch_notifications() == 3
    assert dispatch_notifications() == 0

    assert len(aliyun.sent) == 1 and len(wecom.delivered) == 1
    from django.core import mail

    assert [m.to for m in mail.outbox] == [["floor@example.org"]]  # the site's default: e-mail
