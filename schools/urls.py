from django.urls import path

from schools import views

app_name = "schools"
urlpatterns = [
    path("", views.SchoolListView.as_view(), name="school-list"),
    path("new/", views.SchoolCreateView.as_view(), name="school-create"),
    path("<int:pk>/", views.SchoolDetailView.as_view(), name="school-detail"),
    path("<int:pk>/edit/", views.SchoolUpdateView.as_view(), name="school-edit"),
]

# Programme side: orders, statuses and yearly lists, programmes, risk profiles (issue 3).
from schools import programme_views as pv  # noqa: E402

urlpatterns += [
    path("orders/", pv.OrderListView.as_view(), name="order-list"),
    path("requisites/", pv.requisites_edit, name="requisites"),
    path("requisites/<int:pk>/", pv.requisites_edit, name="requisites-edit"),
    path("orders/new/", pv.OrderCreateView.as_view(), name="order-create"),
    path("orders/<int:pk>/", pv.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:pk>/edit/", pv.OrderUpdateView.as_view(), name="order-edit"),
    path("statuses/", pv.SchoolStatusListView.as_view(), name="status-list"),
    path("statuses/new/", pv.SchoolStatusCreateView.as_view(), name="status-create"),
    path("statuses/<int:pk>/edit/", pv.SchoolStatusUpdateView.as_view(), name="status-edit"),
    path("statuses/yearly-list/", pv.StatusListSetView.as_view(), name="status-list-set"),
    path("statuses/movement/", pv.StatusMovementView.as_view(), name="status-movement"),
    path("programmes/", pv.ProgrammeListView.as_view(), name="programme-list"),
    path("programmes/new/", pv.ProgrammeCreateView.as_view(), name="programme-create"),
    path("programmes/<int:pk>/", pv.ProgrammeDetailView.as_view(), name="programme-detail"),
    path("programmes/<int:pk>/edit/", pv.ProgrammeUpdateView.as_view(), name="programme-edit"),
    path("<int:pk>/risks/", pv.RiskProfileView.as_view(), name="risk-profile"),
    path("risks/heatmap/", pv.RiskHeatmapView.as_view(), name="risk-heatmap"),
]
