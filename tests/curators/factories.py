import datetime

import factory
from django.utils import timezone

from curators.models import PartnerPair, Recommendation, Visit, VisitKind
from tests.factories import OrderFactory


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    kind = VisitKind.CONSULTATION
    date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=20))
    findings = "Выводы"


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    visit = factory.SubFactory(VisitFactory)
    text = factory.Sequence(lambda n: f"Рекомендация {n}")
    owner_text = "Заместитель директора"
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))


class PartnerPairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerPair

    year = 2022
    order = factory.LazyAttribute(lambda o: OrderFactory(municipality=o.school.municipality))
