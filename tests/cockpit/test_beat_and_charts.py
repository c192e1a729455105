"""The next run of a schedule as beat decides it, and the charts' geometry."""

import datetime as dt

import pytest
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, IntervalSchedule, PeriodicTask

from cockpit.charts import TOP, Series, nice_ceiling, stacked_bars
from schedules.beat import next_run, schedule_of

NOW = timezone.make_aware(dt.datetime(2026, 12, 1, 12, 0))


@pytest.fixture
def every_4_hours(db):
    interval = IntervalSchedule.objects.create(every=4, period=IntervalSchedule.HOURS)
    return PeriodicTask.objects.create(name="ticketnet:1:sales_integration", task="t",
                                       interval=interval)


def test_an_interval_runs_again_one_interval_after_its_last_run(every_4_hours):
    every_4_hours.last_run_at = NOW - dt.timedelta(hours=1)
    assert next_run(every_4_hours, now=NOW) == NOW + dt.timedelta(hours=3)
    schedule = schedule_of(every_4_hours, now=NOW)
    assert (schedule.every, schedule.late) == ("every 4 hours", False)


def test_a_task_never_run_counts_from_its_last_change_as_beat_does(every_4_hours):
    every_4_hours.date_changed = NOW - dt.timedelta(hours=5)
    assert next_run(every_4_hours, now=NOW) == NOW - dt.timedelta(hours=1)
    # An hour overdue: beat is not running.
    assert schedule_of(every_4_hours, now=NOW).late


def test_a_start_time_delays_the_first_run(every_4_hours):
    every_4_hours.start_time = NOW + dt.timedelta(days=1)
    assert next_run(every_4_hours, now=NOW) == NOW + dt.timedelta(days=1)


def test_disabled_and_spent_one_off_tasks_do_not_run(every_4_hours, db):
    every_4_hours.enabled = False
    assert next_run(every_4_hours, now=NOW) is None
    tonight = ClockedSchedule.objects.create(clocked_time=NOW + dt.timedelta(hours=8))
    once = PeriodicTask.objects.create(name="once", task="t", clocked=tonight, one_off=True)
    assert next_run(once, now=NOW) == NOW + dt.timedelta(hours=8)
    assert schedule_of(once, now=NOW).every == "once"
    once.total_run_count = 1
    assert next_run(once, now=NOW) is None


@pytest.mark.parametrize(("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (11, 20),
                                             (171, 200), (500, 500), (501, 1000)])
def test_the_axis_top_is_a_round_number(value, top):
    assert nice_ceiling(value) == top


def test_stacked_bars_share_a_day_and_fill_the_plot_at_the_top_value():
    days = [dt.date(2026, 11, 30), dt.date(2026, 12, 1)]
    chart = stacked_bars(days=days, title="Runs", summary="", series=[
        Series(key="ok", label="OK", values=[0, 6]),
        Series(key="error", label="Error", values=[1, 4])])
    error_1, ok, error_2 = chart.bars
    assert (error_1.key, ok.key, error_2.key) == ("error", "ok", "error")
    # 10 on the second day is the axis' top: its two bars fill the plot, error on top.
    assert ok.y + ok.height == pytest.approx(chart.bottom)
    assert error_2.y + error_2.height == pytest.approx(ok.y)
    assert error_2.y == pytest.approx(TOP)
    assert ok.x == error_2.x > error_1.x
    assert [tick[1] for tick in chart.ticks] == [dt.date(2026, 12, 1)]
