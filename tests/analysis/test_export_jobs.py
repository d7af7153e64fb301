"""Bulletin files rendered by a worker: one render for everyone asking, progress, a stored file,
re-rendered when what it shows changes, and an hourly allowance per person."""

from unittest import mock

import pytest
from django.urls import reverse

from analysis.bulletins import bulletin_generate, commitment_record
from analysis.exports import ExportThrottled, export_ready, export_render, export_request
from analysis.models import ExportJob, ExportStatus
from stations.models import Role
from tests.analysis.conftest import GENERATED_AT, WEEK_END, WEEK_START, at, local
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def bulletin(week, manager):
    with at(GENERATED_AT):
        return bulletin_generate(start=WEEK_START, end=WEEK_END, acting_user=manager)


@pytest.fixture
def queued():
    """The jobs handed to the broker (the render itself is run by the test)."""
    with mock.patch("analysis.exports._enqueue") as enqueue:
        yield enqueue


def _sent(queued) -> list[int]:
    return [call.args[0] for call in queued.call_args_list]


def test_four_people_asking_at_once_queue_one_render(
    manager, head_a, dispatcher, bulletin, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        jobs = [
            export_request(bulletin=bulletin, fmt="pdf", acting_user=u) for u in (manager, head_a, dispatcher, head_a)
        ]
    assert len({job.pk for job in jobs}) == 1
    assert _sent(queued) == [jobs[0].pk]
    assert ExportJob.objects.count() == 1


def test_render_stores_the_file_and_a_second_task_renders_nothing(manager, bulletin, queued):
    job = export_request(bulletin=bulletin, fmt="pdf", acting_user=manager)
    done = export_render(job_id=job.pk)
    assert done.status == ExportStatus.DONE and done.progress == 100
    assert done.file.read(4) == b"%PDF"
    assert export_render(job_id=job.pk) is None  # the doubled task finds it claimed
    assert export_ready(bulletin, "pdf").pk == job.pk
    # Asking again serves the stored file: no new render.
    assert export_request(bulletin=bulletin, fmt="pdf", acting_user=manager).status == ExportStatus.DONE


def test_a_commitment_recorded_later_makes_the_pdf_render_again(manager, bulletin, station_a, queued, week):
    job = export_request(bulletin=bulletin, fmt="pdf", acting_user=manager)
    export_render(job_id=job.pk)
    with at(local(24, 9)):
        commitment_record(
            bulletin=bulletin, unit=station_a, measures="加强巡逻。", due_on=local(30, 9).date(), acting_user=manager
        )
    assert export_ready(bulletin, "pdf") is None
    again = export_request(bulletin=bulletin, fmt="pdf", acting_user=manager)
    assert again.pk == job.pk and again.status == ExportStatus.PENDING
    # The workbook shows no commitments: it stays as it was.


def test_a_failed_render_is_marked_and_can_be_asked_again(manager, bulletin, queued):
    job = export_request(bulletin=bulletin, fmt="pdf", acting_user=manager)
    with mock.patch("analysis.exports._render_pdf", side_effect=RuntimeError("no fonts")), pytest.raises(RuntimeError):
        export_render(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "no fonts" in job.error
    assert export_request(bulletin=bulletin, fmt="pdf", acting_user=manager).status == ExportStatus.PENDING


def test_renders_per_person_are_limited_per_hour(settings, manager, week, queued):
    settings.HOTLINE_EXPORT_RENDERS_PER_HOUR = 2
    bulletins = []
    with at(GENERATED_AT):
        for _ in range(3):
            bulletins.append(bulletin_generate(start=WEEK_START, end=WEEK_END, acting_user=manager))
    with at(local(23, 9)):
        export_request(bulletin=bulletins[0], fmt="pdf", acting_user=manager)
        export_request(bulletin=bulletins[1], fmt="pdf", acting_user=manager)
        # The same file again is not a new render.
        export_request(bulletin=bulletins[1], fmt="pdf", acting_user=manager)
        with pytest.raises(ExportThrottled):
            export_request(bulletin=bulletins[2], fmt="pdf", acting_user=manager)
        other = UserFactory(username="other-supervisor", unit=manager.unit, role=Role.SUPERVISOR)
        export_request(bulletin=bulletins[2], fmt="pdf", acting_user=other)
    with at(local(23, 10, 30)):
        export_request(bulletin=bulletins[2], fmt="xlsx", acting_user=manager)


def test_page_polls_while_rendering_then_links_to_the_file(client, manager, bulletin, queued):
    client.force_login(manager)
    url = reverse("analysis:bulletin_export", kwargs={"pk": bulletin.pk, "fmt": "pdf"})
    page = client.get(reverse("analysis:bulletin", kwargs={"pk": bulletin.pk})).content.decode()
    assert f'hx-post="{url}"' in page
    panel = client.post(url, HTTP_HX_REQUEST="true")
    assert panel.status_code == 200
    assert f'hx-get="{url}"' in panel.content.decode() and "<progress" in panel.content.decode()
    job = ExportJob.objects.get(bulletin=bulletin, format="pdf")
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=40)
    assert 'value="40"' in client.get(url, HTTP_HX_REQUEST="true").content.decode()
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.PENDING)
    export_render(job_id=job.pk)
    panel = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in panel
    assert reverse("analysis:bulletin_pdf", kwargs={"pk": bulletin.pk}) in panel


def test_throttled_download_is_429(client, settings, manager, bulletin, queued):
    settings.HOTLINE_EXPORT_RENDERS_PER_HOUR = 0
    client.force_login(manager)
    response = client.get(reverse("analysis:bulletin_pdf", kwargs={"pk": bulletin.pk}))
    assert response.status_code == 429


def test_a_large_workbook_is_rendered_by_the_worker(client, settings, manager, bulletin, queued):
    settings.HOTLINE_EXPORT_INLINE_ROWS = 1
    client.force_login(manager)
    url = reverse("analysis:bulletin_xlsx", kwargs={"pk": bulletin.pk})
    assert client.get(url).status_code == 202
    export_render(job_id=ExportJob.objects.get(bulletin=bulletin, format="xlsx").pk)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert "attachment" in response["Content-Disposition"]


def test_unknown_format_is_404(client, manager, bulletin):
    client.force_login(manager)
    assert client.get(reverse("analysis:bulletin_export", kwargs={"pk": bulletin.pk, "fmt": "doc"})).status_code == 404
