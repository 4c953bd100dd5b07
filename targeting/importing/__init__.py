"""Importing: an export file (CSV, Parquet, a people-shaped export) -> canonical accounts or contacts.

Every source row is accounted for: imported, folded as a duplicate, or rejected with its row,
column, value and reason. `reading` opens the file, `presets` and `column_guess` say which source
column feeds which canonical column, `column_plan` lays that out, `normalize/` turns each cell into
its canonical value, `canonical_rows` and `row_accounting` keep the count, `canonical` ties them
together. `suppression` reads the lists of who must never be contacted. `customers` and `deals`
(over `outcomes`) read who bought, stayed or churned and which deals were won or lost, matched to
the universe's accounts by id or by the importer's own domains.
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "AccountImport": "targeting.importing.canonical",
        "ColumnMap": "targeting.importing.presets",
        "ContactImport": "targeting.importing.canonical",
        "check_importable": "targeting.importing.canonical",
        "dump_column_map": "targeting.importing.column_guess",
        "guess_column_map": "targeting.importing.column_guess",
        "import_accounts": "targeting.importing.canonical",
        "import_contacts": "targeting.importing.canonical",
        "labels_from_deals": "targeting.importing.deals",
        "read_customers": "targeting.importing.customers",
        "read_deals": "targeting.importing.deals",
        "load_column_map": "targeting.importing.presets",
        "read_suppression": "targeting.importing.suppression",
        "read_table": "targeting.importing.reading",
        "resolve_column_map": "targeting.importing.presets",
    },
)
