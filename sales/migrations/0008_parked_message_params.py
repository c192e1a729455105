from django.db import migrations, models


class Migration(migrations.Migration):
    """The parameters of a parked line's message, to render it in the reader's language. The
    lines parked before keep NULL: their message, written then, is what they say."""

    dependencies = [
        ('sales', '0007_parked_reasons_together'),
    ]

    operations = [
        migrations.AddField(
            model_name='parkedoperation',
            name='params',
            field=models.JSONField(blank=True, null=True, verbose_name='message parameters'),
        ),
        migrations.AlterField(
            model_name='parkedoperation',
            name='params',
            field=models.JSONField(blank=True, default=dict, null=True,
                                   verbose_name='message parameters'),
        ),
    ]
