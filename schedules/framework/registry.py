"""The jobs the runner knows: a name (see `models.Job`) → a function taking a `JobContext`.

Product jobs register in `schedules/jobs/` (imported when the app is ready); tests register
their own with `register(..., replace=True)` and `unregister`."""

from collections.abc import Callable

from .errors import UnknownJob

_jobs: dict[str, Callable] = {}


def register(name: str, fn: Callable | None = None, *, replace: bool = False):
    """`register("sales_integration", fn)` or `@register("sales_integration")`."""

    def decorator(func: Callable) -> Callable:
        if name in _jobs and _jobs[name] is not func and not replace:
            raise ValueError(f"A job is already registered as {name!r}.")
        _jobs[name] = func
        return func

    return decorator(fn) if fn is not None else decorator


def unregister(name: str) -> None:
    _jobs.pop(name, None)


def get(name: str) -> Callable:
    try:
        return _jobs[name]
    except KeyError:
        raise UnknownJob(name) from None


def is_registered(name: str) -> bool:
    return name in _jobs
