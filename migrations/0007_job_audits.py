from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from grants.models.audits import AuditState, FindingKind, Outcome
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_tasks')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JobAudit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('base', fields.ForeignKeyField('models.Base', source_field='base_id', db_constraint=True, to_field='id', related_name='job_audits', on_delete=OnDelete.RESTRICT)),
                ('startup', fields.ForeignKeyField('models.Startup', source_field='startup_id', null=True, db_constraint=True, to_field='id', related_name='job_audits', on_delete=OnDelete.RESTRICT)),
                ('region_code', fields.CharField(max_length=6)),
                ('period_start', fields.DateField()),
                ('period_end', fields.DateField()),
                ('required_months', fields.IntField(default=1)),
                ('state', fields.CharEnumField(default=AuditState.OPEN, description='OPEN: open\nRECONCILED: reconciled\nSIGNED_OFF: signed_off\nSUPERSEDED: superseded', enum_type=AuditState, max_length=16)),
                ('roster_filename', fields.CharField(default='', max_length=200)),
                ('roster_sha256', fields.CharField(default='', max_length=64)),
                ('roster_rows', fields.IntField(default=0)),
                ('roster_skipped', fields.IntField(default=0)),
                ('mapping', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('counts', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('totals', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('opened_by', fields.CharField(max_length=64)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('reconciled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('signed_by', fields.CharField(default='', max_length=64)),
                ('signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sign_note', fields.CharField(default='', max_length=500)),
                ('superseded_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'job_audit', 'app': 'models', 'indexes': [Index(fields=['base_id', 'period_end']), Index(fields=['region_code', 'state'])], 'pk_attr': 'id', 'table_description': 'A check of the employments a base (or one of its startups) declared for a period.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditFinding',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('audit', fields.ForeignKeyField('models.JobAudit', source_field='audit_id', db_constraint=True, to_field='id', related_name='findings', on_delete=OnDelete.CASCADE)),
                ('employment', fields.ForeignKeyField('models.Employment', source_field='employment_id', null=True, db_constraint=True, to_field='id', related_name='audit_findings', on_delete=OnDelete.RESTRICT)),
                ('startup', fields.ForeignKeyField('models.Startup', source_field='startup_id', null=True, db_constraint=True, to_field='id', related_name='audit_findings', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='VERIFIED: verified\nNOT_FOUND: not_found\nOTHER_EMPLOYER: other_employer\nFEWER_MONTHS: fewer_months\nCOUNTED_TWICE: counted_twice\nNAME_DIFFERS: name_differs\nUNDECLARED: undeclared', enum_type=FindingKind, max_length=16)),
                ('flags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('proposed', fields.CharEnumField(description='VERIFIED: verified\nREJECTED: rejected\nNOTED: noted', enum_type=Outcome, max_length=16)),
                ('outcome', fields.CharEnumField(null=True, description='VERIFIED: verified\nREJECTED: rejected\nNOTED: noted', enum_type=Outcome, max_length=16)),
                ('reason', fields.CharField(default='', max_length=300)),
                ('decided_by', fields.CharField(default='', max_length=64)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('declared_name', fields.CharField(default='', max_length=50)),
                ('insured_name', fields.CharField(default='', max_length=50)),
                ('id_masked', fields.CharField(max_length=18)),
                ('id_index', fields.CharField(default='', max_length=64)),
                ('id_cipher', fields.TextField(default='', unique=False)),
                ('employer_uscc', fields.CharField(default='', max_length=18)),
                ('months_paid', fields.IntField(null=True)),
                ('hired_on', fields.DateField(null=True)),
                ('left_on', fields.DateField(null=True)),
                ('other', fields.CharField(default='', max_length=300)),
            ],
            options={'table': 'job_audit_finding', 'app': 'models', 'indexes': [Index(fields=['audit_id', 'kind'])], 'pk_attr': 'id', 'table_description': 'What the audit found for one declared employment, or for one insured person not declared.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Employment',
            name='audit_id',
            field=fields.IntField(null=True),
        ),
    ]
