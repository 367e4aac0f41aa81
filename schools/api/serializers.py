from rest_framework import serializers

from accounts.scoping import MANAGE, municipalities_for
from schools.models import Municipality, School


class MunicipalitySerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Municipality
        fields = ["id", "name", "region", "education_body", "methodical_centre"]


class SchoolSerializer(serializers.ModelSerializer):
    class Meta:
        model = School
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "municipality",
            "address",
            "is_rural",
            "director",
            "email",
            "phone",
            "students_count",
            "teachers_count",
            "is_active",
        ]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # Only municipalities the user may manage are valid targets.
            fields["municipality"].queryset = municipalities_for(request.user, MANAGE)
        return fields
