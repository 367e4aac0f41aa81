from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import ApiTokenForm, ProfileForm
from accounts.models import ApiToken


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details have been saved."))
        return redirect("profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "tokens": request.user.api_tokens.all(),
            "token_form": ApiTokenForm(),
            "profile_form": form,
            "new_key": request.session.pop("new_api_key", None),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def token_create(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        _token, key = ApiToken.issue(
            request.user,
            name=form.cleaned_data["name"],
            read_only=form.cleaned_data["read_only"],
            days=form.cleaned_data["days"],
        )
        request.session["new_api_key"] = key
        messages.success(request, _("The token has been created. Copy it now: it is shown only once."))
    else:
        messages.error(request, _("The token was not created: check the form."))
    return redirect("profile")


@login_required
@require_POST
def token_revoke(request, pk: int):
    get_object_or_404(ApiToken, pk=pk, user=request.user).delete()
    messages.success(request, _("The token has been revoked."))
    return redirect("profile")
