from tortoise import migrations
from tortoise.migrations import operations as ops

# The national demonstration base thresholds named by the startups issue; the document they
# come from is to be confirmed, so they are stored unconfirmed and shown with that note.
SOURCE = "人力资源社会保障部 国家级创业孵化示范基地认定条件（待与正式文本核对 / to be confirmed against the official text）"
STANDARDS = [
    ("utilisation", "90"),
    ("startups_incubated", "30"),
    ("jobs_absorbed", "300"),
    ("success_rate", "60"),
    ("on_time_exit_rate", "95"),
    ("years_operating", "3"),
]

INSERT = (
    "INSERT INTO recognition_standard (level, measure, minimum, effective_from, source, confirmed, created_at) "
    "VALUES ('national', '{measure}', {minimum}, '2017-01-01', '{source}', FALSE, CURRENT_TIMESTAMP)"
)


class Migration(migrations.Migration):
    dependencies = [("models", "0003_tenants")]

    operations = [
        ops.RunSQL(
            INSERT.format(measure=measure, minimum=minimum, source=SOURCE),
            reverse_sql=f"DELETE FROM recognition_standard WHERE measure = '{measure}' AND level = 'national'",
        )
        for measure, minimum in STANDARDS
    ]
