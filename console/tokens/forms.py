from django import forms


class TokenCreateForm(forms.Form):
    description = forms.CharField(max_length=100, help_text="What uses it, e.g. “deploy script” or “chat bot”.")
    write = forms.BooleanField(required=False, label="Read-write",
                               help_text="Without it the token can only read; every write answers 403.")
    days = forms.IntegerField(required=False, min_value=1, max_value=3650, label="Expires after (days)",
                              help_text="Leave blank for a token that does not expire.")
