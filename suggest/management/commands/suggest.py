"""`manage.py suggest train` stores a new model version; `manage.py suggest evaluate` only measures."""

from django.core.management.base import BaseCommand

from suggest import services


class Command(BaseCommand):
    help = "Train or evaluate the dispatch-suggestion model (智能分派建议)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["train", "evaluate"])
        parser.add_argument("--min-orders", type=int, default=None, help="Override HOTLINE_SUGGEST_MIN_ORDERS.")

    def handle(self, *args, action, min_orders=None, **options):
        if action == "train":
            model = services.model_train(min_orders_override=min_orders)
            if model is None:
                self.stdout.write(f"Too few finished orders (need {min_orders or services.min_orders()}); no model.")
                return
            self.stdout.write(
                f"Model v{model.version}: {model.training_size} orders, topic accuracy {model.accuracy:.1%}, "
                f"top-3 {model.top3_accuracy:.1%}"
            )
            return
        evaluation = services.model_evaluate(minimum=min_orders)
        if evaluation is None:
            self.stdout.write("Too few finished orders to evaluate.")
            return
        self.stdout.write(
            f"Trained on {evaluation.training_size}, held out {evaluation.held_out} (stratified by topic)"
        )
        for target, m in evaluation.metrics.items():
            self.stdout.write(
                f"  {target:14} accuracy {m['accuracy']:.1%}  top-3 {m['top3_accuracy']:.1%}  classes {m['classes']}"
            )
        self.stdout.write("Per topic (held out): correct / total, most frequent confusions")
        for topic, predicted in sorted(evaluation.confusion.items(), key=lambda kv: str(kv[0])):
            total = sum(predicted.values())
            right = predicted.get(topic, 0)
            wrong = ", ".join(f"{p}×{n}" for p, n in predicted.most_common() if p != topic)[:120]
            self.stdout.write(f"  {topic}: {right}/{total}" + (f"  → {wrong}" if wrong else ""))
