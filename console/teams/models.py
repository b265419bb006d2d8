from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    """Roles per team membership; each one includes the rights of those before it."""

    VIEWER = "viewer", "Viewer"
    OPERATOR = "operator", "Operator"
    ADMIN = "admin", "Admin"

    @classmethod
    def rank(cls, role: str) -> int:
        return [cls.VIEWER, cls.OPERATOR, cls.ADMIN].index(role)

    @classmethod
    def at_least(cls, role: str) -> list[str]:
        return [r for r in cls.values if cls.rank(r) >= cls.rank(role)]


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    """Where a membership comes from: made in the console (or the provisioning file), or set
    from the person's identity-provider groups at each sign-in. A sign-in touches only its own."""

    MANUAL = "manual", "Manual"
    SSO = "sso", "Single sign-on"


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team__name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


class SsoGroupMapping(models.Model):
    """One `sso_groups` entry of the provisioning file: members of `group` (an OIDC groups
    claim value or an LDAP group's cn) get `role` in `team` when they sign in."""

    group = models.CharField(max_length=200)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="sso_mappings")
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        ordering = ["group", "team__name"]
        constraints = [models.UniqueConstraint(fields=["group", "team"], name="unique_sso_group_team")]

    def __str__(self) -> str:
        return f"{self.group} → {self.team} ({self.role})"
