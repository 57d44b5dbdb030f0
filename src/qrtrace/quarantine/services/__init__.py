"""Quarantine use-cases, split by subject. Each is keyword-only, runs in a transaction and writes its
own audit event."""

from .facilities import beds_add, facility_create, facility_status_set
from .monitoring import check_record, lab_csv_import, result_record
from .orders import (
    order_certificate_revoke,
    order_create,
    order_end,
    order_extend,
    order_release,
    order_start,
    order_transfer,
    orders_create_for_case,
)
from .placement import order_place
from .policies import policy_apply, policy_draft_create

__all__ = [
    "beds_add",
    "check_record",
    "facility_create",
    "facility_status_set",
    "lab_csv_import",
    "order_certificate_revoke",
    "order_create",
    "order_end",
    "order_extend",
    "order_place",
    "order_release",
    "order_start",
    "order_transfer",
    "orders_create_for_case",
    "policy_apply",
    "policy_draft_create",
    "result_record",
]
