"""factory-boy factories for the foundation models; each app's tests add theirs in
tests/<app>/factories.py."""

import factory

from accounts.models import Role, User
from schools.models import Municipality, Order, Region, School


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Область {n}")
    code = factory.Sequence(lambda n: f"{10 + n % 80}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Городской округ {n}")
    education_body = factory.LazyAttribute(lambda o: f"Управление образования ({o.name})")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"T{n:06d}")
    short_name = factory.Sequence(lambda n: f"СШ № {n}")
    name = factory.LazyAttribute(lambda o: f"Муниципальное автономное общеобразовательное учреждение «{o.short_name}»")


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    municipality = factory.SubFactory(MunicipalityFactory)
    region = factory.LazyAttribute(lambda o: o.municipality.region)
    number = factory.Sequence(lambda n: str(100 + n))
    date = factory.Faker("date_between", start_date="-3y", end_date="today")
    issuer = "Управление образования"
    title = factory.Sequence(lambda n: f"Об утверждении перечня № {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Анна"
    last_name = factory.Sequence(lambda n: f"Иванова{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = Role.SCHOOL_ADMIN
    password = factory.PostGenerationMethodCall("set_password", "pass-Word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
