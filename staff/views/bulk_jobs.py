"""Partners' spreadsheet verification jobs (issue 7: "a staff page shows jobs with a progress bar").

The page shows clients, file names, statuses and counts, never a row: opening it is not access to
anyone's personal data, so it writes no access record."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from clearance.bulk import bulk_verification_percent, bulk_verifications_recent
from clearance.models import BulkStatus
from staff.decorators import staff_page
from staff.roles import Permission

JOBS_SHOWN = 100
# While a job is queued or running the page reloads itself (a meta refresh: the policy forbids inline
# script, and no script is needed for this).
REFRESH_SECONDS = 10


@staff_page(Permission.BULK_JOBS_VIEW)
@require_GET
def bulk_jobs(request):
    jobs = bulk_verifications_recent(limit=JOBS_SHOWN)
    for job in jobs:
        job.percent = bulk_verification_percent(job)
    active = any(job.status in (BulkStatus.QUEUED, BulkStatus.RUNNING) for job in jobs)
    context = {"jobs": jobs, "refresh_seconds": REFRESH_SECONDS if active else None, "jobs_shown": JOBS_SHOWN}
    return render(request, "staff/bulk_jobs.html", context)
