"""Which files a report sends along: those of the round it closes (attachments_for_report)."""

import pytest

from attachments.models import AttachedTo
from attachments.selectors import attachments_for_report
from attachments.services import attachment_upload
from tests.attachments import files
from tickets import services

pytestmark = pytest.mark.django_db


def work_and_report(order, cast):
    order = services.order_contact(order=order, acting_user=cast["officer_a"], method="phone", note="已电话联系")
    attachment_upload(order=order, file=files.upload(files.png_bytes(), "现场.png"), acting_user=cast["officer_a"])
    services.order_report(order=order, acting_user=cast["officer_a"], outcome="resolved", text="已处理")
    return order.reports.last()


def test_files_uploaded_before_dispatch_are_not_the_reports(loop, cast):
    order = loop.received()
    attachment_upload(order=order, file=files.upload(files.PDF, "来电材料.pdf"), acting_user=cast["dispatcher"])
    order = services.order_dispatch(order=order, unit=cast["officer_a"].unit, acting_user=cast["dispatcher"])
    report = work_and_report(order, cast)
    assert [a.original_name for a in attachments_for_report(report)] == ["现场.png"]


def test_a_file_the_desk_attaches_to_the_report_is_the_reports(loop, cast):
    report = work_and_report(loop.dispatched(), cast)
    attachment_upload(
        order=report.order,
        file=files.upload(files.PDF, "补充.pdf"),
        acting_user=cast["dispatcher"],
        kind=AttachedTo.REPORT,
        target_id=report.pk,
    )
    assert [a.original_name for a in attachments_for_report(report)] == ["现场.png", "补充.pdf"]
