from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from incubator.models import TaskState
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_jobs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Task',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=40)),
                ('title', fields.CharField(max_length=200)),
                ('state', fields.CharEnumField(default=TaskState.RUNNING, description='RUNNING: running\nSUCCEEDED: succeeded\nFAILED: failed\nINTERRUPTED: interrupted', enum_type=TaskState, max_length=16)),
                ('done', fields.IntField(default=0)),
                ('total', fields.IntField(default=0)),
                ('phase', fields.CharField(default='', max_length=200)),
                ('result', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('problems', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('message', fields.CharField(default='', max_length=500)),
                ('link', fields.CharField(default='', max_length=300)),
                ('runner', fields.CharField(default='', max_length=100)),
                ('user_id', fields.IntField()),
                ('username', fields.CharField(max_length=64)),
                ('base_id', fields.IntField(null=True)),
                ('region_code', fields.CharField(null=True, max_length=6)),
                ('startup_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'task', 'app': 'models', 'indexes': [Index(fields=['user_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'Long work (an import, a reconciliation) run in the background of the process that took it.'},
            bases=['Model'],
        ),
    ]
