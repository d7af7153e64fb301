import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
application = get_wsgi_application()

# Load jieba's dictionary (about a second) when a worker starts, not in the first request that
# registers an order or searches for words.
from tickets.textindex import warm_up  # noqa: E402

warm_up()
