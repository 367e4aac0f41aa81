from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.scoping import EDIT
from core.api import ScopedViewSet
from core.rest import FILE_RENDERERS
from roadmaps import selectors, services
from roadmaps.api.serializers import (
    ActivitySerializer,
    GoalSerializer,
    IndicatorSerializer,
    ProgressReportCreateSerializer,
    ProgressReportSerializer,
    ReasonSerializer,
    ReportSaveSerializer,
    RoadmapSerializer,
    SchoolDocumentSerializer,
    TaskSerializer,
)
from roadmaps.filters import (
    ActivityFilterSet,
    IndicatorFilterSet,
    ProgressReportFilterSet,
    RoadmapFilterSet,
    SchoolDocumentFilterSet,
)
from roadmaps.models import Activity, Goal, Indicator, ProgressReport, Roadmap, SchoolDocument, Task


def _reason(request) -> str:
    """The body's ``reason``: a body that is not an object (``null``, a list, a string) is a 400."""
    body = ReasonSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data["reason"]


class SchoolDocumentViewSet(ScopedViewSet):
    queryset = SchoolDocument.objects.select_related("school").order_by("-year", "id")
    serializer_class = SchoolDocumentSerializer
    filterset_class = SchoolDocumentFilterSet
    write_action = EDIT

    def _do(self, request, func, **kwargs):
        doc = self.get_object()
        return Response(SchoolDocumentSerializer(func(user=request.user, doc=doc, **kwargs)).data)

    @extend_schema(request=None, responses=SchoolDocumentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._do(request, services.document_submit)

    @extend_schema(request=ReasonSerializer, responses=SchoolDocumentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._do(request, services.document_approve, comment=_reason(request))

    @extend_schema(request=ReasonSerializer, responses=SchoolDocumentSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._do(request, services.document_return, comment=_reason(request))

    def check_object_permissions(self, request, obj):
        # Transitions check their role rules in the services (a curator may review).
        if self.action in ("approve", "return_"):
            return
        super().check_object_permissions(request, obj)


class RoadmapViewSet(ScopedViewSet):
    queryset = Roadmap.objects.select_related("school", "owner_municipality").order_by("-year", "id")
    serializer_class = RoadmapSerializer
    filterset_class = RoadmapFilterSet
    write_action = EDIT

    def check_object_permissions(self, request, obj):
        if self.action in ("approve", "return_"):
            return
        super().check_object_permissions(request, obj)

    @extend_schema(
        responses=inline_serializer(
            "RoadmapQualityProblem",
            {"activity": serializers.IntegerField(allow_null=True), "message": serializers.CharField()},
            many=True,
        )
    )
    @action(detail=True, methods=["get"])
    def quality(self, request, pk=None):
        problems = selectors.roadmap_quality_problems(self.get_object())
        return Response([{"activity": p.activity_id, "message": p.message} for p in problems])

    @extend_schema(request=None, responses=RoadmapSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return Response(RoadmapSerializer(services.roadmap_submit(user=request.user, roadmap=self.get_object())).data)

    @extend_schema(request=None, responses=RoadmapSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return Response(RoadmapSerializer(services.roadmap_approve(user=request.user, roadmap=self.get_object())).data)

    @extend_schema(request=None, responses=RoadmapSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return Response(RoadmapSerializer(services.roadmap_return(user=request.user, roadmap=self.get_object())).data)


class GoalViewSet(ScopedViewSet):
    queryset = Goal.objects.order_by("roadmap", "position", "id")
    serializer_class = GoalSerializer
    write_action = EDIT
    filterset_fields = ["roadmap"]


class TaskViewSet(ScopedViewSet):
    queryset = Task.objects.order_by("goal", "position", "id")
    serializer_class = TaskSerializer
    write_action = EDIT
    filterset_fields = ["goal"]


class ActivityViewSet(ScopedViewSet):
    queryset = (
        Activity.objects.select_related("task__goal")
        .prefetch_related(Prefetch("indicators"))
        .order_by("task__goal__roadmap", "task__goal__position", "task__position", "position", "id")
    )
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    write_action = EDIT


class IndicatorViewSet(ScopedViewSet):
    queryset = Indicator.objects.order_by("activity", "id")
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilterSet
    write_action = EDIT


class ProgressReportViewSet(ScopedViewSet):
    """Reports are created through the service (entries for the period's activities);
    their states change only through the transition actions."""

    queryset = ProgressReport.objects.select_related("roadmap").order_by("-period_start", "id")
    serializer_class = ProgressReportSerializer
    filterset_class = ProgressReportFilterSet
    write_action = EDIT
    http_method_names = ["get", "post", "head", "options"]

    def check_object_permissions(self, request, obj):
        # Role rules of each transition are checked in the services.
        if request.method == "POST":
            return
        super().check_object_permissions(request, obj)

    @extend_schema(request=ProgressReportCreateSerializer, responses=ProgressReportSerializer)
    def create(self, request, *args, **kwargs):
        data = ProgressReportCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        report = services.progress_report_create(
            user=request.user, roadmap=data.validated_data["roadmap"], period_start=data.validated_data["period_start"]
        )
        return Response(ProgressReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def document(self, request, pk=None):
        """The report as plan and actuals (the frozen snapshot once approved)."""
        return Response(selectors.report_document(self.get_object()))

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], renderer_classes=FILE_RENDERERS)
    def pdf(self, request, pk=None):
        """The report as an official PDF (the approved snapshot; a draft before approval)."""
        from reports.pdf import pdf_response
        from roadmaps.documents import progress_report_pdf

        pdf, filename = progress_report_pdf(self.get_object())
        return pdf_response(pdf, filename)

    def _move(self, func, request, **kwargs):
        report = self.get_object()
        return Response(ProgressReportSerializer(func(user=request.user, report=report, **kwargs)).data)

    @extend_schema(request=ReportSaveSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def save(self, request, pk=None):
        """Save statuses, comments, links and actual values (the school's part).  A stale
        ``version`` answers 409 with the current version; nothing is overwritten."""
        report = self.get_object()
        body = ReportSaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            report = services.progress_report_save(
                user=request.user, report=report, version=body.validated_data["version"], entries=body.entries_data()
            )
        except services.StaleReport:
            report.refresh_from_db()
            return Response(
                {
                    "detail": _("The report has been changed by someone else; reload it and save again."),
                    "code": "stale",
                    "version": report.version,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(ProgressReportSerializer(report).data)

    @extend_schema(request=None, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._move(services.progress_report_submit, request)

    @extend_schema(request=ReasonSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comments = {int(k): v for k, v in body.validated_data["comments"].items() if str(k).isdigit()}
        return self._move(services.progress_report_accept, request, comments=comments)

    @extend_schema(request=ReasonSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comments = {int(k): v for k, v in body.validated_data["comments"].items() if str(k).isdigit()}
        return self._move(
            services.progress_report_return, request, reason=body.validated_data["reason"], comments=comments
        )

    @extend_schema(request=None, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._move(services.progress_report_approve, request)
