# Notices (outbox, statuses, gateways) arrive with the notifications issue; the app exists now so
# the layout of docs/architecture.md is stable and settings need not change later.
