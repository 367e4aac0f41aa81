from django.urls import path

from events import views

app_name = "events"
urlpatterns = [
    path("", views.EventListView.as_view(), name="event-list"),
    path("calendar/", views.EventCalendarView.as_view(), name="event-calendar"),
    path("calendar/subscribe/", views.calendar_subscribe, name="calendar-subscribe"),
    path("feed/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("new/", views.EventCreateView.as_view(), name="event-create"),
    path("<int:pk>/", views.EventDetailView.as_view(), name="event-detail"),
    path("<int:pk>/edit/", views.EventUpdateView.as_view(), name="event-edit"),
    path("<int:pk>/copy/", views.EventCopyView.as_view(), name="event-copy"),
    path("<int:pk>/event.ics", views.event_ics, name="event-ics"),
    path("<int:pk>/summary.pdf", views.event_summary_pdf, name="event-summary"),
    path("<int:pk>/programme.pdf", views.event_programme_pdf, name="event-programme"),
    path("<int:pk>/attendance/", views.AttendanceView.as_view(), name="event-attendance"),
    path("<int:pk>/attendance.xlsx", views.attendance_sheet, name="attendance-sheet"),
    path("<int:pk>/agenda/", views.agenda_add, name="agenda-add"),
    path("<int:pk>/agenda/<int:step_pk>/delete/", views.agenda_delete, name="agenda-delete"),
    path("<int:pk>/agenda/<int:step_pk>/edit/", views.agenda_edit, name="agenda-edit"),
    path("<int:pk>/agenda/<int:step_pk>/move/", views.agenda_move, name="agenda-move"),
    path("<int:pk>/materials/", views.event_material_add, name="event-material-add"),
    path("<int:pk>/questions/", views.event_questions, name="event-questions"),
    path("registrations/<int:pk>/cancel/", views.RegistrationCancelView.as_view(), name="registration-cancel"),
    path("registrations/<int:pk>/attendance/", views.attendance_toggle, name="attendance-toggle"),
    path("registrations/<int:pk>/feedback/", views.registration_feedback, name="registration-feedback"),
    path("registrations/<int:pk>/certificate.pdf", views.registration_certificate, name="registration-certificate"),
    path("bank/", views.MaterialListView.as_view(), name="material-list"),
    path("bank/new/", views.MaterialCreateView.as_view(), name="material-create"),
    path("bank/<int:pk>/", views.MaterialDetailView.as_view(), name="material-detail"),
    path("bank/<int:pk>/edit/", views.MaterialUpdateView.as_view(), name="material-edit"),
    path("participation/", views.participation, name="participation"),
]
