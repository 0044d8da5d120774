from __future__ import annotations

from django.urls import include, path

from dyadcare.web.views import (
    account,
    adherence,
    auth,
    care,
    clinic,
    families,
    instrument_text,
    instruments,
    merges,
    mfa,
    network,
    referral_flow,
    screening,
    screening_entry,
    session,
    staff,
    visits,
)

app_name = "web"

clinic_patterns = [
    path("", visits.huddle, name="clinic_home"),
    path("huddle/", visits.huddle, name="huddle"),
    path("my-work/", care.my_work, name="my_work"),
    path("caseload/", care.caseload, name="caseload"),
    path("children/<uuid:child_id>/care/", care.care_page, name="care_page"),
    path("children/<uuid:child_id>/care/tier/", care.care_tier, name="care_tier"),
    path("children/<uuid:child_id>/care/plan/", care.care_plan, name="care_plan"),
    path("children/<uuid:child_id>/care/goals/", care.care_goal, name="care_goal"),
    path("children/<uuid:child_id>/care/goals/close/", care.care_goal_close, name="care_goal_close"),
    path("children/<uuid:child_id>/care/tasks/", care.care_task, name="care_task"),
    path("children/<uuid:child_id>/care/tasks/update/", care.care_task_update, name="care_task_update"),
    path("children/<uuid:child_id>/care/notes/", care.care_note, name="care_note"),
    path("children/<uuid:child_id>/care/services/", care.care_service, name="care_service"),
    path(
        "children/<uuid:child_id>/care/services/update/", care.care_service_update, name="care_service_update"
    ),
    path("children/<uuid:child_id>/visits/new/", visits.visit_schedule, name="visit_schedule"),
    path("visits/<uuid:visit_id>/", visits.visit_detail, name="visit_detail"),
    path("visits/<uuid:visit_id>/update/", visits.visit_update, name="visit_update"),
    path("visits/<uuid:visit_id>/change/", adherence.visit_change, name="visit_change"),
    path("visits/<uuid:visit_id>/screening/", screening.visit_screening, name="visit_screening"),
    path("visits/<uuid:visit_id>/screening/start/", screening.screening_start, name="screening_start"),
    path(
        "visits/<uuid:visit_id>/screening/enter/<str:instrument_id>/",
        screening_entry.paper_entry,
        name="scores_enter",
    ),
    path("visits/<uuid:visit_id>/screening/add/", screening_entry.instrument_add, name="instrument_add"),
    path(
        "visits/<uuid:visit_id>/screening/elsewhere/", screening_entry.done_elsewhere, name="done_elsewhere"
    ),
    path("visits/<uuid:visit_id>/summary/", screening.family_summary, name="family_summary"),
    path("visits/<uuid:visit_id>/report/", screening.visit_report, name="visit_report"),
    path("screenings/<uuid:session_id>/update/", screening.session_update, name="session_update"),
    path("screenings/<uuid:session_id>/tablet/", screening.session_tablet, name="session_tablet"),
    path("screenings/<uuid:session_id>/hand-over/", screening.session_hand_over, name="session_hand_over"),
    path("flags/<uuid:flag_id>/acknowledge/", screening.flag_acknowledge, name="flag_acknowledge"),
    path("flags/<uuid:flag_id>/assign/", screening.flag_assign, name="flag_assign"),
    path("alerts/", screening.alerts, name="alerts"),
    # The referral workflow (referrals.referral_services and referral_selectors).
    path("children/<uuid:child_id>/referrals/new/", referral_flow.referral_new, name="referral_new"),
    path(
        "children/<uuid:child_id>/referrals/summary/", referral_flow.referral_summary, name="referral_summary"
    ),
    path(
        "children/<uuid:child_id>/referrals/summary/send/",
        referral_flow.referral_summary_send,
        name="referral_summary_send",
    ),
    path("referrals/<uuid:referral_id>/", referral_flow.referral_detail, name="referral_detail"),
    path("referrals/<uuid:referral_id>/update/", referral_flow.referral_update, name="referral_update"),
    path("referrals/<uuid:referral_id>/send/", referral_flow.referral_send, name="referral_send"),
    path(
        "referrals/<uuid:referral_id>/close-link/",
        referral_flow.referral_link_close,
        name="referral_link_close",
    ),
    path("alerts/banner/", screening.alert_banner, name="alert_banner"),
    path("visits/import/", visits.appointments_import, name="appointments_import"),
    path("settings/schedule/", visits.schedule_settings, name="schedule_settings"),
    path("children/", families.child_list, name="child_list"),
    path("children/new/", families.child_create, name="child_create"),
    path("children/<uuid:child_id>/", families.child_detail, name="child_detail"),
    path("children/<uuid:child_id>/edit/", families.child_edit, name="child_edit"),
    path("children/<uuid:child_id>/sibling/", families.child_add_sibling, name="child_add_sibling"),
    path("children/<uuid:child_id>/merge/", merges.child_merge, name="child_merge"),
    path("children/<uuid:child_id>/merge/undo/", merges.child_merge_undo, name="child_merge_undo"),
    path("children/<uuid:child_id>/caregivers/add/", families.caregiver_add, name="caregiver_add"),
    path(
        "children/<uuid:child_id>/caregivers/<uuid:caregiver_id>/link/",
        families.caregiver_link_existing,
        name="caregiver_link_existing",
    ),
    path(
        "children/<uuid:child_id>/relationships/<uuid:link_id>/",
        families.relationship_edit,
        name="relationship_edit",
    ),
    path("caregivers/<uuid:caregiver_id>/", families.caregiver_detail, name="caregiver_detail"),
    path("caregivers/<uuid:caregiver_id>/edit/", families.caregiver_edit, name="caregiver_edit"),
    path("caregivers/<uuid:caregiver_id>/reminders/", adherence.reminder_choice, name="reminder_choice"),
    path("outreach/", adherence.outreach, name="outreach"),
    path("outreach/<uuid:child_id>/", adherence.outreach_child, name="outreach_child"),
    path("settings/reminders/", adherence.reminder_settings, name="reminder_settings"),
    path("staff/", staff.staff_list, name="staff_list"),
    path("staff/invite/", staff.staff_invite_page, name="staff_invite"),
    path("staff/<uuid:user_id>/", staff.staff_detail, name="staff_detail"),
    path("audit/", clinic.audit_log, name="audit_log"),
    path("audit/export.csv", clinic.audit_export, name="audit_export"),
    path("instruments/", instruments.instrument_list, name="instrument_list"),
    path("instruments/<slug:instrument_id>/", instruments.instrument_detail, name="instrument_detail"),
    path("instruments/<slug:instrument_id>/text/", instruments.instrument_text, name="instrument_text"),
    path(
        "instruments/<slug:instrument_id>/text/<slug:language>/",
        instrument_text.instrument_text_entry,
        name="instrument_text_entry",
    ),
    path(
        "instruments/<slug:instrument_id>/settings/",
        instruments.instrument_parameters,
        name="instrument_parameters",
    ),
]

network_patterns = [
    path("", network.network_home, name="network_home"),
    path("clinics/new/", network.clinic_create, name="clinic_create"),
    path("security/", network.network_security, name="network_security"),
]

urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("places/", auth.places, name="places"),
    path("invite/<str:token>/", account.invite_accept, name="invite_accept"),
    path("account/", account.account, name="account"),
    path("account/password/", account.password_change, name="password_change"),
    path("account/two-step/", mfa.mfa_setup, name="mfa_setup"),
    path("login/code/", mfa.mfa_verify, name="mfa_verify"),
    path("password/reset/", account.password_reset, name="password_reset"),
    path("password/reset/<str:token>/", account.password_reset_confirm, name="password_reset_confirm"),
    path("language/", auth.set_language, name="set_language"),
    path("healthz", auth.healthz, name="healthz"),
    path("c/<slug:clinic_slug>/", include(clinic_patterns)),
    path("n/<slug:network_slug>/", include(network_patterns)),
    path("session/", session.session_status, name="session_status"),
    path("session/renew/", session.session_renew, name="session_renew"),
]
