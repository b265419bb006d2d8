from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from console.teams import local_login
from console.teams.models import Membership, Role


class LoginForm(AuthenticationForm):
    """Django's login form, refusing a user name longer than any user's as it refuses a wrong password:
    Django sets the field's max_length after its validators are made, so it never checked it, and
    django-axes then wrote the failed attempt into its 255-character column (a 500 on PostgreSQL)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))

    def clean(self):
        if "username" in self.errors:  # no user has it: nothing to authenticate, nothing for axes to record
            raise self.get_invalid_login_error()
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, local_login.REFUSED_MARK, False):
                raise forms.ValidationError(local_login.MESSAGE, code="local_login_off") from None
            raise


class MemberAddForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError("No active user has this username.")
        if Membership.objects.filter(team=self.team, user=user).exists():
            raise forms.ValidationError("This user is already a member of the team.")
        self.user = user
        return username


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TeamCreateForm(forms.ModelForm):
    class Meta:
        from console.teams.models import Team

        model = Team
        fields = ["name", "slug"]
        help_texts = {"slug": "Used in URLs: letters, digits and hyphens."}
