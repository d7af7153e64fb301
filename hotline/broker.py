"""kombu's filesystem transport (the broker of `make run`), with every message written atomically.

kombu writes a message straight into the folder the worker reads, and the worker moves away and
reads any `*.msg` file it lists there. A file listed between its creation and its first byte
reads empty, and the worker dies on `JSONDecodeError: Expecting value` (celery/kombu#1551). It
happened on a loaded machine when beat's start-up sweep landed as the worker first polled. Here a
message is written under a name the reader skips and renamed into place, which is atomic within
one file system.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps

MAX_WAIT = 0.5  # seconds


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put `payload` onto `queue`: the name and content kombu's `_put` gives it, written whole."""
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # The reader takes only names whose part after the first dot is "<queue>.msg".
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as f:
                f.write(dumps(payload).encode())
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel

    def drain_events(self, connection, timeout=None):
        """Wait at most half a second for a message. The worker's loop for polling transports
        waits 2 s a call, and once more after a shutdown request, before it looks at that
        request: one Ctrl-C took four seconds to reach the pool."""
        if timeout is not None:
            timeout = min(timeout, MAX_WAIT)
        return super().drain_events(connection, timeout=timeout)
