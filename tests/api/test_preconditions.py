"""ETag / If-Match: a write on an outdated copy answers 412 and changes nothing."""

import pytest

from tickets import services
from tickets.models import OrderEvent, WorkOrder

pytestmark = pytest.mark.django_db


def contact(client, order, **headers):
    return client.post(
        f"/api/v1/orders/{order.pk}/contact/", {"method": "phone", "note": "已联系"}, format="json", headers=headers
    )


def test_write_with_the_current_etag_succeeds_and_returns_the_next_one(api, officer_a, order_in):
    order = order_in("dispatched")
    etag = api(officer_a).get(f"/api/v1/orders/{order.pk}/")["ETag"]
    response = contact(api(officer_a), order, **{"If-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] == f'"{order.version + 1}"'


def test_write_with_an_outdated_etag_is_412_and_changes_nothing(api, officer_a, head_a, order_in):
    order = order_in("dispatched")
    etag = api(officer_a).get(f"/api/v1/orders/{order.pk}/")["ETag"]
    services.order_assign(order=order, acting_user=head_a, officer=officer_a)  # someone else acts first
    events = OrderEvent.objects.filter(order=order).count()

    response = contact(api(officer_a), order, **{"If-Match": etag})

    assert response.status_code == 412
    assert response.json()["code"] == "stale_version"
    assert WorkOrder.objects.get(pk=order.pk).status == "dispatched"
    assert OrderEvent.objects.filter(order=order).count() == events


def test_412_comes_before_409(api, officer_a, order_in):
    order = order_in("dispatched")
    etag = f'"{order.version}"'
    services.order_contact(order=order, acting_user=officer_a, method="phone", note="已联系")
    assert contact(api(officer_a), order, **{"If-Match": etag}).status_code == 412


def test_if_match_star_matches_any_version(api, officer_a, order_in):
    order = order_in("dispatched")
    assert contact(api(officer_a), order, **{"If-Match": "*"}).status_code == 200


def test_weak_etag_never_matches(api, officer_a, order_in):
    order = order_in("dispatched")
    assert contact(api(officer_a), order, **{"If-Match": f'W/"{order.version}"'}).status_code == 412


def test_garbage_if_match_is_412(api, officer_a, order_in):
    order = order_in("dispatched")
    assert contact(api(officer_a), order, **{"If-Match": "not-an-etag"}).status_code == 412


def test_one_matching_tag_in_a_list_is_enough(api, officer_a, order_in):
    order = order_in("dispatched")
    response = contact(api(officer_a), order, **{"If-Match": f'"1", "{order.version}"'})
    assert response.status_code == 200


def test_write_without_if_match_is_unconditional(api, officer_a, order_in):
    order = order_in("dispatched")
    assert contact(api(officer_a), order).status_code == 200


def test_stale_error_names_the_current_version(api, officer_a, order_in, settings):
    order = order_in("dispatched")
    response = contact(api(officer_a, language="en"), order, **{"If-Match": '"1"'})
    assert str(order.version) in response.json()["detail"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writes_with_one_etag_at_the_same_moment_one_wins(officer_a, head_a, order_in):
    """Both clients read version N; both write with If-Match N at once: one 200, one 412."""
    import threading

    from django.db import connection
    from rest_framework.test import APIClient

    order = order_in("dispatched")
    etag = f'"{order.version}"'
    barrier = threading.Barrier(2)
    codes = []

    def write(user, action, body):
        client = APIClient()
        client.force_authenticate(user)
        barrier.wait()
        try:
            response = client.post(
                f"/api/v1/orders/{order.pk}/{action}/", body, format="json", headers={"If-Match": etag}
            )
            codes.append(response.status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=write, args=(officer_a, "contact", {"method": "phone", "note": "已联系"})),
        threading.Thread(target=write, args=(head_a, "assign", {"officer": officer_a.pk})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(codes) == [200, 412]
    assert WorkOrder.objects.get(pk=order.pk).version == order.version + 1
