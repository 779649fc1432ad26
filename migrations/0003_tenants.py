from tortoise import migrations
from tortoise.migrations import operations as ops
from incubator.models import BaseLevel
from tenants.models.people import Sex
from tenants.models.spaces import BillingCycle, LeaseOrigin, SpaceKind, SpaceStatus
from tenants.models.standards import StandardMeasure
from tenants.models.startups import ExitReason, FounderRole, Industry, StartupStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_audit_genesis')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Person',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('id_index', fields.CharField(unique=True, max_length=64)),
                ('id_cipher', fields.TextField(unique=False)),
                ('id_masked', fields.CharField(max_length=18)),
                ('name', fields.CharField(max_length=50)),
                ('birth_date', fields.DateField()),
                ('sex', fields.CharEnumField(description='MALE: male\nFEMALE: female', enum_type=Sex, max_length=8)),
                ('phone', fields.CharField(default='', max_length=11)),
                ('hukou_region_code', fields.CharField(max_length=6)),
                ('is_graduate', fields.BooleanField(default=False)),
                ('school', fields.CharField(default='', max_length=100)),
                ('graduation_year', fields.IntField(null=True)),
                ('is_farmer_herder', fields.BooleanField(default=False)),
                ('is_veteran', fields.BooleanField(default=False)),
                ('is_poverty_alleviated', fields.BooleanField(default=False)),
                ('is_disabled', fields.BooleanField(default=False)),
                ('has_employment_difficulty', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'person', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A real person, identified by the resident ID number (stored encrypted).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BasePerson',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('base', fields.ForeignKeyField('models.Base', source_field='base_id', db_constraint=True, to_field='id', related_name='people', on_delete=OnDelete.RESTRICT)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='registrations', on_delete=OnDelete.RESTRICT)),
                ('entered_name', fields.CharField(default='', max_length=50)),
                ('name_flagged', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'base_person', 'app': 'models', 'unique_together': [('base', 'person')], 'pk_attr': 'id', 'table_description': "A person registered with a base (人员登记): the operator's link to a shared Person."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Founder',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('startup', fields.ForeignKeyField('models.Startup', source_field='startup_id', db_constraint=True, to_field='id', related_name='founders', on_delete=OnDelete.RESTRICT)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='founder_roles', on_delete=OnDelete.RESTRICT)),
                ('role', fields.CharEnumField(description='LEGAL_REPRESENTATIVE: legal_representative\nPARTNER: partner\nMEMBER: member', enum_type=FounderRole, max_length=32)),
                ('joined_on', fields.DateField()),
                ('left_on', fields.DateField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'founder', 'app': 'models', 'indexes': [Index(fields=['startup_id', 'left_on'])], 'pk_attr': 'id', 'table_description': "A person's role in founding a startup (法定代表人, 合伙人, 团队成员), with dates."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecognitionStandard',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('level', fields.CharEnumField(description='NATIONAL: national\nAUTONOMOUS_REGION: autonomous_region\nPREFECTURE: prefecture\nCOUNTY: county\nNONE: none', enum_type=BaseLevel, max_length=32)),
                ('measure', fields.CharEnumField(description='UTILISATION: utilisation\nSTARTUPS_INCUBATED: startups_incubated\nJOBS_ABSORBED: jobs_absorbed\nSUCCESS_RATE: success_rate\nON_TIME_EXIT_RATE: on_time_exit_rate\nYEARS_OPERATING: years_operating', enum_type=StandardMeasure, max_length=32)),
                ('minimum', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('effective_from', fields.DateField()),
                ('source', fields.CharField(max_length=300)),
                ('confirmed', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'recognition_standard', 'app': 'models', 'unique_together': [('level', 'measure', 'effective_from')], 'pk_attr': 'id', 'table_description': 'One threshold of a recognition level (e.g. national demonstration base), from a date.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Space',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('base', fields.ForeignKeyField('models.Base', source_field='base_id', db_constraint=True, to_field='id', related_name='spaces', on_delete=OnDelete.RESTRICT)),
                ('code', fields.CharField(max_length=32)),
                ('kind', fields.CharEnumField(description='DESK: desk\nOFFICE: office\nMEETING_ROOM: meeting_room\nWORKSHOP: workshop\nSTORAGE: storage', enum_type=SpaceKind, max_length=16)),
                ('floor', fields.CharField(default='', max_length=16)),
                ('area_m2', fields.DecimalField(max_digits=10, decimal_places=2)),
                ('list_rent', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('status', fields.CharEnumField(default=SpaceStatus.IN_SERVICE, description='IN_SERVICE: in_service\nOUT_OF_SERVICE: out_of_service', enum_type=SpaceStatus, max_length=16)),
                ('note', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'space', 'app': 'models', 'unique_together': [('base', 'code')], 'pk_attr': 'id', 'table_description': 'A rentable unit of a base: a desk, an office, a meeting room, a workshop, storage.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StartupEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('startup', fields.ForeignKeyField('models.Startup', source_field='startup_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('from_status', fields.CharEnumField(null=True, description='APPLIED: applied\nINCUBATING: incubating\nGRADUATED: graduated\nEXITED: exited', enum_type=StartupStatus, max_length=16)),
                ('to_status', fields.CharEnumField(description='APPLIED: applied\nINCUBATING: incubating\nGRADUATED: graduated\nEXITED: exited', enum_type=StartupStatus, max_length=16)),
                ('on', fields.DateField()),
                ('reason', fields.CharEnumField(null=True, description='EXPIRED: expired\nABNORMAL: abnormal\nMOVED_OUT: moved_out\nDEREGISTERED: deregistered\nOTHER: other', enum_type=ExitReason, max_length=16)),
                ('note', fields.CharField(default='', max_length=500)),
                ('actor', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'startup_event', 'app': 'models', 'indexes': [Index(fields=['to_status', 'on'])], 'pk_attr': 'id', 'table_description': "One step of a startup's lifecycle (申请入驻, 在孵, 毕业, 退出) with its date and reason."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StoredFile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sha256', fields.CharField(db_index=True, max_length=64)),
                ('size', fields.IntField()),
                ('content_type', fields.CharField(max_length=100)),
                ('filename', fields.CharField(max_length=200)),
                ('base_id', fields.IntField(null=True)),
                ('uploaded_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'stored_file', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An uploaded file (signed agreement, evidence), kept under var/files by its SHA-256.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Lease',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('base', fields.ForeignKeyField('models.Base', source_field='base_id', db_constraint=True, to_field='id', related_name='leases', on_delete=OnDelete.RESTRICT)),
                ('startup', fields.ForeignKeyField('models.Startup', source_field='startup_id', db_constraint=True, to_field='id', related_name='leases', on_delete=OnDelete.RESTRICT)),
                ('start_on', fields.DateField()),
                ('end_on', fields.DateField()),
                ('occupied_until', fields.DateField()),
                ('ended_on', fields.DateField(null=True)),
                ('end_reason', fields.CharField(default='', max_length=200)),
                ('list_rent', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('monthly_rent', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('deposit', fields.DecimalField(default=0, max_digits=12, decimal_places=2)),
                ('billing_cycle', fields.CharEnumField(default=BillingCycle.MONTHLY, description='MONTHLY: monthly\nQUARTERLY: quarterly', enum_type=BillingCycle, max_length=16)),
                ('origin', fields.CharEnumField(default=LeaseOrigin.NEW, description='NEW: new\nRENEWAL: renewal\nMOVE: move', enum_type=LeaseOrigin, max_length=16)),
                ('previous', fields.ForeignKeyField('models.Lease', source_field='previous_id', null=True, db_constraint=True, to_field='id', related_name='successors', on_delete=OnDelete.RESTRICT)),
                ('agreement', fields.ForeignKeyField('models.StoredFile', source_field='agreement_id', null=True, db_constraint=True, to_field='id', related_name='leases', on_delete=OnDelete.RESTRICT)),
                ('note', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'lease', 'app': 'models', 'indexes': [Index(fields=['base_id', 'occupied_until']), Index(fields=['startup_id', 'start_on'])], 'pk_attr': 'id', 'table_description': 'An agreement letting one or more spaces of a base to a startup for a date range.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LeaseSpace',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lease', fields.ForeignKeyField('models.Lease', source_field='lease_id', db_constraint=True, to_field='id', related_name='spaces', on_delete=OnDelete.CASCADE)),
                ('space', fields.ForeignKeyField('models.Space', source_field='space_id', db_constraint=True, to_field='id', related_name='lease_links', on_delete=OnDelete.RESTRICT)),
                ('list_rent', fields.DecimalField(max_digits=12, decimal_places=2)),
            ],
            options={'table': 'lease_space', 'app': 'models', 'unique_together': [('lease', 'space')], 'pk_attr': 'id', 'table_description': 'One space held by a lease, with its list rent when the lease was signed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RentConcession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lease', fields.ForeignKeyField('models.Lease', source_field='lease_id', db_constraint=True, to_field='id', related_name='concessions', on_delete=OnDelete.CASCADE)),
                ('start_on', fields.DateField()),
                ('end_on', fields.DateField()),
                ('monthly_rent', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('note', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'rent_concession', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A free-rent or discount period of a lease: the monthly rent charged during it.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Startup',
            name='uscc',
            field=fields.CharField(null=True, db_index=True, max_length=18),
        ),
        ops.AddField(
            model_name='Startup',
            name='admitted_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Startup',
            name='applied_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Startup',
            name='contact_email',
            field=fields.CharField(default='', max_length=100),
        ),
        ops.AddField(
            model_name='Startup',
            name='contact_name',
            field=fields.CharField(default='', max_length=50),
        ),
        ops.AddField(
            model_name='Startup',
            name='contact_phone',
            field=fields.CharField(default='', max_length=32),
        ),
        ops.AddField(
            model_name='Startup',
            name='description',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Startup',
            name='exit_reason',
            field=fields.CharEnumField(null=True, description='EXPIRED: expired\nABNORMAL: abnormal\nMOVED_OUT: moved_out\nDEREGISTERED: deregistered\nOTHER: other', enum_type=ExitReason, max_length=16),
        ),
        ops.AddField(
            model_name='Startup',
            name='incubation_ends_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Startup',
            name='industry',
            field=fields.CharEnumField(null=True, description='A: A\nB: B\nC: C\nD: D\nE: E\nF: F\nG: G\nH: H\nI: I\nJ: J\nK: K\nL: L\nM: M\nN: N\nO: O\nP: P\nQ: Q\nR: R\nS: S\nT: T', enum_type=Industry, max_length=1),
        ),
        ops.AddField(
            model_name='Startup',
            name='left_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Startup',
            name='registered_on',
            field=fields.DateField(null=True),
        ),
        ops.AddIndex(
            model_name='Startup',
            index=Index(fields=['base_id', 'status']),
        ),
    ]
