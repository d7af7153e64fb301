"""The supervision center (督办中心) and the inbox: server-rendered pages.

Thin: parse the form, call a service or a selector, render. A refused action comes back as a
message (or as an error next to the field); a notice the user may not see is a 404.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stations.models import Unit
from tickets.exceptions import WorkflowError
from tickets.models import WorkOrder
from tickets.selectors import orders_visible_to

from . import selectors, services
from .forms import CloseForm, IssueForm, NoticeFilterForm, RespondForm
from .letters import letter_pdf_ready, pdf_filename, render_letter_html
from .models import NoticeKind

PAGE_SIZE = 30


def _notice_or_404(user, pk):
    notice = selectors.notice_for_user(user, pk)
    if notice is None:
        raise Http404(_("没有找到该函件，或您无权查看。"))
    return notice


def _page(request: HttpRequest, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# --- the notices -----------------------------------------------------------------------------


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    visible = selectors.notices_visible_to(request.user)
    if request.user.works_in_unit and not request.user.is_superuser:
        units = Unit.objects.filter(pk=request.user.unit_id)
    else:
        units = Unit.objects.filter(is_active=True).order_by("kind", "name")
    form = NoticeFilterForm(request.GET or None, units=units)
    filters = form.filters() if request.GET else {}
    notices = selectors.filter_notices(visible, **filters, user=request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/notice_list.html",
        {
            "form": form,
            "page": _page(request, notices),
            "query": query.urlencode(),
            "may_issue": services.may_issue(request.user),
        },
    )


def _detail(request, notice, *, respond_form=None, close_form=None, status=200) -> HttpResponse:
    actions = {t.action for t in services.allowed_notice_actions(notice, request.user)}
    return render(
        request,
        "supervision/notice_detail.html",
        {
            "notice": notice,
            "notice_orders": selectors.notice_orders_for(request.user, notice),
            "events": notice.events.select_related("actor").order_by("created_at", "id"),
            "actions": actions,
            "respond_form": respond_form or RespondForm(),
            "close_form": close_form or CloseForm(),
            "is_overdue": notice.is_overdue(),
        },
        status=status,
    )


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _notice_or_404(request.user, pk))


@login_required
@require_POST
def notice_sign(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice_or_404(request.user, pk)
    try:
        services.notice_sign(notice=notice, acting_user=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已签收 %(number)s。") % {"number": notice.number})
    return redirect("supervision:notice_detail", pk=notice.pk)


@login_required
@require_POST
def notice_respond(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice_or_404(request.user, pk)
    form = RespondForm(request.POST)
    if not form.is_valid():
        return _detail(request, notice, respond_form=form, status=400)
    try:
        services.notice_respond(notice=notice, acting_user=request.user, response=form.cleaned_data["response"])
    except WorkflowError as exc:
        for field, message in exc.field_errors.items():
            if field in form.fields:
                form.add_error(field, message)
        if not exc.field_errors:
            messages.error(request, exc.message)
            return redirect("supervision:notice_detail", pk=notice.pk)
        return _detail(request, notice, respond_form=form, status=400)
    messages.success(request, _("整改措施已反馈。"))
    return redirect("supervision:notice_detail", pk=notice.pk)


@login_required
@require_POST
def notice_close(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice_or_404(request.user, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _detail(request, notice, close_form=form, status=400)
    try:
        services.notice_close(notice=notice, acting_user=request.user, note=form.cleaned_data["note"])
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(number)s 已办结。") % {"number": notice.number})
    return redirect("supervision:notice_detail", pk=notice.pk)


@login_required
@require_GET
def notice_letter(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice_or_404(request.user, pk)
    return HttpResponse(render_letter_html(notice, user=request.user, request=request))


@login_required
@require_GET
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter's stored PDF; rendered here only once and only for a short letter (letters.py)."""
    notice = _notice_or_404(request.user, pk)
    name = letter_pdf_ready(notice, user=request.user)
    if name is None:
        return render(request, "supervision/letter_pending.html", {"notice": notice}, status=202)
    with default_storage.open(name, "rb") as stored:
        response = HttpResponse(stored.read(), content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(pdf_filename(notice))}"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def notice_issue(request: HttpRequest) -> HttpResponse:
    """Issue a notice by hand (supervisors)."""
    if not services.may_issue(request.user):
        raise PermissionDenied(_("只有督导领导可以人工下发督办单或提醒函。"))
    if request.method == "POST":
        form = IssueForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = services.notice_issue_by_hand(
                    acting_user=request.user,
                    order=data["order"],
                    kind=data["kind"],
                    reason=data["reason"],
                    requirement=data["requirement"],
                    respond_by=data["respond_by"],
                    client_token=data["token"],
                )
            except WorkflowError as exc:
                for field, message in exc.field_errors.items():
                    form.add_error(field if field in form.fields else None, message)
                if not exc.field_errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("已下发%(kind)s %(number)s。") % {"kind": notice.get_kind_display(), "number": notice.number},
                )
                return redirect("supervision:notice_detail", pk=notice.pk)
        status = 400
    else:
        initial = {"kind": request.GET.get("kind") if request.GET.get("kind") in NoticeKind.values else ""}
        if request.GET.get("order"):
            initial["order"] = request.GET["order"][:50]
            order = WorkOrder.objects.select_related("unit", "topic").filter(number=initial["order"]).first()
            if order is not None:
                initial["reason"] = services.notice_suggested_reason(order, initial["kind"])
        form = IssueForm(initial=initial)
        status = 200
    return render(request, "supervision/notice_issue.html", {"form": form}, status=status)


# --- the inbox -------------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    by_order = request.GET.get("group") == "order"
    items = selectors.inbox_for_user(request.user, unread_only=unread_only, by_order=by_order)
    page = _page(request, items)
    # One query for the page: an order re-dispatched elsewhere is no longer this user's to open.
    visible = set(
        orders_visible_to(request.user)
        .filter(pk__in={item.notification.order_id for item in page if item.notification.order_id})
        .values_list("pk", flat=True)
    )
    for item in page:
        item.handled = selectors.handled_note(item.notification)
        item.order_visible = item.notification.order_id in visible
    query = "&".join(q for q in ("unread=1" if unread_only else "", "group=order" if by_order else "") if q)
    return render(
        request,
        "supervision/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "by_order": by_order,
            "query": query,
            "unread": selectors.unread_count(request.user),
        },
    )


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    from .notifications import inbox_mark_read as mark_read

    if request.POST.get("all"):
        mark_read(user=request.user)
    else:
        ids = [int(v) for v in request.POST.getlist("items") if v.isdigit()]
        if ids:
            mark_read(user=request.user, item_ids=ids)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(reverse("supervision:inbox"))


@login_required
@require_GET
def unit_inbox(request: HttpRequest) -> HttpResponse:
    if request.user.unit_id is None:
        raise Http404(_("您不属于任何单位。"))
    return render(
        request,
        "supervision/unit_inbox.html",
        {"unit": request.user.unit, "page": _page(request, selectors.unit_inbox(request.user.unit_id))},
    )
