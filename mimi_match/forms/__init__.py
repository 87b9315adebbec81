"""WTForms classes: field validation only, no queries."""
