"""A team's channels, set by its admins on the page and in the provisioning file: secrets write-only and
bound to their URL, the outbound policy, "Send test", and a channel that keeps failing says why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from console.audit.models import AuditEvent
from console.teams.models import Role
from tests.harness.factories import ChannelFactory
from vendors.core.alerts.models import Channel, Delivery
from vendors.core.provisioning import ProvisionError, provision

pytestmark = pytest.mark.django_db

SECRET = "whsec-9f8e7d6c5b4a"


def _form(team, **fields):
    return {"name": "ops-webhook", "team": team.pk, "kind": "webhook", "min_severity": 1, "enabled": "on", **fields}


def test_an_admin_adds_a_webhook_whose_url_and_secret_are_never_shown_again(client, members, team, receivers):
    receiver = receivers()
    url = f"{receiver.url}/hooks/T0123/B0456/{SECRET}-path"
    client.force_login(members[Role.ADMIN])
    answer = client.post(reverse("alerts:channel-create"), _form(team, url=url, signing_secret=SECRET))
    channel = Channel.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("alerts:channel-detail", args=[channel.pk])
    assert channel.secrets.get("url") == url and channel.secrets.get("signing_secret") == SECRET
    assert channel.destination == receiver.url.removeprefix("http://")
    for page in (reverse("alerts:channel-detail", args=[channel.pk]), reverse("alerts:channel-edit", args=[channel.pk]),
                 reverse("alerts:channel-list"), reverse("audit:list")):
        html = client.get(page).content.decode()
        assert SECRET not in html and "/hooks/" not in html, page
    detail = client.get(reverse("alerts:channel-detail", args=[channel.pk])).content.decode()
    assert f"Posts to</dt><dd>{channel.destination}" in detail and detail.count('badge-ok">set') == 2
    assert AuditEvent.objects.get(verb="channel.create").detail["secrets_changed"] == ["url", "signing_secret"]


def test_a_new_url_asks_for_the_signing_secret_again(client, members, team, receivers):
    first, second = receivers(), receivers()
    channel = ChannelFactory(team=team, name="ops-webhook", url=first.url + "/a", signing_secret=SECRET)
    client.force_login(members[Role.ADMIN])
    edit = reverse("alerts:channel-edit", args=[channel.pk])
    answer = client.post(edit, _form(team, url=second.url + "/b"))
    assert answer.status_code == 200
    assert "The URL changed: enter the signing secret again (or clear it)." in answer.content.decode()
    channel.refresh_from_db()
    assert channel.secrets.get("url") == first.url + "/a"  # nothing saved
    client.post(edit, _form(team, url=first.url + "/a", min_severity=0))  # the same URL: no need
    channel.refresh_from_db()
    assert channel.min_severity == 0 and channel.secrets.get("signing_secret") == SECRET
    client.post(edit, _form(team, url=second.url + "/b", clear_signing_secret="on"))
    channel.refresh_from_db()
    assert channel.secrets.get("url") == second.url + "/b" and not channel.secrets.is_set("signing_secret")
    assert "replaced or cleared the URL and signing secret" in AuditEvent.objects.latest("pk").message


def test_a_url_outside_the_outbound_policy_is_refused_when_saved_and_when_sent(client, members, team, settings,
                                                                              sent):
    settings.CONSOLE_OUTBOUND_ALLOW = []
    client.force_login(members[Role.ADMIN])
    answer = client.post(reverse("alerts:channel-create"), _form(team, url="http://169.254.169.254/latest/"))
    assert "169.254.169.254 is a link-local address; outbound connections to it are refused unless " \
           "CONSOLE_OUTBOUND_ALLOW lists it." in answer.content.decode()
    assert not Channel.objects.exists()
    channel = ChannelFactory(team=team, url="http://127.0.0.1:9/hook")  # saved before the policy changed
    delivery = sent(client.post, reverse("alerts:channel-test", args=[channel.pk]))
    assert delivery.status_code == 302
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("failed", 1)  # never retried: nothing was sent
    assert delivery.last_error.startswith("127.0.0.1 is a loopback address")


def test_send_test_posts_to_the_receiver_and_the_page_follows_it(client, members, team, receivers, sent):
    receiver = receivers()
    channel = ChannelFactory(team=team, name="ops-webhook", url=receiver.url + "/t")
    client.force_login(members[Role.ADMIN])
    answer = sent(client.post, reverse("alerts:channel-test", args=[channel.pk]), headers={"HX-Request": "true"})
    assert "⟳ Queued" in answer.content.decode() and 'hx-get="/alerts/notifications/' in answer.content.decode()
    status = client.get(reverse("alerts:delivery-status", args=[Delivery.objects.get().pk])).content.decode()
    assert "✔ Sent" in status and "Test notification to <strong>ops-webhook" in status and "hx-get" not in status
    [body] = receiver.bodies()
    assert (body["title"], body["status"], body["team"]) == ("Test notification to ops-webhook", "firing", "Platform")
    channel.refresh_from_db()
    assert channel.last_success_at and channel.consecutive_failures == 0
    client.force_login(members[Role.OPERATOR])  # only the team's admins send tests
    assert client.post(reverse("alerts:channel-test", args=[channel.pk])).status_code == 403


def test_an_email_channel_needs_recipients_and_keeps_no_url(client, members, team):
    client.force_login(members[Role.ADMIN])
    answer = client.post(reverse("alerts:channel-create"), _form(team, name="mail", kind="email", recipients=""))
    assert "An email channel needs at least one recipient." in answer.content.decode()
    answer = client.post(reverse("alerts:channel-create"), _form(team, name="mail", kind="email",
                                                                 recipients="oncall@example.com, not-an-address"))
    assert "“not-an-address” is not an email address." in answer.content.decode()
    client.post(reverse("alerts:channel-create"), _form(team, name="mail", kind="email",
                                                        recipients="oncall@example.com ops@example.com"))
    channel = Channel.objects.get()
    assert channel.recipients == ["oncall@example.com", "ops@example.com"] and not channel.secrets.names()


def test_only_a_teams_admin_manages_its_channels(client, members, team, other_team):
    channel = ChannelFactory(team=other_team)
    client.force_login(members[Role.ADMIN])
    assert client.get(reverse("alerts:channel-detail", args=[channel.pk])).status_code == 404
    form = client.get(reverse("alerts:channel-create")).content.decode()
    teams = form.split('name="team"')[1].split("</select>")[0]
    assert "Platform" in teams and "Data" not in teams
    answer = client.post(reverse("alerts:channel-create"), _form(other_team, url="http://127.0.0.1:9/x"))
    assert "Select a valid choice." in answer.content.decode() and not Channel.objects.filter(team=team).exists()


# -- the provisioning file ---------------------------------------------------------------------
def _document(**webhook):
    return {"teams": [{"name": "Platform"}], "notification_channels": [
        {"name": "ops-webhook", "team": "Platform", "kind": "webhook", "url_env": "OPS_WEBHOOK_URL",
         "signing_secret_env": "OPS_WEBHOOK_SECRET", "min_severity": "warning", **webhook},
        {"name": "oncall-mail", "team": "Platform", "kind": "email", "to": ["oncall@example.com"]}]}


def test_the_provisioning_file_sets_channels_from_the_environment_and_twice_changes_nothing(team):
    environ = {"OPS_WEBHOOK_URL": "http://127.0.0.1:9/hook", "OPS_WEBHOOK_SECRET": SECRET}
    report = provision(_document(), environ=environ)
    assert report.created == ["channel ops-webhook", "channel oncall-mail"]
    webhook, mail = Channel.objects.get(name="ops-webhook"), Channel.objects.get(name="oncall-mail")
    assert (webhook.kind, webhook.min_severity, webhook.secrets.get("url"), webhook.secrets.get("signing_secret")) == (
        "webhook", 1, "http://127.0.0.1:9/hook", SECRET)
    assert (mail.kind, mail.recipients, mail.min_severity) == ("email", ["oncall@example.com"], 1)
    audits = AuditEvent.objects.count()
    again = provision(_document(), environ=environ)
    assert again.created == again.updated == [] and AuditEvent.objects.count() == audits

    moved = provision(_document(min_severity="critical"), environ={**environ, "OPS_WEBHOOK_URL": "http://127.0.0.1:9/new"})
    assert moved.updated == ["channel ops-webhook"]  # the same secret, given again for the new URL
    webhook.refresh_from_db()
    assert (webhook.min_severity, webhook.secrets.get("url")) == (0, "http://127.0.0.1:9/new")
    assert webhook.secrets.get("signing_secret") == SECRET


@pytest.mark.parametrize(("change", "environ", "message"), [
    ({"min_severity": "loud"}, None, "notification_channels[0] (ops-webhook): field 'min_severity': one of notice, "
                                     "warning, critical, not 'loud'."),
    ({"colour": "red"}, None, "notification_channels[0] (ops-webhook): unknown keys colour;"),
    ({}, {"OPS_WEBHOOK_SECRET": SECRET}, "field 'url_env' names the environment variable OPS_WEBHOOK_URL, which is "
                                         "not set."),
    ({"team": "Nobody"}, None, "field 'team': no team named 'Nobody'"),
    ({"signing_secret_env": None, "url_env": "BAD_URL"}, {"BAD_URL": "ftp://x"},
     "field 'url_env': Enter an http:// or https:// URL."),
])
def test_a_bad_channel_entry_changes_nothing_and_says_where(team, change, environ, message):
    environ = environ if environ is not None else {"OPS_WEBHOOK_URL": "http://127.0.0.1:9/h",
                                                   "OPS_WEBHOOK_SECRET": SECRET}
    document = _document(**change)
    document["notification_channels"][0] = {k: v for k, v in document["notification_channels"][0].items()
                                            if v is not None}
    with pytest.raises(ProvisionError) as refused:
        provision(document, environ=environ)
    assert message in str(refused.value)
    assert not Channel.objects.exists()
