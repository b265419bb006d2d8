"""factory-boy factories: users, teams and memberships, a connection per vendor, inventory rows.

    from tests.harness import factories as f

    team = f.TeamFactory()
    viewer = f.member_of(team, Role.VIEWER)
    connection = f.ScalrConnectionFactory(team=team, base_url=sim.url, api="v1")
    server = f.ServerFactory(farm_role__farm__environment__connection=connection)

Models are named by label ("scalr.Farm"), and vendor constants (a simulator's demo keys) are
read when a factory runs, so importing this module imports no vendor module.

A connection's secrets go through the model's secrets field API before its one save, as a
form does: pass `secret_values={"token": ...}` to replace the vendor's defaults.
"""

from __future__ import annotations

import importlib
import itertools

import factory
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory, Password

from console.teams.models import Role

PASSWORD = "correct-horse-battery"
#: the address of no server: a connection that must not be reached unless a test points it somewhere
NOWHERE = "http://127.0.0.1:9"


def _constant(module: str, name: str):
    return getattr(importlib.import_module(module), name)


# -- people ------------------------------------------------------------------------------------
class UserFactory(DjangoModelFactory):
    class Meta:
        model = "auth.User"
        skip_postgeneration_save = True

    class Params:
        superuser = factory.Trait(is_superuser=True, is_staff=True)

    username = factory.Sequence(lambda n: f"user-{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = Password(PASSWORD)


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = "teams.Team"

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.LazyAttribute(lambda team: slugify(team.name))


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = "teams.Membership"

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.VIEWER


def member_of(team, role: str, **user_fields):
    """A new user holding `role` in `team` (its membership is `user.memberships.get()`)."""
    return MembershipFactory(team=team, role=role, **{f"user__{k}": v for k, v in user_fields.items()}).user


# -- connections -------------------------------------------------------------------------------
class ConnectionFactory(DjangoModelFactory):
    """The fields every vendor's connection has; `secret_values` are set through `secrets.set`."""

    class Meta:
        abstract = True

    name = factory.Sequence(lambda n: f"connection-{n}")
    team = factory.SubFactory(TeamFactory)
    base_url = NOWHERE
    poll_seconds = 60
    secret_values = factory.Dict({})

    @classmethod
    def _build(cls, model_class, *args, secret_values=None, **kwargs):
        connection = model_class(*args, **kwargs)
        for name, value in (secret_values or {}).items():
            connection.secrets.set(name, value)
        return connection

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        connection = cls._build(model_class, *args, **kwargs)
        connection.save()
        return connection


class WidgetConnectionFactory(ConnectionFactory):
    """The test vendor's connection (tests/testvendor): a `token`, the widget simulator's."""

    class Meta:
        model = "testvendor.WidgetConnection"

    name = factory.Sequence(lambda n: f"widgets-{n}")


def _scalr_secrets(connection) -> dict:
    demo = "vendors.scalr.simulator"
    generation = "V2" if connection.api == "v2" else "V1"
    return {"key_id": _constant(demo, f"DEMO_{generation}_KEY_ID"),
            "secret": _constant(demo, f"DEMO_{generation}_SECRET"),
            _constant("vendors.scalr.forms", "CALLBACK_SECRET"): connection.callback_token}


class ScalrConnectionFactory(ConnectionFactory):
    """A key pair of the demo simulator for API generation `api` ("v2" or "v1"), and a callback token."""

    class Meta:
        model = "scalr.ScalrConnection"

    class Params:
        api = "v2"
        env_ids = factory.List([])
        callback_token = factory.LazyAttribute(lambda c: f"token-{c.api}-{c.team.slug}")

    name = factory.LazyAttributeSequence(lambda c, n: f"scalr-{c.api}-{c.team.slug}" + (f"-{n}" if n else ""))
    settings = factory.LazyAttribute(lambda c: {"api": c.api, "env_ids": list(c.env_ids)})
    secret_values = factory.LazyAttribute(_scalr_secrets)


class ScalingoConnectionFactory(ConnectionFactory):
    """A token of the Scalingo simulator, whose auth service answers on the API's own URL."""

    class Meta:
        model = "scalingo.ScalingoConnection"

    class Params:
        requests_per_minute = 0

    name = factory.Sequence(lambda n: f"scalingo-{n}")
    settings = factory.LazyAttribute(lambda c: {"region": "", "auth_url": c.base_url,
                                                "requests_per_minute": c.requests_per_minute})
    secret_values = factory.LazyFunction(lambda: {"token": _constant("vendors.scalingo.simulator", "DEFAULT_TOKEN")})


class ScalyrConnectionFactory(ConnectionFactory):
    """The three tokens the Scalyr tests' simulator accepts (tests/scalyr/helpers.py)."""

    class Meta:
        model = "scalyr.ScalyrConnection"

    name = factory.Sequence(lambda n: f"logs-{n}")
    settings = factory.Dict({"region": ""})
    secret_values = factory.LazyFunction(lambda: {
        "read_logs_token": _constant("tests.scalyr.helpers", "READ_LOGS"),
        "read_config_token": _constant("tests.scalyr.helpers", "READ_CONFIG"),
        "write_config_token": _constant("tests.scalyr.helpers", "WRITE_CONFIG")})


# -- inventory rows ----------------------------------------------------------------------------
_external_ids = itertools.count(90_000)  # far above the simulators' own ids


def _external_id(*_):
    return next(_external_ids)


class EnvironmentFactory(DjangoModelFactory):
    class Meta:
        model = "scalr.Environment"

    connection = factory.SubFactory(ScalrConnectionFactory)
    external_id = factory.LazyFunction(_external_id)
    name = factory.Sequence(lambda n: f"environment-{n}")


class FarmFactory(DjangoModelFactory):
    class Meta:
        model = "scalr.Farm"

    environment = factory.SubFactory(EnvironmentFactory)
    connection = factory.SelfAttribute("environment.connection")
    external_id = factory.LazyFunction(_external_id)
    name = factory.Sequence(lambda n: f"farm-{n}")
    status = "running"


class FarmRoleFactory(DjangoModelFactory):
    class Meta:
        model = "scalr.FarmRole"

    farm = factory.SubFactory(FarmFactory)
    external_id = factory.LazyFunction(_external_id)
    role_external_id = factory.LazyFunction(_external_id)
    role_name = "base-ubuntu"
    alias = factory.Sequence(lambda n: f"role-{n}")
    platform = "ec2"
    min_instances = 1
    max_instances = 2


class ServerFactory(DjangoModelFactory):
    class Meta:
        model = "scalr.Server"

    farm_role = factory.SubFactory(FarmRoleFactory)
    farm = factory.SelfAttribute("farm_role.farm")
    connection = factory.SelfAttribute("farm.connection")
    external_id = factory.Sequence(lambda n: f"00000000-0000-4000-8000-{n:012d}")
    status = "running"
    index = factory.Sequence(lambda n: n + 1)
    platform = factory.SelfAttribute("farm_role.platform")


class ScriptFactory(DjangoModelFactory):
    class Meta:
        model = "scalr.Script"

    environment = factory.SubFactory(EnvironmentFactory)
    external_id = factory.LazyFunction(_external_id)
    name = factory.Sequence(lambda n: f"script-{n}")
    latest_revision = 1


class AppFactory(DjangoModelFactory):
    class Meta:
        model = "scalingo.App"

    connection = factory.SubFactory(ScalingoConnectionFactory)
    external_id = factory.Sequence(lambda n: f"app-id-{n}")
    name = factory.Sequence(lambda n: f"app-{n}")
    status = "running"
    region = "osc-fr1"


class ContainerTypeFactory(DjangoModelFactory):
    """One line of an app's formation."""

    class Meta:
        model = "scalingo.ContainerType"

    app = factory.SubFactory(AppFactory)
    name = "web"
    amount = 1
    size = "M"


class ContainerFactory(DjangoModelFactory):
    class Meta:
        model = "scalingo.Container"

    app = factory.SubFactory(AppFactory)
    type = "web"
    type_index = factory.Sequence(lambda n: n + 1)
    label = factory.LazyAttribute(lambda c: f"{c.type}-{c.type_index}")
    state = "running"
    size = "M"


class DeploymentFactory(DjangoModelFactory):
    class Meta:
        model = "scalingo.Deployment"

    app = factory.SubFactory(AppFactory)
    external_id = factory.Sequence(lambda n: f"deployment-{n}")
    status = "success"
    git_ref = "0123abc"
    created_at = factory.LazyFunction(timezone.now)


class SavedQueryFactory(DjangoModelFactory):
    class Meta:
        model = "scalyr.SavedQuery"

    connection = factory.SubFactory(ScalyrConnectionFactory)
    name = factory.Sequence(lambda n: f"query-{n}")
    kind = "explorer"
    state = factory.Dict({"filter": ""})


class ActionRunFactory(DjangoModelFactory):
    """An action a user asked for on `connection` (queued: nothing was sent)."""

    class Meta:
        model = "core.ActionRun"

    class Params:
        connection = factory.SubFactory(WidgetConnectionFactory)

    vendor = factory.LazyAttribute(lambda run: run.connection.vendor)
    connection_id = factory.SelfAttribute("connection.pk")
    team = factory.SelfAttribute("connection.team")
    actor = factory.SubFactory(UserFactory)
    verb = factory.LazyAttribute(lambda run: f"{run.vendor}.poke")
    target_label = "alpha"
    summary = factory.LazyAttribute(lambda run: f"Poke {run.target_label}")


# -- alerts ------------------------------------------------------------------------------------
class ChannelFactory(DjangoModelFactory):
    """A team's notification channel: a webhook to NOWHERE unless `url` says where (`url` and
    `signing_secret` go through `secrets.set`, its destination follows the URL)."""

    class Meta:
        model = "alerts.Channel"

    name = factory.Sequence(lambda n: f"channel-{n}")
    team = factory.SubFactory(TeamFactory)
    kind = "webhook"
    min_severity = 2
    url = NOWHERE
    signing_secret = ""

    @classmethod
    def _create(cls, model_class, *args, url="", signing_secret="", **kwargs):
        from urllib.parse import urlsplit

        channel = model_class(*args, **kwargs)
        if url and channel.kind != "email":
            channel.secrets.set("url", url)
            channel.destination = urlsplit(url).netloc
        if signing_secret:
            channel.secrets.set("signing_secret", signing_secret)
        channel.save()
        return channel


class AlertFactory(DjangoModelFactory):
    """A firing alert of a widgets connection (as an evaluation would have made it)."""

    class Meta:
        model = "alerts.Alert"

    class Params:
        connection = factory.SubFactory(WidgetConnectionFactory)

    team = factory.SelfAttribute("connection.team")
    vendor = "widgets"
    connection_id = factory.SelfAttribute("connection.pk")
    connection_name = factory.SelfAttribute("connection.name")
    key = factory.Sequence(lambda n: f"widgets.broken:{n}")
    severity = 0
    title = factory.Sequence(lambda n: f"Widget w{n} is broken")
    state = "firing"
    first_seen_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.SelfAttribute("first_seen_at")
    fired_at = factory.SelfAttribute("first_seen_at")
