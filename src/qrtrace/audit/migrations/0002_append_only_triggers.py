"""Make the audit tables append-only in the database itself, not only through the ORM.

PostgreSQL refuses UPDATE and DELETE on both tables. SQLite refuses UPDATE; DELETE stays possible
there because Django's test runner empties tables with DELETE between transactional tests (on
PostgreSQL it uses TRUNCATE, which row triggers do not see).
"""

from django.db import migrations

TABLES = ["audit_auditevent", "audit_auditsubject"]

POSTGRES = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only();\n"
    for t in TABLES
)
POSTGRES_REVERSE = "".join(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};\n" for t in TABLES)

SQLITE = [
    f"CREATE TRIGGER {t}_append_only BEFORE UPDATE ON {t} "
    "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;"
    for t in TABLES
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {t}_append_only;" for t in TABLES]


def forwards(apps, schema_editor):
    statements = [POSTGRES] if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = [POSTGRES_REVERSE] if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
