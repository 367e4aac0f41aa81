"""factory-boy factories for the foundation models; each app's tests add theirs in
tests/<app>/factories.py."""

import factory

from accounts.models import Role, User
from schools.models import Municipality, Order, Region, School


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Область {n}")
    education_body = factory.LazyAttribute(lambda o: f"Министерство образования ({o.name})")

    @factory.post_generation
    def head(obj, create, extracted, **kwargs):
        """The head of the regional authority in office; ``head=False`` for none."""
        import datetime

        from schools.models import AuthorityHead

        if create and extracted is not False and not obj.heads.exists():
            AuthorityHead.objects.create(
                region=obj,
                position="Министр образования",
                last_name="Областная",
                first_name="Вера",
                patronymic="Ивановна",
                date_from=datetime.date(2000, 1, 1),
            )

    code = factory.Sequence(lambda n: f"{10 + n % 80}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        skip_postgeneration_save = True

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Городской округ {n}")
    education_body = factory.LazyAttribute(lambda o: f"Управление образования ({o.name})")
    place_of_issue = "г. Энск"

    @factory.post_generation
    def head(obj, create, extracted, **kwargs):
        """The head of the education authority in office (documents need one); ``head=False`` for none."""
        import datetime

        from schools.models import AuthorityHead

        if create and extracted is not False:
            AuthorityHead.objects.create(
                municipality=obj,
                position="Начальник Управления образования",
                last_name="Руководова",
                first_name="Ирина",
                patronymic="Петровна",
                date_from=datetime.date(2000, 1, 1),
            )


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
    phone = "8 (3439) 00-00-00"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = Role.SCHOOL_ADMIN
    password = factory.PostGenerationMethodCall("set_password", "pass-Word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
