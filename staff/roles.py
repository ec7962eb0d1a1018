"""Staff roles and what each may do (DOMAIN.md §9: least privilege; seed 003 "access rights").

The one table of permissions. Services call `staff_require` before acting, so a role is enforced
whatever the interface (page, admin, command); templates only hide what a role cannot use.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTER_OFFICER = "counter_officer", _("Counter officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")
    AUDITOR = "auditor", _("Auditor")


# Roles that work at one customs office: their counter and review functions are that office's.
OFFICE_ROLES = frozenset({Role.COUNTER_OFFICER, Role.SUPERVISOR})


class Permission(models.TextChoices):
    COUNTER_ISSUE = "counter_issue", _("Issue codes at the counter")
    PERSON_LOOK_UP = "person_look_up", _("Look up a person")
    PERSON_CHANGE = "person_change", _("Change details, reissue or suspend a code")
    CODE_REINSTATE = "code_reinstate", _("Reinstate a suspended code")
    CODE_TERMINATE = "code_terminate", _("Terminate a code ex officio")
    ISSUANCE_LOG_REVIEW = "issuance_log_review", _("Review the issuance log and dashboard")
    ISSUANCE_LOG_EXPORT = "issuance_log_export", _("Export the issuance log")
    ACCESS_RECORDS_REVIEW = "access_records_review", _("Review access records")
    ACCESS_RECORDS_EXPORT = "access_records_export", _("Export access records")
    STAFF_MANAGE = "staff_manage", _("Manage staff accounts and roles")
    BULK_JOBS_VIEW = "bulk_jobs_view", _("See partners' spreadsheet verification jobs")


_OFFICER = {Permission.COUNTER_ISSUE, Permission.PERSON_LOOK_UP, Permission.PERSON_CHANGE}

# Lifting a suspension and ending a code ex officio are a supervisor's decision, not the officer's
# at the counter; auditors change nothing; administrators manage staff and review, but do not serve
# people at a counter.
# Partners' spreadsheet jobs (issue 7) are watched by those who run the API clients (administrators)
# and those who review partners' access (auditors); they belong to no office, so not to office roles.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COUNTER_OFFICER: frozenset(_OFFICER),
    Role.SUPERVISOR: frozenset(
        _OFFICER | {Permission.CODE_REINSTATE, Permission.CODE_TERMINATE, Permission.ISSUANCE_LOG_REVIEW}
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            Permission.ISSUANCE_LOG_REVIEW,
            Permission.ISSUANCE_LOG_EXPORT,
            Permission.ACCESS_RECORDS_REVIEW,
            Permission.ACCESS_RECORDS_EXPORT,
            Permission.STAFF_MANAGE,
            Permission.BULK_JOBS_VIEW,
        }
    ),
    Role.AUDITOR: frozenset(
        {
            Permission.ISSUANCE_LOG_REVIEW,
            Permission.ISSUANCE_LOG_EXPORT,
            Permission.ACCESS_RECORDS_REVIEW,
            Permission.ACCESS_RECORDS_EXPORT,
            Permission.BULK_JOBS_VIEW,
        }
    ),
}
