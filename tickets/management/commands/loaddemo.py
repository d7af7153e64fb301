import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.demo import SupervisionHistory
from tickets.demo import DEMO_LOGINS, DEMO_PASSWORD, database_in_use, demo_loaded, load_demo

MSG_NEEDS_DEBUG = _(
    "演示数据只在 DEBUG=1 时加载：它的登录密码是公开的。"
    "确要在 DEBUG=0 下为演示机加载，请加 --i-know（只接受空数据库）。"
    "正式部署请用 createsuperuser 创建管理员。"
)
MSG_DATABASE_IN_USE = _("数据库中已有人员、单位或工单，拒绝在 DEBUG=0 下加载演示数据（公开的演示密码会进入正式系统）。")

# Enough finished orders for a demo suggestion model (a bureau's minimum is HOTLINE_SUGGEST_MIN_ORDERS).
DEMO_SUGGEST_MIN_ORDERS = 50
# The demo's eight weeks of orders; supervision went live for the last two of them.
SUPERVISION_LIVE_DAYS = 14


class Command(BaseCommand):
    help = "Build a demo county bureau: units, one user per role, routing rules and ~200 orders."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if units already exist.")
        parser.add_argument("--orders", type=int, default=200, help="How many orders (default 200).")
        parser.add_argument("--print-logins", action="store_true", help="Only print the demo logins.")
        parser.add_argument(
            "--i-know",
            action="store_true",
            help="Load with DEBUG=0 too (a demo machine), into an empty database only: "
            "every demo login's password is published.",
        )

    def handle(self, *args, **options):
        if options["print_logins"]:
            self.print_logins()
            return
        # The demo logins, the administrator `admin` among them, share a password printed in the
        # README: never in a production system by accident.
        if not settings.DEBUG and not options["i_know"]:
            raise CommandError(MSG_NEEDS_DEBUG)
        if options["if_empty"] and demo_loaded():
            self.stdout.write("Demo data already loaded; leaving it as it is.")
            return
        if not settings.DEBUG and database_in_use():
            raise CommandError(MSG_DATABASE_IN_USE)
        # The command puts the whole demo together: the supervision rules run along the orders'
        # history (tickets.demo itself knows nothing of supervision).
        now = timezone.now()
        history = SupervisionHistory(since=now - dt.timedelta(days=SUPERVISION_LIVE_DAYS))
        load_demo(order_count=options["orders"], now=now, history=history)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.train_suggestions()
        self.print_logins()

    def train_suggestions(self):
        """The demo has fewer finished orders than a bureau's minimum: train on what there is, so
        the intake panel shows the model's guesses (looked up lazily: tickets does not need it)."""
        try:
            from suggest.services import model_train
        except ImportError:
            return
        model = model_train(min_orders_override=DEMO_SUGGEST_MIN_ORDERS)
        if model is not None:
            self.stdout.write(
                f"  Suggestion model v{model.version}: {model.training_size} orders, "
                f"topic accuracy {model.accuracy:.0%} (held out)"
            )

    def print_logins(self):
        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _role, _unit, description in DEMO_LOGINS:
            self.stdout.write(f"    {username:<12} {description}")
