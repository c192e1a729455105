"""The demo interface's codes, every one filled by the suggestions; idempotent."""

from channels.models import ExternalSalesInterface

from .services import ApplyResult, correspondences_fill_suggestions


def load(*, interface: ExternalSalesInterface) -> ApplyResult:
    result = correspondences_fill_suggestions(interface=interface)
    if not result.ok:
        raise RuntimeError(f"demo codes refused: {result.errors}")
    return result
