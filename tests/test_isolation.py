"""The suite keeps its Celery messages to itself: none reach the Redis named by REDIS_URL."""

from hotline.celery import app as celery_app


def test_tests_publish_tasks_to_an_in_memory_broker():
    with celery_app.connection_for_write() as connection:
        assert connection.transport.driver_type == "memory"


def test_a_task_sent_during_a_test_waits_in_this_process():
    celery_app.send_task("supervision.process_order_event", args=[0])
    with (
        celery_app.connection_for_write() as connection,
        connection.SimpleQueue(celery_app.conf.task_default_queue) as queue,
    ):
        message = queue.get(timeout=1)
        assert message.headers["task"] == "supervision.process_order_event"
        assert queue.qsize() == 0  # only this test's: the broker is emptied after every test
        message.ack()
