"""Training and asking the dispatch-suggestion model (issue #16).

One TF-IDF vectorizer over jieba words feeds one linear classifier per target (topic, handling type,
unit). Training reads finished orders only (approved, called back or closed: their topic, type and
unit were confirmed by the loop). Below HOTLINE_SUGGEST_MIN_ORDERS there is no model and
`suggest_for` answers nothing: a cold start is not an error.
"""

from __future__ import annotations

import io
import logging
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import jieba
import joblib
import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from stations.models import Unit
from tickets.models import HandlingType, Status, Topic, WorkOrder

from .models import SuggestionFeedback, SuggestionModel, Target

jieba.setLogLevel(logging.WARNING)

TRAINING_STATUSES = (Status.APPROVED, Status.CALLBACK_DONE, Status.CLOSED)
TARGETS = (Target.TOPIC, Target.HANDLING_TYPE, Target.UNIT)
TOP_K = 3
HELD_OUT = 0.2


def tokenize(text: str) -> list[str]:
    """jieba words without blanks and punctuation (module level: the pickled pipeline refers to it)."""
    return [w for w in jieba.lcut(text or "") if w.strip() and (len(w) > 1 or w.isalnum())]


@dataclass(frozen=True)
class Guess:
    value: str  # topic pk, handling type code or unit pk, as a string
    label: str
    confidence: float

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


@dataclass
class Suggestions:
    version: int | None = None
    by_target: dict[str, list[Guess]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(self.by_target.values())

    def __getitem__(self, target: str) -> list[Guess]:
        if target not in Target.values:
            raise KeyError(target)  # so that templates fall back to attributes (`guesses.version`)
        return self.by_target.get(str(target), [])


@dataclass
class Evaluation:
    training_size: int
    held_out: int
    metrics: dict  # target -> {"accuracy", "top3_accuracy", "classes"}
    confusion: dict  # true topic label -> Counter of predicted topic labels

    @property
    def accuracy(self) -> float:
        return self.metrics[Target.TOPIC]["accuracy"]

    @property
    def top3_accuracy(self) -> float:
        return self.metrics[Target.TOPIC]["top3_accuracy"]


def _training_rows() -> tuple[list[str], dict[str, list[str]]]:
    rows = (
        WorkOrder.objects.filter(status__in=TRAINING_STATUSES, unit__isnull=False)
        .exclude(content="")
        .values_list("content", "topic_id", "handling_type", "unit_id")
        # The newest ones: today's wording and units, and a bounded training time at a million orders.
        .order_by("-pk")[: getattr(settings, "HOTLINE_SUGGEST_MAX_ORDERS", 50000)]
    )
    texts, labels = [], {t: [] for t in TARGETS}
    for content, topic_id, handling_type, unit_id in rows:
        texts.append(content)
        labels[Target.TOPIC].append(str(topic_id))
        labels[Target.HANDLING_TYPE].append(str(handling_type))
        labels[Target.UNIT].append(str(unit_id))
    return texts, labels


def _fit(texts: list[str], labels: dict[str, list[str]]) -> dict:
    vectorizer = TfidfVectorizer(
        tokenizer=tokenize, token_pattern=None, lowercase=False, ngram_range=(1, 2), sublinear_tf=True
    )
    features = vectorizer.fit_transform(texts)
    classifiers = {}
    for target, y in labels.items():
        # One class only (every order so far the same handling type): answer it, with certainty.
        clf = (
            DummyClassifier(strategy="most_frequent") if len(set(y)) < 2 else LogisticRegression(max_iter=1000, C=10.0)
        )
        classifiers[str(target)] = clf.fit(features, y)
    return {"vectorizer": vectorizer, "classifiers": classifiers}


def _top(pipeline: dict, target: str, features) -> tuple[np.ndarray, np.ndarray]:
    clf = pipeline["classifiers"][target]
    proba = clf.predict_proba(features)
    order = np.argsort(-proba, axis=1)[:, :TOP_K]
    return clf.classes_[order], np.take_along_axis(proba, order, axis=1)


def _split(texts, labels):
    """A stratified 80/20 split on the topic; falls back to a plain split when a topic is too rare."""
    index = list(range(len(texts)))
    try:
        return train_test_split(index, test_size=HELD_OUT, random_state=0, stratify=labels[Target.TOPIC])
    except ValueError:
        return train_test_split(index, test_size=HELD_OUT, random_state=0)


def model_evaluate(texts=None, labels=None, *, minimum: int | None = None) -> Evaluation | None:
    """Fit on 80% of the finished orders and measure on the other 20%; None below the minimum."""
    if texts is None:
        texts, labels = _training_rows()
    if len(texts) < max(min_orders() if minimum is None else minimum, 10):
        return None
    train_ix, test_ix = _split(texts, labels)
    pipeline = _fit([texts[i] for i in train_ix], {t: [y[i] for i in train_ix] for t, y in labels.items()})
    features = pipeline["vectorizer"].transform([texts[i] for i in test_ix])
    metrics, confusion = {}, defaultdict(Counter)
    for target, y in labels.items():
        truth = np.array([y[i] for i in test_ix])
        top, _conf = _top(pipeline, str(target), features)
        metrics[str(target)] = {
            "accuracy": round(float(np.mean(top[:, 0] == truth)), 4),
            "top3_accuracy": round(float(np.mean([t in row for t, row in zip(truth, top, strict=True)])), 4),
            "classes": len(set(y)),
        }
        if target == Target.TOPIC:
            names = dict(Topic.objects.values_list("pk", "name"))
            for t, p in zip(truth, top[:, 0], strict=True):
                confusion[names.get(int(t), t)][names.get(int(p), p)] += 1
    return Evaluation(len(train_ix), len(test_ix), metrics, dict(confusion))


def min_orders() -> int:
    return getattr(settings, "HOTLINE_SUGGEST_MIN_ORDERS", 200)


def model_train(*, min_orders_override: int | None = None) -> SuggestionModel | None:
    """Measure on a held-out split, then fit on every finished order and store a new version.

    Returns None (and stores nothing) while there are fewer finished orders than the minimum.
    """
    texts, labels = _training_rows()
    needed = min_orders() if min_orders_override is None else min_orders_override
    if len(texts) < max(needed, 10):
        return None
    evaluation = model_evaluate(texts, labels, minimum=needed)
    pipeline = _fit(texts, labels)
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    with transaction.atomic():
        version = (SuggestionModel.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
        return SuggestionModel.objects.create(
            version=version,
            trained_at=timezone.now(),
            training_size=len(texts),
            accuracy=evaluation.accuracy,
            top3_accuracy=evaluation.top3_accuracy,
            metrics={**evaluation.metrics, "held_out": evaluation.held_out},
            pipeline=buffer.getvalue(),
        )


def train(min_orders: int | None = None) -> SuggestionModel | None:
    """The name the issue uses; see `model_train`."""
    return model_train(min_orders_override=min_orders)


_loaded: dict = {}
_lock = threading.Lock()


def _current_pipeline() -> tuple[int, dict] | None:
    """The newest stored model, loaded once per version and process."""
    newest = SuggestionModel.objects.order_by("-version").values_list("pk", "version", "trained_at").first()
    if newest is None:
        return None
    pk, version, trained_at = newest
    with _lock:
        # Keyed by the training time too: a restored or rebuilt database may reuse a version number.
        if _loaded.get("key") != (version, trained_at):
            blob = SuggestionModel.objects.values_list("pipeline", flat=True).get(pk=pk)
            _loaded.update(key=(version, trained_at), version=version, pipeline=joblib.load(io.BytesIO(bytes(blob))))
        return _loaded["version"], _loaded["pipeline"]


def suggest_for(content: str) -> Suggestions:
    """Top three guesses with confidence per target; empty without a model or without text."""
    content = (content or "").strip()
    current = _current_pipeline() if content else None
    if current is None:
        return Suggestions()
    version, pipeline = current
    features = pipeline["vectorizer"].transform([content])
    if features.nnz == 0:  # no known word: any answer would be the class prior, not advice
        return Suggestions(version=version)
    result = Suggestions(version=version)
    topics = dict(Topic.objects.filter(is_active=True).values_list("pk", "name"))
    units = dict(Unit.objects.filter(is_active=True).values_list("pk", "name"))
    handling = dict(HandlingType.choices)
    names = {Target.TOPIC: topics, Target.UNIT: units, Target.HANDLING_TYPE: handling}
    for target in TARGETS:
        top, conf = _top(pipeline, str(target), features)
        guesses = []
        for value, confidence in zip(top[0], conf[0], strict=True):
            key = int(value) if target != Target.HANDLING_TYPE else value
            if key in names[target] and confidence > 0:  # a topic or unit retired since training is not offered
                guesses.append(Guess(str(value), str(names[target][key]), round(float(confidence), 3)))
        result.by_target[str(target)] = guesses
    return result


def suggest_beside_rules(*, content: str, rule_unit_ids) -> Suggestions:
    """The model's guesses as the intake panel and the API show them next to the routing rules.

    Rules win: when a routing rule names a unit, the model's unit guesses are left out altogether
    (the dispatcher sees the rule's unit, and may still choose any other). Topic and handling type
    have no rules, so the model's guesses for them are always shown.
    """
    suggestions = suggest_for(content)
    if rule_unit_ids and suggestions.by_target.get(Target.UNIT):
        suggestions.by_target[str(Target.UNIT)] = []
    return suggestions


def feedback_for_event(event_id: int) -> list[SuggestionFeedback]:
    """After intake (topic, handling type) and the first dispatch (unit) by a dispatcher: was the
    model's first guess for the order's content what the dispatcher chose? Quiet without a model."""
    from tickets.models import OrderEvent

    event = OrderEvent.objects.select_related("order", "actor").filter(pk=event_id).first()
    if event is None or event.action not in ("intake", "dispatch") or event.actor_id is None:
        return []
    order = event.order
    suggestions = suggest_for(order.content)
    if not suggestions:
        return []
    if event.action == "intake":
        chosen = {Target.TOPIC: order.topic_id, Target.HANDLING_TYPE: order.handling_type}
        if order.unit_id:  # intake with 立即转办 dispatches at once
            chosen[Target.UNIT] = order.unit_id
    else:
        chosen = {Target.UNIT: order.unit_id}
    recorded = []
    for target, value in chosen.items():
        guesses = suggestions[target]
        if guesses and value is not None:
            recorded.append(
                feedback_record(
                    order=order,
                    target=target,
                    suggested=guesses[0].value,
                    chosen=str(value),
                    version=suggestions.version,
                    acting_user=event.actor,
                )
            )
    return recorded


def feedback_record(*, order, target: str, suggested: str, chosen: str, version: int | None, acting_user=None):
    """Remember whether the dispatcher took the model's first guess (once per order and target)."""
    model = SuggestionModel.objects.filter(version=version).first() if version else None
    feedback, _created = SuggestionFeedback.objects.get_or_create(
        order=order,
        target=target,
        defaults={
            "model": model,
            "suggested": str(suggested),
            "chosen": str(chosen),
            "accepted": str(suggested) == str(chosen),
            "acting_user": acting_user,
        },
    )
    return feedback
