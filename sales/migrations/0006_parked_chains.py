"""Parked lines keep their journal position and wait in chains: existing lines are numbered in
the order they were first parked, and an existing duplicate or refund parked because its
original is a parked line is linked to that line's chain (its message is rewritten by the next
attempt)."""

import django.db.models.deletion
from django.db import migrations, models


def _code(value) -> str:
    # As mappings.validators.normalize_code (a migration does not import the apps' code).
    value = (value or "").strip()
    return str(int(value)) if value.isascii() and value.isdigit() else value


def _place(line: dict) -> str:
    # As sales.engine.chains.line_place, frozen here.
    if line.get("row") in (None, "") or line.get("seat") in (None, "") or line.get(
            "product_code"):
        return ""
    return "/".join([_code(line.get("manifestation_code")),
                     (line.get("performance_code") or "").strip(), _code(line.get("zone_code")),
                     str(int(line["row"])), str(int(line["seat"]))])


def number_and_link(apps, schema_editor):
    ParkedOperation = apps.get_model("sales", "ParkedOperation")
    interfaces = ParkedOperation.objects.values_list("interface_id", flat=True).distinct()
    for interface_id in list(interfaces):
        rows = ParkedOperation.objects.filter(interface_id=interface_id).order_by(
            "first_attempt_at", "pk")
        chains: dict[str, tuple[int, str]] = {}  # ticket number → (chain head id, place)
        changed = []
        for position, row in enumerate(rows.iterator(), start=1):
            row.position = position
            changed.append(row)
            if row.resolved_at is not None:
                continue
            line = row.line or {}
            if row.type == "SALE":
                row.place = "" if row.reason == "seat_already_sold" else _place(line)
                chains[row.ticket_number] = (row.pk, row.place)
                continue
            original = line.get("original_ticket_number") or ""
            target = original if row.type == "DUPLICATE" else original or row.ticket_number
            chain = chains.get(target)
            if chain is None or row.reason != "original_unknown":
                continue
            row.reason = "waiting_for_original"
            row.waiting_for_id, row.place = chain
            if row.type == "DUPLICATE":
                chains[row.ticket_number] = chain
        ParkedOperation.objects.bulk_update(
            changed, ["position", "place", "reason", "waiting_for"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('channels', '0003_interface_flat_files'),
        ('sales', '0005_park_reason_performance_cancelled'),
    ]

    operations = [
        migrations.AddField(
            model_name='parkedoperation',
            name='place',
            field=models.CharField(blank=True, default='', max_length=160, verbose_name="place in Ticketnet's codes"),
        ),
        migrations.AddField(
            model_name='parkedoperation',
            name='position',
            field=models.BigIntegerField(default=0, help_text="The line's rank in Ticketnet's journal: parked lines are retried in this order.", verbose_name='journal position'),
        ),
        migrations.AddField(
            model_name='parkedoperation',
            name='waiting_for',
            field=models.ForeignKey(blank=True, help_text="The parked line this one depends on in Ticketnet's journal: it goes through with it.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='waiting', to='sales.parkedoperation', verbose_name='waiting for'),
        ),
        migrations.AlterField(
            model_name='parkedoperation',
            name='reason',
            field=models.CharField(choices=[('unknown_code', 'Unknown Ticketnet code'), ('invalid_line', 'Incomplete or invalid line'), ('performance_closed', 'Performance closed'), ('not_in_quota', 'Seat not in the Ticketnet quota'), ('seat_already_sold', 'Seat already sold'), ('price_difference', 'Price difference'), ('price_unknown', 'No price for this category and tariff'), ('ticket_number_taken', 'Ticket number already used'), ('original_unknown', 'Original ticket unknown'), ('original_not_valid', 'Original ticket no longer valid'), ('unknown_product', 'Unknown pass product'), ('unknown_tariff', 'Unknown tariff'), ('tariff_not_for_resellers', 'Tariff not for resellers'), ('waiting_for_original', 'Waiting for the original')], max_length=32, verbose_name='reason'),
        ),
        migrations.AddIndex(
            model_name='parkedoperation',
            index=models.Index(fields=['interface', 'position'], name='parked_interface_position'),
        ),
        migrations.RunPython(number_and_link, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='parkedoperation',
            index=models.Index(condition=models.Q(('resolved_at', None)), fields=['interface', 'ticket_number'], name='parked_open_number'),
        ),
        migrations.AddIndex(
            model_name='parkedoperation',
            index=models.Index(condition=models.Q(('resolved_at', None)), fields=['interface', 'place'], name='parked_open_place'),
        ),
    ]
