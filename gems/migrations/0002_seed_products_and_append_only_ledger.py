from django.db import migrations

PRODUCTS = [
    ("gems_10", "Gems 10", 10, 1200),
    ("gems_50", "Gems 50", 50, 5900),
    ("gems_120", "Gems 120 (+20 bonus)", 120, 11900),
    ("gems_300", "Gems 300 (+60 bonus)", 300, 29000),
]

# The ledger is append-only: corrections are new rows (refund, admin_adjust), never edits.
APPEND_ONLY_SQL = """
CREATE FUNCTION gems_transaction_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'gems_gemtransaction is append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER gems_transaction_append_only
    BEFORE UPDATE OR DELETE ON gems_gemtransaction
    FOR EACH ROW EXECUTE FUNCTION gems_transaction_append_only();
"""
DROP_APPEND_ONLY_SQL = """
DROP TRIGGER IF EXISTS gems_transaction_append_only ON gems_gemtransaction;
DROP FUNCTION IF EXISTS gems_transaction_append_only();
"""


def seed_products(apps, schema_editor):
    GemProduct = apps.get_model("gems", "GemProduct")
    for product_id, name, gems, price_krw in PRODUCTS:
        GemProduct.objects.update_or_create(
            product_id=product_id, defaults={"name": name, "gems": gems, "price_krw": price_krw}
        )


def unseed_products(apps, schema_editor):
    GemProduct = apps.get_model("gems", "GemProduct")
    GemProduct.objects.filter(product_id__in=[row[0] for row in PRODUCTS]).delete()


def add_append_only_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL, params=None)


def drop_append_only_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_APPEND_ONLY_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("gems", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_products, unseed_products),
        migrations.RunPython(add_append_only_trigger, drop_append_only_trigger),
    ]
