"""The filesystem broker of `make run` (hotline/broker.py)."""

import json

from kombu import Connection


def connection(tmp_path):
    return Connection(
        "filesystem://",
        transport="hotline.broker:Transport",
        transport_options={"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)},
    )


def test_a_message_lands_whole_under_its_final_name(tmp_path):
    with connection(tmp_path) as conn:
        conn.SimpleQueue("q").put({"n": 1})

    [message] = tmp_path.iterdir()
    assert message.name.endswith(".q.msg")
    assert json.loads(message.read_text())["body"]


def test_a_message_still_being_written_is_not_taken(tmp_path):
    (tmp_path / ".123_abc.q.msg.part").write_text("")  # created, not yet written
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("q")
        queue.put({"n": 2})
        assert queue.get(timeout=1).payload == {"n": 2}
        assert queue.qsize() == 0
