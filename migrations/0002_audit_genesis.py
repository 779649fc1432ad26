from tortoise import migrations
from tortoise.migrations import operations as ops

GENESIS = "0" * 64


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    operations = [
        ops.RunSQL(
            f"INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, '{GENESIS}')",
            reverse_sql="DELETE FROM audit_head WHERE id = 1",
        ),
    ]
