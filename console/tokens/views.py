"""The user's API tokens: create (shown once), list, revoke."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from console.tokens import services
from console.tokens.forms import TokenCreateForm


@never_cache
def token_list(request):
    form = TokenCreateForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        token, created = services.token_create(user=request.user, description=form.cleaned_data["description"],
                                               write=form.cleaned_data["write"], days=form.cleaned_data["days"])
        form = TokenCreateForm()
    status = 422 if request.method == "POST" and created is None else 200
    tokens = services.tokens_visible(user=request.user)
    return render(request, "tokens/token_list.html", {"form": form, "created": created, "tokens": tokens},
                  status=status)


@require_POST
def token_revoke(request, pk: int):
    token = services.token_get(user=request.user, pk=pk)
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, f"Token “{token.description}” revoked: it no longer works.")
    return redirect("tokens:list")
