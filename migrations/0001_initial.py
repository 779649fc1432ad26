from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from incubator.models import BaseKind, BaseLevel, RegionLevel, Role
from json import dumps, loads
from tenants.models import LegalForm, StartupStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('seq', fields.BigIntField(unique=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_id', fields.IntField(null=True)),
                ('actor', fields.CharField(max_length=64)),
                ('role', fields.CharField(default='', max_length=16)),
                ('action', fields.CharField(max_length=64)),
                ('object_type', fields.CharField(max_length=64)),
                ('object_id', fields.CharField(default='', max_length=64)),
                ('base_id', fields.IntField(null=True)),
                ('region_code', fields.CharField(null=True, max_length=6)),
                ('before', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('after', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('address', fields.CharField(default='', max_length=64)),
                ('prev_hash', fields.CharField(max_length=64)),
                ('hash', fields.CharField(max_length=64)),
            ],
            options={'table': 'audit_event', 'app': 'models', 'indexes': [Index(fields=['region_code', 'seq']), Index(fields=['object_type', 'object_id'])], 'pk_attr': 'id', 'table_description': 'One change, chained by hash to the one before it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditHead',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('seq', fields.BigIntField(default=0)),
                ('last_hash', fields.CharField(max_length=64)),
            ],
            options={'table': 'audit_head', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The single row that serialises appends to the audit chain.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstallationSetting',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('value', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'installation_setting', 'app': 'models', 'pk_attr': 'key', 'table_description': 'Installation-wide flags, such as whether this is a demo installation.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LoginAttempt',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(max_length=64)),
                ('address', fields.CharField(max_length=64)),
                ('succeeded', fields.BooleanField()),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'login_attempt', 'app': 'models', 'indexes': [Index(fields=['username', 'at']), Index(fields=['address', 'at'])], 'pk_attr': 'id', 'table_description': 'A failed or successful login, kept in the database so throttling spans processes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Region',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=6)),
                ('name', fields.CharField(max_length=64)),
                ('name_en', fields.CharField(default='', max_length=64)),
                ('level', fields.CharEnumField(description='PROVINCE: province\nPREFECTURE: prefecture\nCOUNTY: county', enum_type=RegionLevel, max_length=16)),
                ('parent', fields.ForeignKeyField('models.Region', source_field='parent_id', null=True, db_constraint=True, to_field='code', related_name='children', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'region', 'app': 'models', 'pk_attr': 'code', 'table_description': 'An administrative division by its GB/T 2260 six-digit code.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Base',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=100)),
                ('code', fields.CharField(unique=True, max_length=16)),
                ('kind', fields.CharEnumField(description='MAKER_SPACE: maker_space\nINCUBATION_BASE: incubation_base\nSTUDENT_MAKER_COMMUNITY: student_maker_community\nTECH_INCUBATOR: tech_incubator\nOTHER: other', enum_type=BaseKind, max_length=32)),
                ('level', fields.CharEnumField(description='NATIONAL: national\nAUTONOMOUS_REGION: autonomous_region\nPREFECTURE: prefecture\nCOUNTY: county\nNONE: none', enum_type=BaseLevel, max_length=32)),
                ('region', fields.ForeignKeyField('models.Region', source_field='region_id', db_index=True, db_constraint=True, to_field='code', related_name='bases', on_delete=OnDelete.RESTRICT)),
                ('address', fields.CharField(default='', max_length=200)),
                ('area_m2', fields.DecimalField(null=True, max_digits=10, decimal_places=2)),
                ('opened_on', fields.DateField(null=True)),
                ('contact_phone', fields.CharField(default='', max_length=32)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'base', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An incubation base or maker space: the tenant of this installation.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Bureau',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=100)),
                ('region', fields.ForeignKeyField('models.Region', source_field='region_id', db_constraint=True, to_field='code', related_name='bureaus', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'bureau', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A human resources and social security bureau (人社局) of one region.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Startup',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('base', fields.ForeignKeyField('models.Base', source_field='base_id', db_index=True, db_constraint=True, to_field='id', related_name='startups', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=100)),
                ('legal_form', fields.CharEnumField(description='LIMITED_COMPANY: limited_company\nSOLE_PROPRIETOR: sole_proprietor\nFARMER_COOPERATIVE: farmer_cooperative\nPARTNERSHIP: partnership\nUNREGISTERED_TEAM: unregistered_team', enum_type=LegalForm, max_length=32)),
                ('uscc', fields.CharField(null=True, max_length=18)),
                ('status', fields.CharEnumField(default=StartupStatus.APPLIED, description='APPLIED: applied\nINCUBATING: incubating\nGRADUATED: graduated\nEXITED: exited', enum_type=StartupStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'startup', 'app': 'models', 'unique_together': [('base', 'name')], 'pk_attr': 'id', 'table_description': 'A startup or team resident in one base.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, max_length=64)),
                ('display_name', fields.CharField(max_length=64)),
                ('password_hash', fields.CharField(max_length=255)),
                ('is_active', fields.BooleanField(default=True)),
                ('is_demo', fields.BooleanField(default=False)),
                ('locale', fields.CharField(null=True, max_length=8)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('password_changed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'user', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A login account: what it may see comes from its memberships.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='ADMIN: admin\nBUREAU: bureau\nOPERATOR: operator\nFOUNDER: founder', enum_type=Role, max_length=16)),
                ('bureau', fields.ForeignKeyField('models.Bureau', source_field='bureau_id', null=True, db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.RESTRICT)),
                ('base', fields.ForeignKeyField('models.Base', source_field='base_id', null=True, db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.RESTRICT)),
                ('startup', fields.ForeignKeyField('models.Startup', source_field='startup_id', null=True, db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'membership', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One role of a user: platform admin, officer of a bureau, operator of a base, founder.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='api_tokens', on_delete=OnDelete.CASCADE)),
                ('membership', fields.ForeignKeyField('models.Membership', source_field='membership_id', null=True, db_constraint=True, to_field='id', related_name='api_tokens', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_token', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A bearer token for the JSON API, stored hashed, bound to one membership.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UserSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key_hash', fields.CharField(unique=True, max_length=64)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('membership', fields.ForeignKeyField('models.Membership', source_field='membership_id', null=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('address', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'user_session', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A browser login: the cookie holds a signed random key whose hash is stored here.'},
            bases=['Model'],
        ),
    ]
