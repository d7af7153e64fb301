"""Browser pages: dashboards, bulletins (with .xlsx, print and PDF), hotspots, campaigns, cases.

Thin views: they check who may look, parse input with a form, call a selector or a service and
render. A refused action comes back as the form's errors, never as a 500.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stations.models import Role, Unit
from tickets.exceptions import WorkflowError
from tickets.models import UNIT_WORK_STATUSES, WorkOrder

from . import permissions as perms
from .bulletins import (
    bulletin_generate,
    commitment_record,
    meeting_unit_ids,
    period_versions,
)
from .campaigns import campaign_link_orders, campaign_progress, campaign_start, campaign_summary
from .cases import case_mark, case_unmark, cases_list, find_order
from .charts import Series, bar_chart, line_chart
from .dashboards import dashboard_data
from .exports import (
    CONTENT_TYPES,
    ExportThrottled,
    bulletin_xlsx,
    export_filename,
    export_inline,
    export_job,
    export_ready,
    export_request,
    print_context,
)
from .forms import (
    CampaignForm,
    CaseFilterForm,
    CaseForm,
    CommitmentForm,
    GenerateBulletinForm,
    HotspotForm,
    LinkOrdersForm,
    apply_errors,
    plausible_pk,
)
from .hotspots import SurgeRule, hotspot_orders, hotspot_table, repeat_callers, repeat_window, repeated_addresses
from .models import AreaLevel, Bulletin, Campaign, ExportFormat, ExportStatus, TypicalCase
from .periods import Period, local_date, previous_week, week_containing


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- home and dashboards ---------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Supervisors land on the bureau dashboard, unit staff on their unit's."""
    if perms.sees_bureau(request.user):
        return redirect("analysis:dashboard")
    unit_id = perms.home_unit_id(request.user)
    if unit_id:
        return redirect("analysis:unit_dashboard", unit_id=unit_id)
    return redirect("analysis:cases")


def _trend_chart(dashboard) -> str:
    labels = [p.week.short_label() for p in dashboard.trend]
    series = []
    names = (
        ("closure_rate", _("办结率")),
        ("on_time_rate", _("按时办结率")),
        ("satisfaction_rate", _("满意率")),
    )
    for name, label in names:
        if dashboard.unit is not None:
            series.append(Series(label, [getattr(p.unit, name) for p in dashboard.trend]))
        else:
            series.append(Series(label, [getattr(p.bureau, name) for p in dashboard.trend]))
    if dashboard.unit is not None:
        for index, (name, label) in enumerate(names):
            series.append(
                Series(
                    _("%(label)s（全局）") % {"label": label},
                    [getattr(p.bureau, name) for p in dashboard.trend],
                    color=("#1f5fa8", "#d9822b", "#2e8b57")[index],
                    dashed=True,
                )
            )
    return line_chart(labels=labels, series=series, title=_("近12周办结率、按时办结率、满意率"))


def _breakdown_charts(dashboard) -> list[tuple[str, str, list]]:
    titles = {"handling_type": _("按办理类型"), "topic": _("按诉求主题"), "channel": _("按来源渠道")}
    return [
        (titles[name], bar_chart(items=items, title=titles[name]), items)
        for name, items in dashboard.breakdowns.items()
    ]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require(perms.sees_bureau(request.user))
    data = dashboard_data()
    return render(
        request,
        "analysis/dashboard.html",
        {
            "dashboard": data,
            "trend_chart": _trend_chart(data),
            "breakdowns": _breakdown_charts(data),
            "due_soon_minutes": settings.HOTLINE_DUE_SOON_MINUTES,
            "nav": "dashboard",
        },
    )


@login_required
def unit_dashboard(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=unit_id)
    _require(perms.may_see_unit(request.user, unit.pk))
    data = dashboard_data(unit=unit)
    load = data.load[0][1]
    open_orders = (
        WorkOrder.objects.filter(unit=unit, status__in=UNIT_WORK_STATUSES)
        .select_related("topic")
        .order_by("handling_deadline")[:20]
    )
    return render(
        request,
        "analysis/unit_dashboard.html",
        {
            "dashboard": data,
            "unit": unit,
            "load": load,
            "open_orders": open_orders,
            "now": data.now,
            "trend_chart": _trend_chart(data),
            "breakdowns": _breakdown_charts(data),
            "avg_received": data.per_unit_average("received"),
            "avg_closed": data.per_unit_average("closed"),
            "nav": "dashboard",
        },
    )


# --- bulletins -------------------------------------------------------------------------------


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    _require(perms.reads_bulletins(request.user))
    can_generate = perms.manages_analysis(request.user)
    form = None
    if request.method == "POST":
        _require(can_generate)
        form = GenerateBulletinForm(request.POST)
        if form.is_valid():
            # A double-clicked submit posts the same nonce twice: the second shows the first's result.
            nonce = form.cleaned_data.get("nonce") or ""
            done = request.session.get("bulletin_nonces", {})
            if nonce and nonce in done and Bulletin.objects.filter(pk=done[nonce]).exists():
                return redirect("analysis:bulletin", pk=done[nonce])
            period: Period = form.cleaned_data["period"]
            try:
                bulletin = bulletin_generate(start=period.start, end=period.end, acting_user=request.user)
            except WorkflowError as error:
                apply_errors(form, error)
            else:
                if nonce:
                    done = dict(list(done.items())[-20:])
                    done[nonce] = bulletin.pk
                    request.session["bulletin_nonces"] = done
                messages.success(request, _("已生成通报第 %(v)s 版。") % {"v": bulletin.version})
                return redirect("analysis:bulletin", pk=bulletin.pk)
    elif can_generate:
        form = GenerateBulletinForm(initial={"mode": "week", "week": previous_week().start, "nonce": uuid.uuid4().hex})
    if form is not None and not form.data.get("nonce"):
        form.initial["nonce"] = uuid.uuid4().hex
    page = Paginator(
        Bulletin.objects.select_related("generated_by").defer("data"),
        30,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "analysis/bulletin_list.html",
        {"page": page, "form": form, "can_generate": can_generate, "nav": "bulletins"},
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


def _bulletin_context(request: HttpRequest, bulletin: Bulletin) -> dict:
    versions = list(period_versions(bulletin).defer("data"))
    return {
        **print_context(bulletin),
        "versions": versions,
        "latest": versions[0] if versions else bulletin,
    }


def _get_bulletin(request: HttpRequest, pk: int) -> Bulletin:
    _require(perms.reads_bulletins(request.user))
    return get_object_or_404(Bulletin, pk=pk)


def _commitment_form(request: HttpRequest, bulletin: Bulletin, data=None) -> CommitmentForm | None:
    unit_ids = meeting_unit_ids(bulletin)
    if not perms.manages_analysis(request.user):
        unit_ids = {u for u in unit_ids if perms.may_commit(request.user, u)}
    if not unit_ids:
        return None
    initial = {"unit": request.user.unit_id} if request.user.unit_id in unit_ids else {}
    return CommitmentForm(data, unit_ids=unit_ids, initial=initial)


@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _get_bulletin(request, pk)
    context = _bulletin_context(request, bulletin)
    context["commit_form"] = _commitment_form(request, bulletin)
    context["exports"] = [_export_panel(bulletin, fmt) for fmt in (ExportFormat.XLSX, ExportFormat.PDF)]
    context["nav"] = "bulletins"
    return render(request, "analysis/bulletin_detail.html", context)


@login_required
@require_POST
def bulletin_commit(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _get_bulletin(request, pk)
    form = _commitment_form(request, bulletin, request.POST)
    _require(form is not None)
    if form.is_valid():
        try:
            commitment_record(
                bulletin=bulletin,
                unit=form.cleaned_data["unit"],
                measures=form.cleaned_data["measures"],
                due_on=form.cleaned_data["due_on"],
                acting_user=request.user,
            )
        except WorkflowError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("整改措施已记录。"))
            return redirect(reverse("analysis:bulletin", kwargs={"pk": bulletin.pk}) + "#meeting")
    context = _bulletin_context(request, bulletin)
    context["commit_form"] = form
    context["exports"] = [_export_panel(bulletin, fmt) for fmt in (ExportFormat.XLSX, ExportFormat.PDF)]
    context["nav"] = "bulletins"
    return render(request, "analysis/bulletin_detail.html", context, status=400)


def _export_panel(bulletin: Bulletin, fmt: str, job=None, error: str = "") -> dict:
    job = job if job is not None else export_job(bulletin, fmt)
    ready = job is not None and job.status == ExportStatus.DONE and export_ready(bulletin, fmt) is not None
    return {
        "bulletin": bulletin,
        "fmt": fmt,
        "label": ExportFormat(fmt).label,
        "job": job,
        "ready": ready,
        "busy": job is not None and job.status in (ExportStatus.PENDING, ExportStatus.RUNNING),
        "inline": export_inline(bulletin, fmt),
        "error": error,
    }


def _serve(job, bulletin: Bulletin, fmt: str) -> FileResponse:
    return FileResponse(
        job.file.open("rb"),
        content_type=CONTENT_TYPES[fmt],
        as_attachment=fmt != ExportFormat.PDF,
        filename=export_filename(bulletin, fmt),
    )


def _download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The stored file when it is ready; else queue its render and show its progress (202).

    A small workbook is made here at once; a PDF and a large workbook never are (the worker
    renders them, once for everyone asking).
    """
    bulletin = _get_bulletin(request, pk)
    if export_inline(bulletin, fmt):
        response = HttpResponse(bulletin_xlsx(bulletin), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{export_filename(bulletin, fmt)}"'
        return response
    job = export_ready(bulletin, fmt)
    if job is not None:
        return _serve(job, bulletin, fmt)
    try:
        job = export_request(bulletin=bulletin, fmt=fmt, acting_user=request.user)
    except ExportThrottled as error:
        context = _export_panel(bulletin, fmt, error=str(error.message))
        return render(request, "analysis/bulletin_export.html", {**context, "nav": "bulletins"}, status=429)
    if job.status == ExportStatus.DONE:
        return _serve(job, bulletin, fmt)
    context = _export_panel(bulletin, fmt, job)
    return render(request, "analysis/bulletin_export.html", {**context, "nav": "bulletins"}, status=202)


@login_required
def bulletin_xlsx_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, ExportFormat.XLSX)


@login_required
def bulletin_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, ExportFormat.PDF)


@login_required
def bulletin_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The export panel (htmx polls it while a render runs); POST asks for the render."""
    bulletin = _get_bulletin(request, pk)
    if fmt not in ExportFormat.values:
        raise Http404
    status, error, job = 200, "", None
    if request.method == "POST":
        try:
            job = export_request(bulletin=bulletin, fmt=fmt, acting_user=request.user)
        except ExportThrottled as exc:
            status, error = 429, str(exc.message)
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect(reverse("analysis:bulletin", kwargs={"pk": bulletin.pk}) + "#exports")
    return render(request, "analysis/_export_panel.html", _export_panel(bulletin, fmt, job, error), status=status)


@login_required
def bulletin_print(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _get_bulletin(request, pk)
    return render(request, "analysis/bulletin_print.html", _bulletin_context(request, bulletin))


# --- hotspots --------------------------------------------------------------------------------


@login_required
def hotspots(request: HttpRequest) -> HttpResponse:
    _require(perms.sees_bureau(request.user))
    form = HotspotForm(request.GET or None)
    today = local_date()
    week = form.week_period(today)
    level = form.level_value()
    topic = form.cleaned_data.get("topic") if form.is_valid() else None
    rule = SurgeRule.from_settings()
    table = hotspot_table(week, level, rule=rule, topic_id=topic.pk if topic else None)
    start, end = repeat_window(week)
    reveal = request.user.is_superuser or request.user.role == Role.DISPATCHER
    return render(
        request,
        "analysis/hotspots.html",
        {
            "form": form,
            "week": week,
            "level": level,
            "rule": rule,
            "surge_times": f"{1 + rule.ratio:g}",
            "repeat_min": settings.HOTLINE_REPEAT_MIN,
            "table": table,
            "surges": [h for h in table if h.surge],
            "week_labels": [week.shifted(-i).short_label() for i in range(len(table[0].counts) - 1, -1, -1)]
            if table
            else [],
            "callers": repeat_callers(start, end, reveal=reveal),
            "addresses": repeated_addresses(start, end),
            "window": (start, end),
            "can_start": perms.manages_analysis(request.user),
            "nav": "hotspots",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def hotspot_detail(request: HttpRequest) -> HttpResponse:
    """The orders behind one hotspot cell (topic × area × week)."""
    _require(perms.sees_bureau(request.user))
    form = HotspotForm(request.GET or None)
    if not form.is_valid() or not form.cleaned_data.get("topic"):
        raise Http404
    week = form.week_period(local_date())
    level = form.level_value()
    topic = form.cleaned_data["topic"]
    area = request.GET.get("area", "")[:100]
    if level == AreaLevel.STATION and area and not plausible_pk(area):
        raise Http404
    orders = hotspot_orders(week, level, topic.pk, int(area) if level == AreaLevel.STATION and area else area)
    page = Paginator(orders.select_related("unit").order_by("-received_at", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "analysis/hotspot_detail.html",
        {
            "week": week,
            "level": level,
            "topic": topic,
            "area": area,
            "area_label": request.GET.get("label", "")[:100] or area,
            "page": page,
            "can_start": perms.manages_analysis(request.user),
            "nav": "hotspots",
        },
    )


# --- campaigns -------------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    campaigns = Campaign.objects.select_related("topic", "lead_unit", "area_unit").prefetch_related("units")
    if not perms.sees_bureau(user):
        _require(user.unit_id is not None)
        campaigns = campaigns.filter(Q(lead_unit_id=user.unit_id) | Q(units__id=user.unit_id)).distinct()
    return render(
        request,
        "analysis/campaign_list.html",
        {
            "campaigns": campaigns,
            "today": local_date(),
            "can_start": perms.manages_analysis(user),
            "nav": "campaigns",
        },
    )


def _campaign_initial(request: HttpRequest) -> dict:
    """Prefill from a hotspot: ?topic=&level=&area=&week=."""
    initial = {"starts_on": local_date(), "ends_on": local_date() + dt.timedelta(days=30)}
    form = HotspotForm(request.GET)
    area = request.GET.get("area", "")
    level = request.GET.get("level", "")
    if form.is_valid() and form.cleaned_data.get("topic"):
        topic = form.cleaned_data["topic"]
        initial["topic"] = topic.pk
        initial["title"] = _("%(topic)s专项整治") % {"topic": topic.name}
    if level == AreaLevel.STATION and plausible_pk(area):
        unit = Unit.objects.filter(pk=int(area)).first()
        if unit is not None:
            initial.update(area_level=AreaLevel.STATION, area_unit=unit.pk, lead_unit=unit.pk)
            if "title" in initial:
                initial["title"] = f"{unit.name}{initial['title']}"
    elif level == AreaLevel.PLACE and area:
        initial.update(area_level=AreaLevel.PLACE, area_keyword=area[:100])
        if "title" in initial:
            initial["title"] = f"{area[:100]}{initial['title']}"
    if form.is_valid() and form.cleaned_data.get("week"):
        initial["link_week"] = week_containing(form.cleaned_data["week"]).start
    return initial


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    _require(perms.manages_analysis(request.user))
    if request.method == "POST":
        form = CampaignForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                campaign = campaign_start(
                    title=d["title"],
                    topic=d["topic"],
                    area_level=d["area_level"],
                    area_unit=d.get("area_unit"),
                    area_keyword=d.get("area_keyword", ""),
                    lead_unit=d["lead_unit"],
                    units=d.get("units") or [],
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    description=d.get("description", ""),
                    link_week=week_containing(d["link_week"]) if d.get("link_week") else None,
                    acting_user=request.user,
                )
            except WorkflowError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("专项整治已发起。"))
                return redirect("analysis:campaign", pk=campaign.pk)
    else:
        form = CampaignForm(initial=_campaign_initial(request))
    return render(
        request,
        "analysis/campaign_form.html",
        {"form": form, "nav": "campaigns"},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(
        Campaign.objects.select_related("topic", "lead_unit", "area_unit", "created_by"), pk=pk
    )
    _require(perms.may_see_campaign(request.user, campaign))
    link_form = None
    status = 200
    if perms.manages_analysis(request.user):
        link_form = LinkOrdersForm(request.POST or None)
        if request.method == "POST":
            if link_form.is_valid():
                try:
                    added = campaign_link_orders(
                        campaign=campaign, numbers=link_form.cleaned_data["numbers"], acting_user=request.user
                    )
                except WorkflowError as error:
                    apply_errors(link_form, error)
                else:
                    messages.success(request, _("已关联 %(n)s 张工单。") % {"n": added})
                    return redirect("analysis:campaign", pk=campaign.pk)
            status = 400
    elif request.method == "POST":
        raise PermissionDenied
    progress = campaign_progress(campaign)
    chart = line_chart(
        labels=[w.week.short_label() for w in progress],
        series=[
            Series(_("范围内新增工单"), [w.in_scope for w in progress]),
            Series(_("关联工单办结"), [w.linked_closed for w in progress]),
        ],
        title=_("整治进展（按周）"),
        y_max=max([w.in_scope for w in progress] + [w.linked_closed for w in progress] + [4]),
        percent=False,
    )
    orders = campaign.orders.select_related("topic", "unit").order_by("-received_at")
    page = Paginator(orders, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "analysis/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": progress,
            "chart": chart,
            "summary": campaign_summary(campaign),
            "page": page,
            "link_form": link_form,
            "today": local_date(),
            "nav": "campaigns",
        },
        status=status,
    )


# --- typical cases ---------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    _require(perms.reads_cases(request.user))
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = cases_list(
        topic_id=filters["topic"].pk if filters.get("topic") else None,
        unit_id=filters["unit"].pk if filters.get("unit") else None,
        kind=filters.get("kind") or "",
    )
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "analysis/case_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_mark": perms.manages_analysis(request.user),
            "nav": "cases",
        },
    )


def _save_case(request: HttpRequest, form: CaseForm) -> TypicalCase | None:
    d = form.cleaned_data
    try:
        order = find_order(d["order"])
        return case_mark(
            order=order, kind=d["kind"], title=d["title"], commentary=d["commentary"], acting_user=request.user
        )
    except WorkflowError as error:
        apply_errors(form, error)
        return None


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    _require(perms.manages_analysis(request.user))
    if request.method == "POST":
        form = CaseForm(request.POST)
        if form.is_valid() and _save_case(request, form) is not None:
            messages.success(request, _("典型案例已保存。"))
            return redirect("analysis:cases")
    else:
        number = request.GET.get("order", "")[:20]
        existing = TypicalCase.objects.filter(order__number=number).first() if number else None
        if existing is not None:
            return redirect("analysis:case_edit", pk=existing.pk)
        form = CaseForm(initial={"order": number})
    return render(
        request,
        "analysis/case_form.html",
        {"form": form, "nav": "cases"},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(perms.manages_analysis(request.user))
    case = get_object_or_404(TypicalCase.objects.select_related("order"), pk=pk)
    initial = {"order": case.order.number, "kind": case.kind, "title": case.title, "commentary": case.commentary}
    form = CaseForm(request.POST if request.method == "POST" else None, initial=initial)
    # The case stays on its order; mark another order as a new case instead.
    form.fields["order"].disabled = True
    if form.is_bound and form.is_valid() and _save_case(request, form) is not None:
        messages.success(request, _("典型案例已保存。"))
        return redirect("analysis:cases")
    return render(
        request,
        "analysis/case_form.html",
        {"form": form, "case": case, "nav": "cases"},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def case_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require(perms.manages_analysis(request.user))
    case = TypicalCase.objects.filter(pk=pk).first()
    if case is None:
        raise Http404
    case_unmark(case=case, acting_user=request.user)
    messages.success(request, _("已取消典型案例。"))
    return redirect("analysis:cases")
