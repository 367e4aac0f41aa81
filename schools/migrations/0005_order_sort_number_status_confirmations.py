"""Orders sort by number as numbers («48» before «431»): ``Order.sort_number``, kept by save()
and filled here; a yearly list's order grounds the statuses it kept on
(``SchoolStatus.confirmed_by``)."""

import re

from django.db import migrations, models


def sort_key(name: str) -> str:  # schools.models.sort_key as of this migration
    folded = name.casefold().replace("ё", "е")
    return re.sub(r"\d+", lambda m: m.group().zfill(8), folded)[:400]


def fill(apps, schema_editor):
    Order = apps.get_model("schools", "Order")
    orders = list(Order.objects.only("pk", "number"))
    for order in orders:
        order.sort_number = sort_key(order.number)[:200]
    Order.objects.bulk_update(orders, ["sort_number"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0004_school_sort_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="order",
            options={"ordering": ["-date", "sort_number"], "verbose_name": "order", "verbose_name_plural": "orders"},
        ),
        migrations.AddField(
            model_name="order",
            name="sort_number",
            field=models.CharField(default="", editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="schoolstatus",
            name="confirmed_by",
            field=models.ManyToManyField(
                blank=True, related_name="confirmed_statuses", to="schools.order", verbose_name="confirmed by orders"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
