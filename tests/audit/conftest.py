"""The staff accounts of tests/staff/conftest.py (signed in for real), shared with the audit tests."""

from tests.staff.conftest import (  # noqa: F401
    administrator,
    administrator_client,
    auditor,
    auditor_client,
    incheon,
    make_staff,
    officer,
    officer_client,
    seoul,
    supervisor,
    supervisor_client,
)
