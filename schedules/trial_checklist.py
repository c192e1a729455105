"""The interface test's run read as the guide's checklist: each step ✓, ⚠ or ✗ with what it said
and what to do, the steps not reached said so (from the step each message is tagged with)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from texts import is_text, render

from .counts import STEP_ORDER
from .framework.context import message_shown
from .framework.models import Job, Run
from .jobs.interface_trial import step_labels

ERROR, WARNING, OK = "error", "warning", "ok"


@dataclass
class ChecklistStep:
    key: str
    label: str
    status: str = ""  # ok, warning, error; "" when the step did not run
    said: list[dict] = field(default_factory=list)  # its messages: level, text, action

    @property
    def symbol(self) -> str:
        return {OK: "✓", WARNING: "⚠", ERROR: "✗"}.get(self.status, "–")

    @property
    def status_text(self) -> str:
        return {OK: _("done"), WARNING: _("done, with something to check"),
                ERROR: _("failed")}.get(self.status, _("not run"))

    @property
    def to_do(self) -> list[str]:
        """What to do: the actions of what went wrong, without repeats."""
        actions = []
        for m in self.said:
            if m["level"] in (WARNING, ERROR) and m.get("action") and m["action"] not in actions:
                actions.append(m["action"])
        return actions


@dataclass
class Checklist:
    steps: list[ChecklistStep]
    general: list[dict]  # the run's messages outside any step

    @property
    def blocked_after(self) -> str:
        """The label of the step whose failure left the following ones out."""
        failed = [s for s in self.steps if s.status == ERROR]
        return failed[0].label if failed else ""


def trial_checklist(run: Run) -> Checklist | None:
    """None for another job, or a run recorded before its messages named their step."""
    messages = run.messages or []
    if run.job != Job.INTERFACE_TEST or not any("step" in m for m in messages):
        return None
    labels = step_labels()
    steps = {key: ChecklistStep(key=key, label=str(labels[key])) for key in STEP_ORDER}
    general = []
    for stored in messages:
        m = message_shown(stored)
        step = steps.get(m.get("step", ""))
        if step is None:
            general.append(m)
        elif m.get("step_status"):
            step.status = m["step_status"]
        else:
            said = render(m["st"]) if is_text(m.get("st")) else m.get("step_text")
            step.said.append({**m, "text": said or m.get("text", "")})
    return Checklist(steps=list(steps.values()), general=general)
