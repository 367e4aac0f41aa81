from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.rest import FILE_RENDERERS
from reports import services
from reports.api.serializers import GeneratedReportSerializer, ReportRequestSerializer
from reports.documents import BUILDERS
from reports.filters import GeneratedReportFilterSet
from reports.forms import DOCX_KINDS
from reports.models import GeneratedReport, ReportFormat
from reports.views import CONTENT_TYPES, report_file_response


class GeneratedReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's documents.  POST asks for a new one: short documents come back ready
    (status «done» with a download_url), long ones «queued» — poll the detail until done."""

    serializer_class = GeneratedReportSerializer
    read_only_tokens_may_post = True
    filterset_class = GeneratedReportFilterSet
    ordering_fields = ["created", "year"]

    def get_queryset(self):
        return GeneratedReport.objects.restrict(self.request.user).order_by("-created")

    @extend_schema(request=ReportRequestSerializer, responses={201: GeneratedReportSerializer})
    def create(self, request):
        data = ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind, fmt = data.validated_data["kind"], data.validated_data["fmt"]
        if kind not in BUILDERS or (fmt == ReportFormat.DOCX and kind not in DOCX_KINDS):
            return Response({"detail": "This document is not available in this format.", "code": "invalid"}, status=400)
        subject = get_object_or_404(services.report_subjects(request.user, kind), pk=data.validated_data["subject"])
        # A document that could not be signed as made: 400 «refused» (core.errors.Refused).
        report = services.report_request(
            actor=request.user, kind=kind, subject=subject, year=data.validated_data["year"], fmt=fmt
        )
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, CONTENT_TYPES["docx"]): OpenApiTypes.BINARY,
        }
    )
    @action(detail=True, methods=["get"], url_path="download", url_name="download", renderer_classes=FILE_RENDERERS)
    def download(self, request, pk=None):
        return report_file_response(self.get_object())
