import factory

from schools.models import Programme, ProgrammeKind, SchoolStatus, StatusKind
from tests.factories import OrderFactory, SchoolFactory


class SchoolStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolStatus

    school = factory.SubFactory(SchoolFactory)
    kind = StatusKind.LOW_RESULTS
    year_from = 2022
    order = factory.LazyAttribute(lambda o: OrderFactory(municipality=o.school.municipality))


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    kind = ProgrammeKind.FEDERAL_500
    name = factory.Sequence(lambda n: f"Программа {n}")
    year = 2022
